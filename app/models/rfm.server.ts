// RFM scores and groups in CustomerFacts (app/domain/rfm.ts says how they are defined). A full pass
// recomputes the shop's quintile cut points and scores everyone; between passes, a customer touched by
// an event is scored against the stored cut points.
import type { Executor } from "~/db/database.server";
import {
  bigint,
  date,
  decoder,
  int,
  join,
  nullable,
  raw,
  sql,
  sqlIn,
  text,
  type Decode,
  type SqlQuery,
} from "~/db/sql";
import { cutPositions, RFM_TABLE, type RfmCuts } from "~/domain/rfm";

/**
 * The shop's quintile cut points, picked by the database: the count of customers with an order, then
 * for each measure the values at the cut positions of its sorted list (cutPositions). Reading every
 * customer's figures into the process to sort them there held a few hundred bytes per customer at once
 * (over 300 MB of heap at 1M customers, the seed's and the daily pass's peak memory).
 */
export async function computeRfmCuts(db: Executor, { shop }: { shop: string }): Promise<RfmCuts> {
  const buyers = sql`"shop" = ${shop} AND "ordersCount" > 0 AND "lastOrderAt" IS NOT NULL`;
  const [count] = await db.all(sql`SELECT COUNT(*) AS "n" FROM "CustomerFacts" WHERE ${buyers}`, decoder({ n: int }));
  const positions = cutPositions(count?.n ?? 0);
  /** The column's values at `positions` in ascending order; the column is ours, never input. */
  const valuesAt = async <T>(column: string, decode: Decode<T>): Promise<T[]> => {
    if (positions.length === 0) return [];
    const rows = await db.all(
      sql`SELECT "rn", "v" FROM (
            SELECT ${raw(column)} AS "v", ROW_NUMBER() OVER (ORDER BY ${raw(column)}) AS "rn"
            FROM "CustomerFacts" WHERE ${buyers}
          ) ranked WHERE ${sqlIn(
            `"rn"`,
            [...new Set(positions)].map((p) => p + 1),
          )}`,
      decoder({ rn: int, v: decode }),
    );
    const byRank = new Map(rows.map((row) => [row.rn, row.v]));
    return positions.map((p) => byRank.get(p + 1)!);
  };
  const cuts: RfmCuts = {
    r: (await valuesAt(`"lastOrderAt"`, date)).map((d) => d!.getTime()),
    f: await valuesAt(`"ordersCount"`, int),
    m: (await valuesAt(`"amountSpentMinor"`, bigint)).map(String),
  };
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
