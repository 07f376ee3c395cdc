// Writes the shop's copy: bulk, idempotent upserts shared by every source (webhooks, backfill, the
// CDNOW import, the demo generator), then the CustomerFacts they imply. Every statement is scoped by
// shop. A row older than the one we hold (by Shopify's updatedAt) never overwrites it.
import type { CustomerRow, OrderRow, ProductRow, ShopRow } from "~/domain/rows";
import { epochDayExpr, execute, intDivExpr, query, Sql, type Db } from "~/db/database.server";

// SQLite allows 32,766 parameters per statement and PostgreSQL 65,535; stay well inside both.
const MAX_PARAMS = 30_000;

function chunk<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * INSERT … ON CONFLICT (shop, id) DO UPDATE, guarded by updatedAt when the table has one.
 * Returns the ids that were inserted or updated (a stale row returns nothing).
 */
async function upsert<R>(
  db: Db,
  options: {
    table: string;
    shop: string;
    rows: readonly R[];
    columns: Record<string, (row: R) => unknown>;
    staleGuard: boolean;
    returnIds?: boolean;
  },
): Promise<string[]> {
  const names = ["shop", ...Object.keys(options.columns)];
  const getters = Object.values(options.columns);
  const ids: string[] = [];
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / names.length));
  for (const batch of chunk(options.rows, perStatement)) {
    const sql = new Sql(db.dialect);
    const values = batch
      .map((row) => `(${[sql.p(options.shop), ...getters.map((get) => sql.p(get(row)))].join(", ")})`)
      .join(",\n");
    const updates = names
      .filter((n) => n !== "shop" && n !== "id")
      .map((n) => `"${n}" = excluded."${n}"`)
      .join(", ");
    const text =
      `INSERT INTO "${options.table}" (${names.map((n) => `"${n}"`).join(", ")}) VALUES ${values}\n` +
      `ON CONFLICT ("shop", "id") DO UPDATE SET ${updates}` +
      (options.staleGuard ? ` WHERE "${options.table}"."updatedAt" <= excluded."updatedAt"` : "");
    if (options.returnIds) {
      const rows = await query<{ id: string }>(db, sql, `${text} RETURNING "id"`);
      for (const row of rows) ids.push(row.id);
    } else {
      await execute(db, sql, text);
    }
  }
  return ids;
}

export async function upsertShop(
  db: Db,
  shop: ShopRow & { isDemo?: boolean },
): Promise<void> {
  const data = {
    name: shop.name,
    currencyCode: shop.currencyCode,
    ianaTimezone: shop.ianaTimezone,
    isDemo: shop.isDemo ?? false,
  };
  await db.client.shop.upsert({
    where: { domain: shop.domain },
    create: { domain: shop.domain, ...data },
    update: { ...data, uninstalledAt: null },
  });
}

export async function upsertCustomers(
  db: Db,
  { shop, rows, now }: { shop: string; rows: readonly CustomerRow[]; now: Date },
): Promise<void> {
  await upsert(db, {
    table: "Customer",
    shop,
    rows,
    staleGuard: true,
    columns: {
      id: (c) => c.id,
      email: (c) => c.email,
      firstName: (c) => c.firstName,
      lastName: (c) => c.lastName,
      countryCode: (c) => c.countryCode,
      provinceCode: (c) => c.provinceCode,
      city: (c) => c.city,
      tags: (c) => c.tags.join(","),
      emailMarketingState: (c) => c.emailMarketingState,
      smsMarketingState: (c) => c.smsMarketingState,
      createdAt: (c) => c.createdAt,
      updatedAt: (c) => c.updatedAt,
      syncedAt: () => now,
    },
  });
}

/** Orders with their lines: a newer order replaces its lines whole; a stale one changes nothing. */
export async function upsertOrders(
  db: Db,
  { shop, rows, now }: { shop: string; rows: readonly OrderRow[]; now: Date },
): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction(async (tx) => {
    const applied = new Set(
      await upsert(tx, {
        table: "Order",
        shop,
        rows,
        staleGuard: true,
        returnIds: true,
        columns: {
          id: (o) => o.id,
          name: (o) => o.name,
          customerId: (o) => o.customerId,
          email: (o) => o.email,
          createdAt: (o) => o.createdAt,
          processedAt: (o) => o.processedAt,
          updatedAt: (o) => o.updatedAt,
          cancelledAt: (o) => o.cancelledAt,
          currencyCode: (o) => o.currencyCode,
          totalMinor: (o) => o.totalMinor,
          refundedMinor: (o) => o.refundedMinor,
          financialStatus: (o) => o.financialStatus,
          test: (o) => o.test,
          syncedAt: () => now,
        },
      }),
    );
    if (applied.size === 0) return;
    for (const ids of chunk([...applied], 5_000)) {
      const sql = new Sql(tx.dialect);
      await execute(
        tx,
        sql,
        `DELETE FROM "OrderLine" WHERE "shop" = ${sql.p(shop)} AND "orderId" IN ${sql.list(ids)}`,
      );
    }
    const lines = rows
      .filter((o) => applied.has(o.id))
      .flatMap((o) => o.lines.map((line) => ({ ...line, orderId: o.id })));
    await upsert(tx, {
      table: "OrderLine",
      shop,
      rows: lines,
      staleGuard: false,
      columns: {
        id: (l) => l.id,
        orderId: (l) => l.orderId,
        productId: (l) => l.productId,
        variantId: (l) => l.variantId,
        title: (l) => l.title,
        sku: (l) => l.sku,
        productType: (l) => l.productType,
        vendor: (l) => l.vendor,
        quantity: (l) => l.quantity,
        priceMinor: (l) => l.priceMinor,
      },
    });
  });
}

export async function upsertProducts(
  db: Db,
  { shop, rows, now }: { shop: string; rows: readonly ProductRow[]; now: Date },
): Promise<void> {
  await upsert(db, {
    table: "Product",
    shop,
    rows,
    staleGuard: true,
    columns: {
      id: (p) => p.id,
      handle: (p) => p.handle,
      title: (p) => p.title,
      productType: (p) => p.productType,
      vendor: (p) => p.vendor,
      tags: (p) => p.tags.join(","),
      status: (p) => p.status,
      imageUrl: (p) => p.imageUrl,
      priceMinor: (p) => p.priceMinor,
      createdAt: (p) => p.createdAt,
      updatedAt: (p) => p.updatedAt,
      syncedAt: () => now,
    },
  });
}

/**
 * Recomputes CustomerFacts from the orders we hold, for the given customers or for the whole shop,
 * in one statement the database runs. Only orders that count (not cancelled, not test) add to spend;
 * refunds reduce it.
 */
export async function recomputeFacts(
  db: Db,
  { shop, customerIds, now }: { shop: string; customerIds?: readonly string[]; now: Date },
): Promise<void> {
  if (customerIds && customerIds.length === 0) return;
  const batches = customerIds ? chunk([...customerIds], 5_000) : [undefined];
  for (const ids of batches) {
    const sql = new Sql(db.dialect);
    const computedAt = sql.p(now);
    const shopParam = sql.p(shop);
    const filterOrders = ids ? ` AND o."customerId" IN ${sql.list(ids)}` : "";
    const shopParam2 = sql.p(shop);
    const filterCustomers = ids ? ` AND c."id" IN ${sql.list(ids)}` : "";
    const day = epochDayExpr(db.dialect, `o."processedAt"`);
    const text = `
INSERT INTO "CustomerFacts" ("shop", "customerId", "ordersCount", "cancelledCount", "amountSpentMinor",
  "refundedMinor", "aovMinor", "firstOrderAt", "lastOrderAt", "orderDays", "computedAt")
SELECT c."shop", c."id",
  COALESCE(a."ordersCount", 0), COALESCE(a."cancelledCount", 0), COALESCE(a."spent", 0),
  COALESCE(a."refunded", 0),
  CASE WHEN COALESCE(a."ordersCount", 0) = 0 THEN NULL
       ELSE ${intDivExpr(db.dialect, `2 * a."spent" + a."ordersCount"`, `2 * a."ordersCount"`)} END,
  a."firstOrderAt", a."lastOrderAt", COALESCE(a."orderDays", 0), ${computedAt}
FROM "Customer" c
LEFT JOIN (
  SELECT o."customerId",
    SUM(CASE WHEN o."cancelledAt" IS NULL THEN 1 ELSE 0 END) AS "ordersCount",
    SUM(CASE WHEN o."cancelledAt" IS NULL THEN 0 ELSE 1 END) AS "cancelledCount",
    SUM(CASE WHEN o."cancelledAt" IS NULL THEN o."totalMinor" - o."refundedMinor" ELSE 0 END) AS "spent",
    SUM(CASE WHEN o."cancelledAt" IS NULL THEN o."refundedMinor" ELSE 0 END) AS "refunded",
    MIN(CASE WHEN o."cancelledAt" IS NULL THEN o."processedAt" END) AS "firstOrderAt",
    MAX(CASE WHEN o."cancelledAt" IS NULL THEN o."processedAt" END) AS "lastOrderAt",
    COUNT(DISTINCT CASE WHEN o."cancelledAt" IS NULL THEN ${day} END) AS "orderDays"
  FROM "Order" o
  WHERE o."shop" = ${shopParam} AND o."test" = false AND o."customerId" IS NOT NULL${filterOrders}
  GROUP BY o."customerId"
) a ON a."customerId" = c."id"
WHERE c."shop" = ${shopParam2}${filterCustomers}
ON CONFLICT ("shop", "customerId") DO UPDATE SET
  "ordersCount" = excluded."ordersCount", "cancelledCount" = excluded."cancelledCount",
  "amountSpentMinor" = excluded."amountSpentMinor", "refundedMinor" = excluded."refundedMinor",
  "aovMinor" = excluded."aovMinor", "firstOrderAt" = excluded."firstOrderAt",
  "lastOrderAt" = excluded."lastOrderAt", "orderDays" = excluded."orderDays",
  "computedAt" = excluded."computedAt"`;
    await execute(db, sql, text);
  }
}
