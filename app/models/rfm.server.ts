// RFM scores and groups in CustomerFacts (app/domain/rfm.ts says how they are defined). A full pass
// recomputes the shop's quintile cut points and scores everyone; between passes, a customer touched by
// an event is scored against the stored cut points.
import { Sql, toBigInt, toDate, toNumber, type Executor } from "~/db/database.server";
import { cutPoints, RFM_TABLE, type RfmCuts } from "~/domain/rfm";

export async function computeRfmCuts(db: Executor, { shop }: { shop: string }): Promise<RfmCuts> {
  const sql = new Sql(db.dialect);
  const rows = await db.all(
    sql,
    `SELECT "lastOrderAt", "ordersCount", "amountSpentMinor" FROM "CustomerFacts"
     WHERE "shop" = ${sql.p(shop)} AND "ordersCount" > 0 AND "lastOrderAt" IS NOT NULL`,
  );
  const r = rows.map((row) => toDate(row.lastOrderAt)!.getTime()).sort((a, b) => a - b);
  const f = rows.map((row) => toNumber(row.ordersCount)).sort((a, b) => a - b);
  const m = rows.map((row) => toBigInt(row.amountSpentMinor)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const cuts: RfmCuts = { r: cutPoints(r), f: cutPoints(f), m: cutPoints(m).map(String) };
  const s2 = new Sql(db.dialect);
  await db.run(s2, `UPDATE "Shop" SET "rfmCuts" = ${s2.p(JSON.stringify(cuts))} WHERE "domain" = ${s2.p(shop)}`);
  return cuts;
}

async function storedCuts(db: Executor, shop: string): Promise<RfmCuts | null> {
  const sql = new Sql(db.dialect);
  const [row] = await db.all(sql, `SELECT "rfmCuts" FROM "Shop" WHERE "domain" = ${sql.p(shop)}`);
  return row?.rfmCuts ? (JSON.parse(String(row.rfmCuts)) as RfmCuts) : null;
}

/** Scores the given customers (or the whole shop) against the shop's cut points. */
export async function scoreRfm(db: Executor, { shop, customerIds }: { shop: string; customerIds?: readonly string[] }): Promise<void> {
  if (customerIds && customerIds.length === 0) return;
  const cuts = (await storedCuts(db, shop)) ?? (await computeRfmCuts(db, { shop }));
  const sql = new Sql(db.dialect);
  const score = (column: string, values: readonly unknown[]) =>
    values.length === 0 ? "3" : `(1 ${values.map((v) => `+ (CASE WHEN ${column} >= ${sql.p(v)} THEN 1 ELSE 0 END)`).join(" ")})`;
  const instant = (ms: number) => (db.dialect === "sqlite" ? ms : new Date(ms));
  const buyer = `"ordersCount" > 0 AND "lastOrderAt" IS NOT NULL`;
  const where = `"shop" = ${sql.p(shop)}${customerIds ? ` AND ${sql.in(`"customerId"`, customerIds)}` : ""}`;
  await db.run(
    sql,
    `UPDATE "CustomerFacts" SET
       "rfmR" = CASE WHEN ${buyer} THEN ${score(`"lastOrderAt"`, cuts.r.map(instant))} END,
       "rfmF" = CASE WHEN ${buyer} THEN ${score(`"ordersCount"`, cuts.f)} END,
       "rfmM" = CASE WHEN ${buyer} THEN ${score(`"amountSpentMinor"`, cuts.m.map((v) => BigInt(v)))} END
     WHERE ${where}`,
  );
  const s2 = new Sql(db.dialect);
  const cases = RFM_TABLE.flatMap((row, i) =>
    row.map((group, j) => `WHEN "rfmR" = ${5 - i} AND ("rfmF" + "rfmM" + 1) / 2 = ${j + 1} THEN '${group}'`),
  ).join(" ");
  await db.run(
    s2,
    `UPDATE "CustomerFacts" SET "rfmGroup" = CASE WHEN "rfmR" IS NULL THEN 'PROSPECTS' ${cases} END
     WHERE "shop" = ${s2.p(shop)}${customerIds ? ` AND ${s2.in(`"customerId"`, customerIds)}` : ""}`,
  );
}

/** A full pass: new cut points from the whole shop, everyone scored. */
export async function refreshRfm(db: Executor, { shop }: { shop: string }): Promise<RfmCuts> {
  return db.transaction(async (tx) => {
    const cuts = await computeRfmCuts(tx, { shop });
    await scoreRfm(tx, { shop });
    return cuts;
  });
}
