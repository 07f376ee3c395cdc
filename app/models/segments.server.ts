// Segments against the database: the rule compiled to one WHERE clause over the shop's customers
// (app/domain/segments/engine.ts), and the same customers read as evaluator subjects.
import { Sql, toBigInt, toDate, toNumber, type Db, type Executor } from "~/db/database.server";
import { compileSql, prepare, type EngineContext, type Subject } from "~/domain/segments/engine";
import type { Rule } from "~/domain/segments/rule";
import { normalizeTags } from "~/domain/rows";

export class SegmentRuleError extends Error {}

export async function shopContext(db: Db, { shop, now }: { shop: string; now: Date }): Promise<EngineContext> {
  const row = await db.prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true, currencyCode: true } });
  return { now, timeZone: row?.ianaTimezone ?? "UTC", currencyCode: row?.currencyCode ?? "USD" };
}

function compiled(db: Executor, sql: Sql, rule: Rule, ctx: EngineContext): string {
  const prepared = prepare(rule, ctx);
  if (!prepared.ok) throw new SegmentRuleError(prepared.error);
  return compileSql(prepared.prepared, db.dialect, (v) => sql.p(v));
}

const FROM = `FROM "Customer" c LEFT JOIN "CustomerFacts" f ON f."shop" = c."shop" AND f."customerId" = c."id"`;

/** How many of the shop's customers the rule selects, counted by the database. */
export async function countMatching(db: Executor, { shop, rule, ctx }: { shop: string; rule: Rule; ctx: EngineContext }): Promise<number> {
  const sql = new Sql(db.dialect);
  const shopParam = sql.p(shop);
  const where = compiled(db, sql, rule, ctx);
  const [row] = await db.all(sql, `SELECT COUNT(*) AS n ${FROM} WHERE c."shop" = ${shopParam} AND ${where}`);
  return toNumber(row?.n);
}

export async function matchingIds(db: Executor, { shop, rule, ctx }: { shop: string; rule: Rule; ctx: EngineContext }): Promise<string[]> {
  const sql = new Sql(db.dialect);
  const shopParam = sql.p(shop);
  const where = compiled(db, sql, rule, ctx);
  const rows = await db.all(sql, `SELECT c."id" ${FROM} WHERE c."shop" = ${shopParam} AND ${where} ORDER BY c."id"`);
  return rows.map((r) => String(r.id));
}

/** Customers as the in-memory evaluator sees them. */
export async function subjects(db: Executor, { shop, ids }: { shop: string; ids?: readonly string[] }): Promise<Map<string, Subject>> {
  const sql = new Sql(db.dialect);
  const rows = await db.all(
    sql,
    `SELECT c."id", c."createdAt", c."email", c."tags", c."countryCode", c."provinceCode", c."emailMarketingState",
       c."smsMarketingState", f."ordersCount", f."amountSpentMinor", f."aovMinor", f."firstOrderAt", f."lastOrderAt"
     ${FROM} WHERE c."shop" = ${sql.p(shop)}${ids ? ` AND ${sql.in(`c."id"`, ids)}` : ""}`,
  );
  return new Map(
    rows.map((r) => [
      String(r.id),
      {
        createdAt: toDate(r.createdAt)!,
        email: r.email == null ? null : String(r.email),
        tags: normalizeTags(String(r.tags ?? "")),
        countryCode: r.countryCode == null ? null : String(r.countryCode),
        provinceCode: r.provinceCode == null ? null : String(r.provinceCode),
        emailMarketingState: String(r.emailMarketingState),
        smsMarketingState: String(r.smsMarketingState),
        ordersCount: r.ordersCount == null ? 0 : toNumber(r.ordersCount),
        amountSpentMinor: r.amountSpentMinor == null ? 0n : toBigInt(r.amountSpentMinor),
        aovMinor: r.aovMinor == null ? null : toBigInt(r.aovMinor),
        firstOrderAt: toDate(r.firstOrderAt),
        lastOrderAt: toDate(r.lastOrderAt),
      },
    ]),
  );
}
