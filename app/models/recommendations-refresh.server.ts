// Computing the stored recommendation lists (RecommendationList; docs/decisions/020-recommendations.md):
// - `refreshRecommendations`: the full refresh of a shop (the worker's daily pass, `recommend
//   --refresh`): its counted purchases read in one statement, the lists computed in memory
//   (app/domain/recommend/shop-lists.ts), then all of the shop's lists replaced in one transaction.
// - `updateCustomerRecommendations`: the per-event step, in the webhook processor's transaction after
//   facts and memberships: the touched customers' personal lists (and what they have bought) re-scored
//   from the stored "bought together" rows and best sellers — three indexed reads, no model fit. The
//   model itself, segment top sellers and trending wait for the next full refresh.
// Every statement is scoped by shop.
import type { Executor } from "~/db/database.server";
import { date, decoder, join, nullable, raw, sql, sqlIn, text, type SqlQuery } from "~/db/sql";
import { computeShopLists, personalFromStored, type StoredList, type StoredModel } from "~/domain/recommend/shop-lists";
import { compareIds } from "~/domain/recommend/blend";
import type { ModelConfig } from "~/domain/recommend/model";
import { splitIds } from "./recommendations.server";
import { lockShop } from "./store.server";

const SQLITE_ROWS_PER_STATEMENT = 200;
const POSTGRES_ROWS_PER_STATEMENT = 5_000;

/** Counted purchases (not cancelled, not test), one row per order line with a product. */
function purchasesQuery(shop: string, customerIds?: readonly string[]): SqlQuery {
  const only = customerIds ? sql` AND ${sqlIn(`o."customerId"`, customerIds)}` : raw("");
  return sql`SELECT o."customerId" AS "customerId", o."id" AS "orderId", l."productId" AS "productId", o."processedAt" AS "at"
    FROM "Order" o JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."id"
    WHERE o."shop" = ${shop} AND o."cancelledAt" IS NULL AND o."test" = false AND l."productId" IS NOT NULL${only}`;
}

const purchaseRow = decoder({ customerId: nullable(text), orderId: text, productId: text, at: date });

export type RefreshResult = {
  model: string;
  items: number;
  lists: number;
  customers: number;
  ms: number;
  /** Where the time went: reading purchases, products and segments; computing; replacing the lists. */
  phases: { readMs: number; computeMs: number; writeMs: number };
};

export async function refreshRecommendations(
  db: Executor,
  { shop, now, config }: { shop: string; now: Date; config?: ModelConfig },
): Promise<RefreshResult> {
  const started = performance.now();
  // Orders stored from here on may be missing from what is read: their customers are re-scored after
  // the replacement (below), in the same transaction.
  const readFrom = new Date();
  // Raw rows (a million at 100k customers): read straight, without a decoded copy of each.
  const rows = await db.all(purchasesQuery(shop));
  const buyer = new Array<string>(rows.length);
  const product = new Array<string>(rows.length);
  const at = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!;
    buyer[k] = row.customerId === null ? `order:${String(row.orderId)}` : String(row.customerId);
    product[k] = String(row.productId);
    const time = row.at;
    at[k] = time instanceof Date ? time.getTime() : Number(time);
  }
  const active = new Set(
    (
      await db.all(
        sql`SELECT "id" FROM "Product" WHERE "shop" = ${shop} AND "status" = 'ACTIVE'`,
        decoder({ id: text }),
      )
    ).map((r) => r.id),
  );
  const segmentsOf = new Map<string, number[]>();
  for (const c of await db.all(
    sql`SELECT "id", "segmentIds" FROM "Customer" WHERE "shop" = ${shop} AND "segmentIds" <> ','`,
    decoder({ id: text, segmentIds: text }),
  )) {
    segmentsOf.set(c.id, splitIds(c.segmentIds).map(Number));
  }
  const read = performance.now();
  const computed = computeShopLists({
    purchases: { buyer, product, at },
    active,
    segmentsOf,
    now: now.getTime(),
    config,
  });
  const compute = performance.now();
  await db.transaction(async (tx) => {
    // Serialised with the webhook processor's writes of this shop (PostgreSQL; SQLite's write
    // transaction already is).
    await lockShop(tx, shop);
    // A shop/redact applied while the lists were computed: nothing of the shop is written back.
    const [still] = await tx.all(sql`SELECT 1 AS x FROM "Shop" WHERE "domain" = ${shop}`);
    if (!still) return;
    await tx.run(sql`DELETE FROM "RecommendationList" WHERE "shop" = ${shop}`);
    await insertLists(tx, shop, computed.lists, now);
    // Nor the list of a customer erased meanwhile (it holds what they bought).
    await tx.run(
      sql`DELETE FROM "RecommendationList" WHERE "shop" = ${shop} AND "kind" = 'customer'
         AND NOT EXISTS (SELECT 1 FROM "Customer" c WHERE c."shop" = ${shop} AND c."id" = "RecommendationList"."key")`,
    );
    const late = await tx.all(
      sql`SELECT DISTINCT "customerId" FROM "Order" WHERE "shop" = ${shop} AND "syncedAt" >= ${readFrom} AND "customerId" IS NOT NULL`,
      decoder({ customerId: text }),
    );
    await updateCustomerRecommendations(tx, { shop, customerIds: late.map((r) => r.customerId), now });
  });
  const end = performance.now();
  return {
    phases: { readMs: read - started, computeMs: compute - read, writeMs: end - compute },
    model: computed.model,
    items: computed.items,
    lists: computed.lists.length,
    customers: computed.lists.filter((l) => l.kind === "customer").length,
    ms: end - started,
  };
}

const joinIds = (ids: readonly string[] | undefined) => (ids ? ids.join(",") : null);
const joinScores = (scores: readonly number[] | undefined) => (scores ? scores.join(",") : null);

async function insertLists(tx: Executor, shop: string, lists: readonly StoredList[], now: Date): Promise<void> {
  const size = tx.dialect === "sqlite" ? SQLITE_ROWS_PER_STATEMENT : POSTGRES_ROWS_PER_STATEMENT;
  const into = sql`INSERT INTO "RecommendationList" ("shop", "kind", "key", "productIds", "scores", "excludeIds", "computedAt")`;
  const conflict = sql`ON CONFLICT ("shop", "kind", "key") DO UPDATE SET "productIds" = excluded."productIds",
    "scores" = excluded."scores", "excludeIds" = excluded."excludeIds", "computedAt" = excluded."computedAt"`;
  for (let i = 0; i < lists.length; i += size) {
    const batch = lists.slice(i, i + size);
    if (tx.dialect === "sqlite") {
      const values = batch.map(
        (l) =>
          sql`(${join([shop, l.kind, l.key, l.productIds.join(","), joinScores(l.scores), joinIds(l.excludeIds), now])})`,
      );
      await tx.run(sql`${into} VALUES ${join(values)} ${conflict}`);
    } else {
      const column = (get: (l: StoredList) => unknown) => batch.map(get);
      await tx.run(
        sql`${into} SELECT ${shop}::text, u.*, ${now}::timestamp FROM unnest(${column((l) => l.kind)}::text[],
          ${column((l) => l.key)}::text[], ${column((l) => l.productIds.join(","))}::text[],
          ${column((l) => joinScores(l.scores))}::text[], ${column((l) => joinIds(l.excludeIds))}::text[]) AS u WHERE true ${conflict}`,
      );
    }
  }
}

const storedRow = decoder({ kind: text, key: text, productIds: text, scores: nullable(text) });
const numbers = (value: string | null) => (value ? value.split(",").map(Number) : []);

/**
 * Re-scores the personal lists of these customers from the stored model (after an order of theirs was
 * applied). Nothing happens for a shop never refreshed: its storefront serves the fallbacks until then.
 */
export async function updateCustomerRecommendations(
  tx: Executor,
  { shop, customerIds, now }: { shop: string; customerIds: readonly string[]; now: Date },
): Promise<number> {
  if (customerIds.length === 0) return 0;
  const shopRows = await tx.all(
    sql`SELECT "kind", "key", "productIds", "scores" FROM "RecommendationList"
        WHERE "shop" = ${shop} AND "kind" = 'shop' AND "key" IN ('popular', 'model')`,
    storedRow,
  );
  const popularRow = shopRows.find((r) => r.key === "popular");
  const modelRow = shopRows.find((r) => r.key === "model");
  if (!popularRow || !modelRow) return 0;
  const bought = new Map<string, Set<string>>(customerIds.map((id) => [id, new Set<string>()]));
  for (const row of await tx.all(purchasesQuery(shop, customerIds), purchaseRow)) {
    if (row.customerId) bought.get(row.customerId)?.add(row.productId);
  }
  const products = [...new Set([...bought.values()].flatMap((s) => [...s]))];
  const rows = new Map<string, { ids: string[]; weights: number[] }>();
  for (let i = 0; i < products.length; i += 500) {
    for (const row of await tx.all(
      sql`SELECT "kind", "key", "productIds", "scores" FROM "RecommendationList"
          WHERE "shop" = ${shop} AND "kind" = 'product' AND ${sqlIn(`"key"`, products.slice(i, i + 500))}`,
      storedRow,
    ))
      rows.set(row.key, { ids: splitIds(row.productIds), weights: numbers(row.scores) });
  }
  const model: StoredModel = {
    rows,
    popular: { ids: splitIds(popularRow.productIds), counts: numbers(popularRow.scores) },
    gamma: numbers(modelRow.scores)[0] ?? 0,
  };
  const lists: StoredList[] = [];
  const none: string[] = [];
  for (const [customerId, items] of bought) {
    if (items.size === 0) {
      none.push(customerId);
      continue;
    }
    const history = [...items].sort(compareIds);
    lists.push({
      kind: "customer",
      key: customerId,
      productIds: personalFromStored(model, history),
      excludeIds: history,
    });
  }
  // Every order of theirs cancelled or deleted: no personal list (the fallbacks serve them).
  if (none.length > 0) {
    await tx.run(
      sql`DELETE FROM "RecommendationList" WHERE "shop" = ${shop} AND "kind" = 'customer' AND ${sqlIn(`"key"`, none)}`,
    );
  }
  await insertLists(tx, shop, lists, now);
  return lists.length;
}
