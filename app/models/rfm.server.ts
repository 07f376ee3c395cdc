// RFM scores and groups in CustomerFacts (app/domain/rfm.ts says how they are defined). A full pass
// recomputes the shop's quintile cut points and scores everyone; between passes, a customer touched by
// an event is scored against the stored cut points.
import type { Executor } from "~/db/database.server";
import { bigint, date, decoder, int, join, nullable, raw, sql, sqlIn, text, type SqlQuery } from "~/db/sql";
import { cutPoints, RFM_TABLE, type RfmCuts } from "~/domain/rfm";

export async function computeRfmCuts(db: Executor, { shop }: { shop: string }): Promise<RfmCuts> {
  const rows = await db.all(
    sql`SELECT "lastOrderAt", "ordersCount", "amountSpentMinor" FROM "CustomerFacts"
        WHERE "shop" = ${shop} AND "ordersCount" > 0 AND "lastOrderAt" IS NOT NULL`,
    decoder({ lastOrderAt: date, ordersCount: int, amountSpentMinor: bigint }),
  );
  const r = rows.map((row) => row.lastOrderAt!.getTime()).sort((a, b) => a - b);
  const f = rows.map((row) => row.ordersCount).sort((a, b) => a - b);
  const m = rows.map((row) => row.amountSpentMinor).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const cuts: RfmCuts = { r: cutPoints(r), f: cutPoints(f), m: cutPoints(m).map(String) };
  await db.run(sql`UPDATE "Shop" SET "rfmCuts" = ${JSON.stringify(cuts)} WHERE "domain" = ${shop}`);
  return cuts;
}

async function storedCuts(db: Executor, shop: string): Promise<RfmCuts | null> {
  const [row] = await db.all(
    sql`SELECT "rfmCuts" FROM "Shop" WHERE "domain" = ${shop}`,
    decoder({ rfmCuts: nullable(text) }),
  );
  return row?.rfmCuts ? (JSON.parse(row.rfmCuts) as RfmCuts) : null;
}

/** Scores the given customers (or the whole shop) against the shop's cut points. */
export async function scoreRfm(
  db: Executor,
  { shop, customerIds }: { shop: string; customerIds?: readonly string[] },
): Promise<void> {
  if (customerIds && customerIds.length === 0) return;
  const cuts = (await storedCuts(db, shop)) ?? (await computeRfmCuts(db, { shop }));
  const score = (column: string, values: readonly unknown[]): SqlQuery =>
    values.length === 0
      ? raw("3")
      : sql`(1 ${join(
          values.map((v) => sql`+ (CASE WHEN ${raw(column)} >= ${v} THEN 1 ELSE 0 END)`),
          " ",
        )})`;
  const instant = (ms: number) => (db.dialect === "sqlite" ? ms : new Date(ms));
  const buyer = raw(`"ordersCount" > 0 AND "lastOrderAt" IS NOT NULL`);
  const where = sql`"shop" = ${shop}${customerIds ? sql` AND ${sqlIn(`"customerId"`, customerIds)}` : raw("")}`;
  await db.run(
    sql`UPDATE "CustomerFacts" SET
          "rfmR" = CASE WHEN ${buyer} THEN ${score(`"lastOrderAt"`, cuts.r.map(instant))} END,
          "rfmF" = CASE WHEN ${buyer} THEN ${score(`"ordersCount"`, cuts.f)} END,
          "rfmM" = CASE WHEN ${buyer} THEN ${score(
            `"amountSpentMinor"`,
            cuts.m.map((v) => BigInt(v)),
          )} END
        WHERE ${where}`,
  );
  // The group table is the code's own constant: written as text, not parameters.
  const cases = RFM_TABLE.flatMap((row, i) =>
    row.map((group, j) => `WHEN "rfmR" = ${5 - i} AND ("rfmF" + "rfmM" + 1) / 2 = ${j + 1} THEN '${group}'`),
  ).join(" ");
  await db.run(
    sql`UPDATE "CustomerFacts" SET "rfmGroup" = CASE WHEN "rfmR" IS NULL THEN 'PROSPECTS' ${raw(cases)} END WHERE ${where}`,
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
