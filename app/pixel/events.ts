// What the Web Pixel sends (extensions/tailored-pixel/src/pixel.ts `WireBatch`), validated at the
// ingest, and what of it is stored. Pure: shared by the ingest, its tests and the bench.
//
// Objects are strict: a field the pixel does not send (an e-mail, a URL, a user agent) makes the batch
// malformed rather than being dropped quietly, so a pixel that starts sending more is noticed.
import { z } from "zod";
import { currencyExponent } from "~/domain/money";
import { isShopDomain } from "~/domain/shop-domain";

export const PIXEL_EVENT_NAMES = [
  "page_viewed",
  "product_viewed",
  "collection_viewed",
  "search_submitted",
  "product_added_to_cart",
  "product_removed_from_cart",
  "checkout_started",
  "checkout_completed",
] as const;

export type PixelEventName = (typeof PIXEL_EVENT_NAMES)[number];

/** At most this many events in one batch, and this many bytes in its body. */
export const MAX_BATCH_EVENTS = 100;
export const MAX_PIXEL_BYTES = 64 * 1024;
/** Search queries are kept to this many characters. */
export const QUERY_MAX = 100;
/** An event's time may be at most this far ahead of the server's clock (skewed browsers). */
export const MAX_FUTURE_MS = 10 * 60_000;

const shopifyId = z.string().regex(/^\d{1,20}$/, "a numeric Shopify id");
const shortText = z.string().min(1).max(255);

export const wireEventSchema = z.strictObject({
  id: z.string().min(1).max(100),
  name: z.enum(PIXEL_EVENT_NAMES),
  timestamp: z.iso.datetime({ offset: true }),
  clientId: z.string().min(1).max(100),
  sessionId: z.string().min(1).max(64).optional(),
  customerId: shopifyId.optional(),
  productId: shopifyId.optional(),
  variantId: shopifyId.optional(),
  collectionId: shopifyId.optional(),
  productType: shortText.optional(),
  vendor: shortText.optional(),
  // Longer queries are cut, not refused: what a shopper types is not the pixel's fault.
  query: z.string().max(1000).optional(),
  value: z
    .strictObject({
      amount: z.number().nonnegative().max(1e12),
      currencyCode: z.string().regex(/^[A-Z]{3}$/),
    })
    .optional(),
});

export const wireBatchSchema = z.strictObject({
  shop: z.string().refine(isShopDomain, "a myshopify.com domain"),
  key: z.string().min(16).max(128),
  events: z.array(wireEventSchema).min(1).max(MAX_BATCH_EVENTS),
});

export type WireBatch = z.infer<typeof wireBatchSchema>;
export type WireEvent = z.infer<typeof wireEventSchema>;

/** A stored event (PixelEvent): only what segments read. */
export type PixelEventRow = {
  shop: string;
  eventId: string;
  name: PixelEventName;
  at: Date;
  clientId: string;
  sessionId: string | null;
  customerId: string | null;
  productId: string | null;
  variantId: string | null;
  collectionId: string | null;
  productType: string | null;
  vendor: string | null;
  query: string | null;
  valueMinor: bigint | null;
  currencyCode: string | null;
};

/** The value in minor units of its currency, rounded half up (a float from the browser). */
function minor(amount: number, currencyCode: string): bigint {
  const exponent = currencyExponent(currencyCode);
  return BigInt(Math.round(amount * 10 ** exponent));
}

/**
 * The rows a valid batch stores, or the reason it is refused. An event dated more than ten minutes
 * ahead of `now` is refused (with the batch: the pixel sends its own clock's times unchanged, so one
 * such event means the batch's times cannot be trusted).
 */
export function rowsFromBatch(batch: WireBatch, now: Date): PixelEventRow[] | { error: string } {
  const rows: PixelEventRow[] = [];
  const seen = new Set<string>();
  for (const event of batch.events) {
    const at = new Date(event.timestamp);
    if (at.getTime() > now.getTime() + MAX_FUTURE_MS) return { error: `event ${event.id} is dated in the future` };
    // A batch naming one event twice stores it once (the table's key would refuse the second).
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const query = event.query?.trim().slice(0, QUERY_MAX).toLowerCase() || null;
    rows.push({
      shop: batch.shop,
      eventId: event.id,
      name: event.name,
      at,
      clientId: event.clientId,
      sessionId: event.sessionId ?? null,
      customerId: event.customerId ?? null,
      productId: event.productId ?? null,
      variantId: event.variantId ?? null,
      collectionId: event.collectionId ?? null,
      productType: event.productType ?? null,
      vendor: event.vendor ?? null,
      query: event.name === "search_submitted" ? query : null,
      valueMinor: event.value ? minor(event.value.amount, event.value.currencyCode) : null,
      currencyCode: event.value?.currencyCode ?? null,
    });
  }
  return rows;
}
