// The shop's headline figures, as the home page and `tailored stats` show them.
import type { Db } from "~/db/database.server";
import { bigint, decoder, int, sql } from "~/db/sql";

export type ShopStats = {
  shop: string;
  currencyCode: string;
  customers: number;
  /** Orders that count: not cancelled, not test. */
  orders: number;
  cancelledOrders: number;
  /** Sum of the counted orders' totals, less refunds, in minor units of currencyCode. */
  revenueMinor: bigint;
  refundsMinor: bigint;
  customersWithOrders: number;
  repeatCustomers: number;
  /** Share of customers with an order who have two or more; null when nobody has ordered. */
  repeatPurchaseRate: number | null;
};

export async function shopStats(db: Db, { shop }: { shop: string }): Promise<ShopStats> {
  const shopRow = await db.prisma.shop.findUnique({ where: { domain: shop }, select: { currencyCode: true } });
  const customers = await db.prisma.customer.count({ where: { shop } });

  const [orders] = await db.all(
    sql`SELECT
       SUM(CASE WHEN "cancelledAt" IS NULL THEN 1 ELSE 0 END) AS "orders",
       SUM(CASE WHEN "cancelledAt" IS NULL THEN 0 ELSE 1 END) AS "cancelled",
       SUM(CASE WHEN "cancelledAt" IS NULL THEN "totalMinor" - "refundedMinor" ELSE 0 END) AS "revenue",
       SUM(CASE WHEN "cancelledAt" IS NULL THEN "refundedMinor" ELSE 0 END) AS "refunds"
     FROM "Order" WHERE "shop" = ${shop} AND "test" = false`,
    decoder({ orders: int, cancelled: int, revenue: bigint, refunds: bigint }),
  );

  // Among customers, from their facts (one row each) rather than regrouping every order.
  const [buyers] = await db.all(
    sql`SELECT COUNT(*) AS "buyers", SUM(CASE WHEN "ordersCount" >= 2 THEN 1 ELSE 0 END) AS "repeat"
        FROM "CustomerFacts" WHERE "shop" = ${shop} AND "ordersCount" > 0`,
    decoder({ buyers: int, repeat: int }),
  );
  const customersWithOrders = buyers?.buyers ?? 0;
  const repeatCustomers = buyers?.repeat ?? 0;
  return {
    shop,
    currencyCode: shopRow?.currencyCode ?? "USD",
    customers,
    orders: orders?.orders ?? 0,
    cancelledOrders: orders?.cancelled ?? 0,
    revenueMinor: orders?.revenue ?? 0n,
    refundsMinor: orders?.refunds ?? 0n,
    customersWithOrders,
    repeatCustomers,
    repeatPurchaseRate: customersWithOrders === 0 ? null : repeatCustomers / customersWithOrders,
  };
}
