// The shop's customers as the in-memory evaluator sees them (app/domain/segments/engine.ts Subject),
// with the segments each is in now and, when a rule reads them, their counted orders and their
// browsing: one statement (on PostgreSQL each statement is a round trip on the per-event path).
import { epochMsExpr, type Executor } from "~/db/database.server";
import { bigint, date, decoder, int, nullable, raw, real, reused, sql, sqlIn, text } from "~/db/sql";
import type { PurchaseLine, PurchaseOrder, Subject } from "~/domain/segments/engine";
import { normalizeTags } from "~/domain/rows";
import { browsingJson, decodeBrowsing } from "./browsing.server";
import { CUSTOMERS_FROM } from "./compile-sql";
import { jsonRows, parseJsonRows } from "./json-rows";

/**
 * Customers as the in-memory evaluator sees them. `purchases` also loads their counted orders and
 * lines (for products_purchased / orders_placed; see readsPurchases), `behaviour` their Web Pixel
 * events (readsBehaviour), each as a JSON column of the same statement.
 */
export async function subjects(
  db: Executor,
  options: { shop: string; ids?: readonly string[]; purchases?: boolean; behaviour?: boolean },
): Promise<Map<string, Subject>> {
  return new Map([...(await customersWithSegments(db, options))].map(([id, c]) => [id, c.subject]));
}

const CUSTOMER = decoder({
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
  // Without facts (a LEFT JOIN that found none) a count is 0 and a sum 0n, as the evaluator takes them.
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
});

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
       ${purchases ? sql`, ${purchasesJson(db.dialect)} AS "orders"` : raw("")}
       ${behaviour ? sql`, ${browsingJson(db.dialect)} AS "events"` : raw("")}
     ${CUSTOMERS_FROM}
     WHERE c."shop" = ${shop}${ids ? sql` AND ${sqlIn(`c."id"`, ids)}` : raw("")}`,
      ids !== undefined,
    ),
    (row) => ({ ...CUSTOMER(row), orders: row.orders, events: row.events }),
  );
  return new Map(
    rows.map(({ id, segmentIds, tags, createdAt, orders, events, ...fields }) => [
      id,
      {
        subject: {
          ...fields,
          createdAt: createdAt!,
          tags: normalizeTags(tags),
          ...(purchases ? { orders: decodePurchases(orders) } : {}),
          ...(behaviour ? { events: decodeBrowsing(events) } : {}),
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
 * The customer's counted orders (as recomputeFacts counts them: not cancelled, not test) with their
 * lines and the lines' product tags, one JSON array per line (an order without lines: one with a null
 * line). Money as text: a JSON number would round past 2^53.
 */
function purchasesJson(dialect: Executor["dialect"]) {
  return jsonRows(
    dialect,
    [
      `o."id"`,
      epochMsExpr(dialect, `o."processedAt"`),
      `CAST(o."totalMinor" AS TEXT)`,
      `CAST(o."refundedMinor" AS TEXT)`,
      `l."id"`,
      `l."productId"`,
      `l."productType"`,
      `l."vendor"`,
      `l."quantity"`,
      `pr."tags"`,
    ],
    `FROM "Order" o
     LEFT JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."id"
     LEFT JOIN "Product" pr ON pr."shop" = l."shop" AND pr."id" = l."productId"
     WHERE o."shop" = c."shop" AND o."customerId" = c."id" AND o."test" = false AND o."cancelledAt" IS NULL`,
  );
}

type PurchaseRow = [
  orderId: string,
  processedAt: number,
  totalMinor: string,
  refundedMinor: string,
  lineId: string | null,
  productId: string | null,
  productType: string | null,
  vendor: string | null,
  quantity: number | null,
  productTags: string | null,
];

function decodePurchases(value: unknown): PurchaseOrder[] {
  const byOrder = new Map<string, PurchaseOrder & { lines: PurchaseLine[] }>();
  for (const [
    orderId,
    processedAt,
    total,
    refunded,
    lineId,
    productId,
    productType,
    vendor,
    quantity,
    tags,
  ] of parseJsonRows<PurchaseRow>(value)) {
    let order = byOrder.get(orderId);
    if (!order) {
      order = { processedAt: new Date(processedAt), amountMinor: bigint(total) - bigint(refunded), lines: [] };
      byOrder.set(orderId, order);
    }
    if (lineId === null) continue; // an order without lines still counts for orders_placed
    order.lines.push({ productId, productType, vendor, tags: normalizeTags(tags ?? ""), quantity: int(quantity) });
  }
  return [...byOrder.values()];
}
