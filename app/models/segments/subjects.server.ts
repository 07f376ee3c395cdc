// The shop's customers as the in-memory evaluator sees them (app/domain/segments/engine.ts Subject),
// with the segments each is in now and, when a rule reads purchases, their counted orders.
import type { Executor } from "~/db/database.server";
import { bigint, date, decoder, int, nullable, raw, real, reused, sql, sqlIn, text } from "~/db/sql";
import type { PurchaseLine, PurchaseOrder, Subject } from "~/domain/segments/engine";
import { normalizeTags } from "~/domain/rows";
import { CUSTOMERS_FROM } from "./compile-sql";
import { browsingOf } from "./browsing.server";

/**
 * Customers as the in-memory evaluator sees them. `purchases` also loads their counted orders and
 * lines (for products_purchased / orders_placed; see readsPurchases), in one more query.
 */
export async function subjects(
  db: Executor,
  options: { shop: string; ids?: readonly string[]; purchases?: boolean; behaviour?: boolean },
): Promise<Map<string, Subject>> {
  return new Map([...(await customersWithSegments(db, options))].map(([id, c]) => [id, c.subject]));
}

/** Subjects with the segments each customer is a member of now (Customer.segmentIds). */
export async function customersWithSegments(
  db: Executor,
  {
    shop,
    ids,
    purchases = false,
    behaviour = false,
  }: { shop: string; ids?: readonly string[]; purchases?: boolean; behaviour?: boolean },
): Promise<Map<string, { subject: Subject; segmentIds: ReadonlySet<number> }>> {
  const rows = await db.all(
    // Some customers (after an event, those it touched): a hot path's statement, kept prepared on
    // PostgreSQL; a read of the whole shop is not (app/db/sql.ts, reused).
    reused(
      sql`SELECT c."id", c."createdAt", c."email", c."tags", c."countryCode", c."provinceCode", c."city", c."emailMarketingState",
       c."smsMarketingState", c."segmentIds", f."rfmGroup", f."ordersCount", f."amountSpentMinor", f."aovMinor", f."firstOrderAt", f."lastOrderAt",
       p."pAlive", p."expectedOrders90d", p."predictedClvMinor", p."predictedSpendTier", p."churnRisk", p."clusterName"
     ${CUSTOMERS_FROM}
     WHERE c."shop" = ${shop}${ids ? sql` AND ${sqlIn(`c."id"`, ids)}` : raw("")}`,
      ids !== undefined,
    ),
    // Without facts (a LEFT JOIN that found none) a count is 0 and a sum 0n, as the evaluator takes them.
    decoder({
      id: text,
      createdAt: date,
      email: nullable(text),
      tags: text,
      countryCode: nullable(text),
      provinceCode: nullable(text),
      city: nullable(text),
      emailMarketingState: text,
      smsMarketingState: text,
      segmentIds: text,
      rfmGroup: nullable(text),
      ordersCount: int,
      amountSpentMinor: bigint,
      aovMinor: nullable(bigint),
      firstOrderAt: date,
      lastOrderAt: date,
      pAlive: nullable(real),
      expectedOrders90d: nullable(real),
      predictedClvMinor: nullable(bigint),
      predictedSpendTier: nullable(text),
      churnRisk: nullable(text),
      clusterName: nullable(text),
    }),
  );
  const orders = purchases ? await purchasesOf(db, { shop, ids }) : undefined;
  const events = behaviour ? await browsingOf(db, { shop, ids }) : undefined;
  return new Map(
    rows.map(({ id, segmentIds, tags, createdAt, ...fields }) => [
      id,
      {
        subject: {
          ...fields,
          createdAt: createdAt!,
          tags: normalizeTags(tags),
          ...(orders ? { orders: orders.get(id) ?? [] } : {}),
          ...(events ? { events: events.get(id) ?? [] } : {}),
        },
        segmentIds: parseSegmentIds(segmentIds),
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
  const rows = await db.all(
    reused(
      sql`SELECT o."customerId", o."id" AS "orderId", o."processedAt", o."totalMinor", o."refundedMinor",
       l."id" AS "lineId", l."productId", l."productType", l."vendor", l."quantity", pr."tags" AS "productTags"
     FROM "Order" o
     LEFT JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."id"
     LEFT JOIN "Product" pr ON pr."shop" = l."shop" AND pr."id" = l."productId"
     WHERE o."shop" = ${shop} AND o."customerId" IS NOT NULL AND o."test" = false AND o."cancelledAt" IS NULL${
       ids ? sql` AND ${sqlIn(`o."customerId"`, ids)}` : raw("")
     }
     ORDER BY o."customerId", o."id"`,
      ids !== undefined,
    ),
    decoder({
      customerId: text,
      orderId: text,
      processedAt: date,
      totalMinor: bigint,
      refundedMinor: bigint,
      lineId: nullable(text),
      productId: nullable(text),
      productType: nullable(text),
      vendor: nullable(text),
      quantity: int,
      productTags: text,
    }),
  );
  const byCustomer = new Map<string, PurchaseOrder[]>();
  let current: { key: string; order: PurchaseOrder & { lines: PurchaseLine[] } } | undefined;
  for (const r of rows) {
    const key = `${r.customerId}\u0000${r.orderId}`;
    if (current?.key !== key) {
      current = {
        key,
        order: { processedAt: r.processedAt!, amountMinor: r.totalMinor - r.refundedMinor, lines: [] },
      };
      const list = byCustomer.get(r.customerId) ?? [];
      list.push(current.order);
      byCustomer.set(r.customerId, list);
    }
    if (r.lineId === null) continue; // an order without lines still counts for orders_placed
    current.order.lines.push({
      productId: r.productId,
      productType: r.productType,
      vendor: r.vendor,
      tags: normalizeTags(r.productTags),
      quantity: r.quantity,
    });
  }
  return byCustomer;
}
