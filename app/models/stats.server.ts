// The shop's headline figures, as the home page and `tailored stats` show them.
import { Sql, toBigInt, toNumber, type Db } from "~/db/database.server";

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

  const sql = new Sql(db.dialect);
  const [orders] = await db.all(
    sql,
    `SELECT
       SUM(CASE WHEN "cancelledAt" IS NULL THEN 1 ELSE 0 END) AS "orders",
       SUM(CASE WHEN "cancelledAt" IS NULL THEN 0 ELSE 1 END) AS "cancelled",
       SUM(CASE WHEN "cancelledAt" IS NULL THEN "totalMinor" - "refundedMinor" ELSE 0 END) AS "revenue",
       SUM(CASE WHEN "cancelledAt" IS NULL THEN "refundedMinor" ELSE 0 END) AS "refunds"
     FROM "Order" WHERE "shop" = ${sql.p(shop)} AND "test" = false`,
  );

  // Among customers, from their facts (one row each) rather than regrouping every order.
  const sql2 = new Sql(db.dialect);
  const [buyers] = await db.all(
    sql2,
    `SELECT COUNT(*) AS "buyers", SUM(CASE WHEN "ordersCount" >= 2 THEN 1 ELSE 0 END) AS "repeat"
     FROM "CustomerFacts" WHERE "shop" = ${sql2.p(shop)} AND "ordersCount" > 0`,
  );
  const customersWithOrders = toNumber(buyers?.buyers);
  const repeatCustomers = toNumber(buyers?.repeat);
  return {
    shop,
    currencyCode: shopRow?.currencyCode ?? "USD",
    customers,
    orders: toNumber(orders?.orders),
    cancelledOrders: toNumber(orders?.cancelled),
    revenueMinor: toBigInt(orders?.revenue),
    refundsMinor: toBigInt(orders?.refunds),
    customersWithOrders,
    repeatCustomers,
    repeatPurchaseRate: customersWithOrders === 0 ? null : repeatCustomers / customersWithOrders,
  };
}
