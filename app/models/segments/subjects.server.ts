// The shop's customers as the in-memory evaluator sees them (app/domain/segments/engine.ts Subject),
// with the segments each is in now and, when a rule reads purchases, their counted orders.
import { Sql, toBigInt, toDate, toNumber, type Executor } from "~/db/database.server";
import type { PurchaseLine, PurchaseOrder, Subject } from "~/domain/segments/engine";
import { normalizeTags } from "~/domain/rows";
import { CUSTOMERS_FROM } from "./compile-sql";

/**
 * Customers as the in-memory evaluator sees them. `purchases` also loads their counted orders and
 * lines (for products_purchased / orders_placed; see readsPurchases), in one more query.
 */
export async function subjects(
  db: Executor,
  options: { shop: string; ids?: readonly string[]; purchases?: boolean },
): Promise<Map<string, Subject>> {
  return new Map([...(await customersWithSegments(db, options))].map(([id, c]) => [id, c.subject]));
}

/** Subjects with the segments each customer is a member of now (Customer.segmentIds). */
export async function customersWithSegments(
  db: Executor,
  { shop, ids, purchases = false }: { shop: string; ids?: readonly string[]; purchases?: boolean },
): Promise<Map<string, { subject: Subject; segmentIds: ReadonlySet<number> }>> {
  const sql = new Sql(db.dialect);
  const rows = await db.all(
    sql,
    `SELECT c."id", c."createdAt", c."email", c."tags", c."countryCode", c."provinceCode", c."city", c."emailMarketingState",
       c."smsMarketingState", c."segmentIds", f."rfmGroup", f."ordersCount", f."amountSpentMinor", f."aovMinor", f."firstOrderAt", f."lastOrderAt"
     ${CUSTOMERS_FROM} WHERE c."shop" = ${sql.p(shop)}${ids ? ` AND ${sql.in(`c."id"`, ids)}` : ""}`,
  );
  const orders = purchases ? await purchasesOf(db, { shop, ids }) : undefined;
  return new Map(
    rows.map((r) => [
      String(r.id),
      {
        subject: {
          createdAt: toDate(r.createdAt)!,
          email: r.email == null ? null : String(r.email),
          tags: normalizeTags(String(r.tags ?? "")),
          countryCode: r.countryCode == null ? null : String(r.countryCode),
          provinceCode: r.provinceCode == null ? null : String(r.provinceCode),
          city: r.city == null ? null : String(r.city),
          emailMarketingState: String(r.emailMarketingState),
          smsMarketingState: String(r.smsMarketingState),
          rfmGroup: r.rfmGroup == null ? null : String(r.rfmGroup),
          ordersCount: r.ordersCount == null ? 0 : toNumber(r.ordersCount),
          amountSpentMinor: r.amountSpentMinor == null ? 0n : toBigInt(r.amountSpentMinor),
          aovMinor: r.aovMinor == null ? null : toBigInt(r.aovMinor),
          firstOrderAt: toDate(r.firstOrderAt),
          lastOrderAt: toDate(r.lastOrderAt),
          ...(orders ? { orders: orders.get(String(r.id)) ?? [] } : {}),
        },
        segmentIds: parseSegmentIds(String(r.segmentIds ?? ",")),
      },
    ]),
  );
}

/** ",3,7," -> {3, 7}. */
function parseSegmentIds(list: string): Set<number> {
  const ids = new Set<number>();
  for (const part of list.split(",")) if (part !== "") ids.add(Number(part));
  return ids;
}

/**
 * The counted orders (as recomputeFacts counts them: not cancelled, not test) of some customers, or
 * of the whole shop, with their lines and the lines' product tags: one query, grouped here.
 */
async function purchasesOf(
  db: Executor,
  { shop, ids }: { shop: string; ids?: readonly string[] },
): Promise<Map<string, PurchaseOrder[]>> {
  const sql = new Sql(db.dialect);
  const rows = await db.all(
    sql,
    `SELECT o."customerId", o."id" AS "orderId", o."processedAt", o."totalMinor", o."refundedMinor",
       l."id" AS "lineId", l."productId", l."productType", l."vendor", l."quantity", pr."tags" AS "productTags"
     FROM "Order" o
     LEFT JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."id"
     LEFT JOIN "Product" pr ON pr."shop" = l."shop" AND pr."id" = l."productId"
     WHERE o."shop" = ${sql.p(shop)} AND o."customerId" IS NOT NULL AND o."test" = false AND o."cancelledAt" IS NULL${
       ids ? ` AND ${sql.in(`o."customerId"`, ids)}` : ""
     }
     ORDER BY o."customerId", o."id"`,
  );
  const byCustomer = new Map<string, PurchaseOrder[]>();
  let current: { key: string; order: PurchaseOrder & { lines: PurchaseLine[] } } | undefined;
  for (const r of rows) {
    const customerId = String(r.customerId);
    const key = `${customerId}\u0000${String(r.orderId)}`;
    if (current?.key !== key) {
      current = {
        key,
        order: {
          processedAt: toDate(r.processedAt)!,
          amountMinor: toBigInt(r.totalMinor) - toBigInt(r.refundedMinor),
          lines: [],
        },
      };
      const list = byCustomer.get(customerId) ?? [];
      list.push(current.order);
      byCustomer.set(customerId, list);
    }
    if (r.lineId == null) continue; // an order without lines still counts for orders_placed
    current.order.lines.push({
      productId: r.productId == null ? null : String(r.productId),
      productType: r.productType == null ? null : String(r.productType),
      vendor: r.vendor == null ? null : String(r.vendor),
      tags: normalizeTags(String(r.productTags ?? "")),
      quantity: toNumber(r.quantity),
    });
  }
  return byCustomer;
}
