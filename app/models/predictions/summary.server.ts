// Every customer's repeat-purchase summary, read from the orders in one statement: x (repeat purchase
// days), t_x (days from the first purchase day to the last), T (days from the first purchase day to the
// calibration end) and the mean spend of the repeat days (the Gamma-Gamma model's z̄). The orders counted
// are CustomerFacts' (app/models/store.server.ts recomputeFacts: not cancelled, not test, net of refunds),
// and days are UTC days as in CustomerFacts.orderDays: several orders on one day are one purchase, their
// amounts summed (Fader, Hardie & Lee 2005 count CDNOW this way; so does lifetimes).
import type { Executor } from "~/db/database.server";
import { epochDayExpr } from "~/db/database.server";
import { decoder, int, join, raw, real, sql, text } from "~/db/sql";

export type CustomerSummary = {
  customerId: string;
  /** Repeat purchase days (purchase days after the first) up to and including the end day. */
  x: number;
  /** Days from the first purchase day to the last. */
  tx: number;
  /** Days from the first purchase day to the end day. */
  T: number;
  /** The first purchase day, in UTC days since 1970-01-01. */
  firstDay: number;
  /** Mean amount of the repeat purchase days, in minor units; 0 without a repeat day. */
  repeatMean: number;
  /** Amount of every purchase day, minor units. */
  totalMinor: number;
};

const DAY_MS = 86_400_000;

/** UTC day number of an instant. */
export function dayOf(at: Date): number {
  return Math.floor(at.getTime() / DAY_MS);
}

/**
 * The summaries of every customer with a counted order on or before `endDay` (a UTC day number,
 * included). Customers whose orders all come later are left out: at the end day they have no history.
 * `customerIds`: only these (to score one customer).
 */
export async function loadSummaries(
  db: Executor,
  { shop, endDay, customerIds }: { shop: string; endDay: number; customerIds?: readonly string[] },
): Promise<CustomerSummary[]> {
  const day = raw(epochDayExpr(db.dialect, `o."processedAt"`));
  // The end day's last instant, in the column's own type: an index range on (shop, processedAt) is not
  // used (the whole shop is read), but the comparison stays on the column.
  const endExclusive = (endDay + 1) * DAY_MS;
  const before = db.dialect === "sqlite" ? endExclusive : new Date(endExclusive);
  const only =
    customerIds === undefined
      ? raw("")
      : customerIds.length === 0
        ? raw(" AND 1 = 0")
        : sql` AND o."customerId" IN (${join(customerIds)})`;
  // The first purchase day's amount comes from CustomerFacts.firstOrderAt: the customer's first counted
  // order overall, which is also the first on or before any end day at which they have an order. So
  // one GROUP BY customer, in the order of the (shop, customerId) index, does it all: grouping by
  // customer and day first (then a window for the first day) cost SQLite a sort of every order, 6.5 s
  // against 1.4 s at 100k customers.
  const firstDayEnd = raw(
    db.dialect === "sqlite"
      ? `((f."firstOrderAt" / 86400000) + 1) * 86400000`
      : `(date_trunc('day', f."firstOrderAt") + interval '1 day')`,
  );
  const rows = await db.all(
    sql`SELECT o."customerId" AS "customerId", COUNT(DISTINCT ${day}) AS "days", MIN(${day}) AS "first", MAX(${day}) AS "last",
         SUM(o."totalMinor" - o."refundedMinor") AS "total",
         SUM(CASE WHEN o."processedAt" < ${firstDayEnd} THEN o."totalMinor" - o."refundedMinor" ELSE 0 END) AS "firstSpend"
       FROM "Order" o JOIN "CustomerFacts" f ON f."shop" = o."shop" AND f."customerId" = o."customerId"
       WHERE o."shop" = ${shop} AND o."customerId" IS NOT NULL AND o."test" = false AND o."cancelledAt" IS NULL
         AND o."processedAt" < ${before}${only}
       GROUP BY o."customerId"`,
    decoder({ customerId: text, days: int, first: int, last: int, total: real, firstSpend: real }),
  );
  return rows.map((r) => {
    const x = r.days - 1;
    return {
      customerId: r.customerId,
      x,
      tx: r.last - r.first,
      T: endDay - r.first,
      firstDay: r.first,
      repeatMean: x > 0 ? (r.total - r.firstSpend) / x : 0,
      totalMinor: r.total,
    };
  });
}
