// The current visit's interest of a storefront visitor, from the Web Pixel's events (app/pixel): the
// product types they viewed, read by the visitor's clientId (the pixel's, which the pixel leaves in a
// first-party cookie after analytics consent and the blocks pass on as `cid`;
// docs/decisions/026-visit-interest-and-pixel-trust.md). Only product_viewed events of that clientId,
// of the last few hours, on the (shop, clientId) index; the visit itself is cut in app/domain/personalize.ts.
import type { Executor } from "~/db/database.server";
import { date, decoder, nullable, sql, sqlIn, text } from "~/db/sql";
import { visitInterest, VISIT_GAP_MS } from "~/domain/personalize";

/** Views read at most (a visit of more is interested enough). */
const MAX_VIEWS = 200;
/** How far back events are read: a visit longer than this counts its last hours only. */
const LOOKBACK_MS = 6 * 60 * 60_000;

export async function visitInterestOf(
  db: Executor,
  { shop, clientId, now }: { shop: string; clientId: string; now: Date },
): Promise<Map<string, number>> {
  const since = new Date(now.getTime() - LOOKBACK_MS);
  const until = new Date(now.getTime() + VISIT_GAP_MS);
  const views = await db.all(
    sql`SELECT "productType", "at" FROM "PixelEvent"
        WHERE "shop" = ${shop} AND "clientId" = ${clientId} AND "name" = 'product_viewed'
          AND "at" >= ${since} AND "at" < ${until}
        ORDER BY "at" DESC LIMIT ${MAX_VIEWS}`,
    decoder({ productType: nullable(text), at: date }),
  );
  return visitInterest(
    views.map((v) => ({ productType: v.productType, at: v.at! })),
    now,
  );
}

/** The product types of these products (recommendations are re-ranked by them). */
export async function productTypesOf(
  db: Executor,
  { shop, productIds }: { shop: string; productIds: readonly string[] },
): Promise<Map<string, string | null>> {
  if (productIds.length === 0) return new Map();
  const rows = await db.all(
    sql`SELECT "id", "productType" FROM "Product" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, [...productIds])}`,
    decoder({ id: text, productType: nullable(text) }),
  );
  return new Map(rows.map((r) => [r.id, r.productType]));
}
