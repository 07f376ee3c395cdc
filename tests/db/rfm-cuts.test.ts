// The RFM cut points are picked by the database (computeRfmCuts): the same values as sorting every
// customer's figures in the process (cutPoints), for shops of any size, with ties, customers without
// orders and amounts past 2^53, while only the few cut values come back to the process (reading every
// customer's row was the seed's and the daily pass's peak memory: over 500 MB at 1M customers). On
// SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { cutPoints } from "~/domain/rfm";
import { computeRfmCuts } from "~/models/rfm.server";
import { createTestDb, DIALECTS, observed } from "../helpers/db";

type Facts = { ordersCount: number; amountSpentMinor: bigint; lastOrderAt: Date | null };

/** A reproducible shop of n customers: a fifth without orders, ties in every measure, huge spenders. */
function shopFacts(n: number, seed: number): Facts[] {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => {
    if (i % 5 === 4) return { ordersCount: 0, amountSpentMinor: 0n, lastOrderAt: null };
    const ordersCount = 1 + Math.floor(next() * 6);
    const amountSpentMinor =
      i % 11 === 0 ? 9_000_000_000_000_000_000n + BigInt(i) : BigInt(Math.floor(next() * 50) * 1_000);
    // Days apart, so that ties happen; whole milliseconds on both databases.
    const lastOrderAt = new Date(Date.UTC(2026, 0, 1) - Math.floor(next() * 40) * 86_400_000 - (i % 3));
    return { ordersCount, amountSpentMinor, lastOrderAt };
  });
}

function expectedCuts(facts: Facts[]) {
  const buyers = facts.filter((f) => f.ordersCount > 0 && f.lastOrderAt !== null);
  return {
    r: cutPoints(buyers.map((f) => f.lastOrderAt!.getTime()).sort((a, b) => a - b)),
    f: cutPoints(buyers.map((f) => f.ordersCount).sort((a, b) => a - b)),
    m: cutPoints(buyers.map((f) => f.amountSpentMinor).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).map(String),
  };
}

describe.each(DIALECTS)("RFM cut points on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
  });
  afterAll(async () => close());

  it.each([0, 1, 2, 3, 4, 6, 7, 23, 2_000])(
    "a shop of %i customers: the sorted values' cut points, with only those read back",
    async (n) => {
      const shop = `rfm-cuts-${n}.myshopify.com`;
      await db.prisma.shop.create({ data: { domain: shop } });
      const facts = shopFacts(n, n + 1);
      const computedAt = new Date("2026-01-02T00:00:00Z");
      for (let i = 0; i < facts.length; i += 500)
        await db.prisma.customerFacts.createMany({
          data: facts.slice(i, i + 500).map((f, j) => ({ shop, customerId: `c${i + j}`, computedAt, ...f })),
        });
      // Another shop's customers never count.
      await db.prisma.customerFacts.create({
        data: {
          shop: "rfm-cuts-other.myshopify.com",
          customerId: `x${n}`,
          ordersCount: 99,
          amountSpentMinor: 1n,
          lastOrderAt: new Date("1990-01-01T00:00:00Z"),
          computedAt,
        },
      });

      const reads = observed(db);
      const cuts = await computeRfmCuts(reads.db, { shop });
      expect(cuts).toEqual(expectedCuts(facts));
      // The count, then at most four values for each of the three measures.
      expect(reads.rows()).toBeLessThanOrEqual(1 + 3 * 4);
      const stored = await db.prisma.shop.findUniqueOrThrow({ where: { domain: shop }, select: { rfmCuts: true } });
      expect(JSON.parse(stored.rfmCuts!)).toEqual(cuts);
    },
  );
});
