// Serving recommendations: the storefront's products for a visitor, read from the precomputed lists
// (RecommendationList; computed by recommendations-refresh.server.ts) and blended in memory
// (app/domain/recommend/blend.ts). Two indexed reads per request, three when the lists are too thin
// (a new shop): nothing heavy runs here (docs/decisions/020-recommendations.md).
import type { Executor } from "~/db/database.server";
import { date, decoder, nullable, bigint, sql, sqlIn, text, join } from "~/db/sql";
import { blend, compareIds } from "~/domain/recommend/blend";

export const MAX_RECOMMENDATIONS = 24;
/** Shop-wide lists older than this are not blended in (a refresh that stopped running). */
const TRENDING_MAX_AGE_MS = 3 * 24 * 60 * 60_000;

export type RecommendedProduct = {
  id: string;
  handle: string;
  title: string;
  imageUrl: string | null;
  priceMinor: bigint | null;
};

export type RecommendationRequest = {
  shop: string;
  /** Our Customer.id (Shopify's numeric id); null: an anonymous visitor. */
  customerId: string | null;
  /** The product the page shows ("bought together"), or null. */
  productId: string | null;
  /** The customer's segments (the storefront knows them already). */
  segmentIds: readonly number[];
  /** 1..24 */
  limit: number;
  now: Date;
};

const listRow = decoder({ kind: text, key: text, productIds: text, excludeIds: nullable(text), computedAt: date });
const productRow = decoder({
  id: text,
  handle: text,
  title: text,
  imageUrl: nullable(text),
  priceMinor: nullable(bigint),
});

export const splitIds = (value: string | null): string[] => (value ? value.split(",").filter((s) => s !== "") : []);

/**
 * Products to show, best first: never empty while the shop has an ACTIVE product; never one that is
 * not ACTIVE; never what the customer bought (unless they have bought every active product), never the
 * page's own product. A RangeError for a limit outside 1..24 (the route validates first).
 */
export async function recommendedProducts(db: Executor, args: RecommendationRequest): Promise<RecommendedProduct[]> {
  const { shop, customerId, productId, limit, now } = args;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECOMMENDATIONS) {
    throw new RangeError(`limit must be a whole number from 1 to ${MAX_RECOMMENDATIONS}, got ${limit}`);
  }
  const segmentKeys = [...new Set(args.segmentIds.filter((n) => Number.isSafeInteger(n)).map(String))];
  // One indexed lookup per kind, glued with UNION ALL: an OR of them made SQLite scan the shop's rows
  // (34 ms at 100k customers instead of well under 1).
  const columns = sql`SELECT "kind", "key", "productIds", "excludeIds", "computedAt" FROM "RecommendationList"`;
  const wanted = [sql`${columns} WHERE "shop" = ${shop} AND "kind" = 'shop' AND "key" IN ('trending', 'popular')`];
  if (customerId) wanted.push(sql`${columns} WHERE "shop" = ${shop} AND "kind" = 'customer' AND "key" = ${customerId}`);
  if (productId) wanted.push(sql`${columns} WHERE "shop" = ${shop} AND "kind" = 'product' AND "key" = ${productId}`);
  if (segmentKeys.length > 0) {
    wanted.push(sql`${columns} WHERE "shop" = ${shop} AND "kind" = 'segment' AND ${sqlIn(`"key"`, segmentKeys)}`);
  }
  const rows = await db.all(join(wanted, " UNION ALL "), listRow);
  const lists = {
    personal: [] as string[],
    boughtTogether: [] as string[],
    trending: [] as string[],
    popular: [] as string[],
  };
  const segments = new Map<string, string[]>();
  let exclude: string[] = [];
  for (const row of rows) {
    const ids = splitIds(row.productIds);
    if (row.kind === "customer") {
      lists.personal = ids;
      exclude = splitIds(row.excludeIds);
    } else if (row.kind === "product") lists.boughtTogether = ids;
    else if (row.kind === "segment") segments.set(row.key, ids);
    else if (row.key === "popular") lists.popular = ids;
    else if (
      row.key === "trending" &&
      row.computedAt &&
      now.getTime() - row.computedAt.getTime() <= TRENDING_MAX_AGE_MS
    )
      lists.trending = ids;
  }
  const segmentLists = segmentKeys.map((key) => segments.get(key) ?? []);

  const candidates = new Set<string>([
    ...lists.personal,
    ...lists.boughtTogether,
    ...segmentLists.flat(),
    ...lists.trending,
    ...lists.popular,
  ]);
  const products = new Map<string, RecommendedProduct>();
  if (candidates.size > 0) {
    for (const p of await db.all(
      sql`SELECT "id", "handle", "title", "imageUrl", "priceMinor" FROM "Product"
          WHERE "shop" = ${shop} AND "status" = 'ACTIVE' AND ${sqlIn(`"id"`, [...candidates])}`,
      productRow,
    ))
      products.set(p.id, p);
  }
  const excluded = new Set(exclude);
  const input = { ...lists, segments: segmentLists, exclude: excluded, productId, limit };
  let ids = blend({ ...input, isActive: (id) => products.has(id) });
  if (ids.length < limit) {
    // The lists are missing (a shop never refreshed) or hold too few active products the customer has
    // not bought: any active products, in id order, enough to fill the block past what is excluded.
    const more = await db.all(
      sql`SELECT "id", "handle", "title", "imageUrl", "priceMinor" FROM "Product"
          WHERE "shop" = ${shop} AND "status" = 'ACTIVE'
          ORDER BY LENGTH("id"), "id" LIMIT ${limit + excluded.size + ids.length + 1}`,
      productRow,
    );
    for (const p of more) products.set(p.id, p);
    const fallback = more.map((p) => p.id).sort(compareIds);
    ids = blend({ ...input, fallback, isActive: (id) => products.has(id) });
  }
  return ids.map((id) => products.get(id)!);
}
