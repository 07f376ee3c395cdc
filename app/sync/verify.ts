// Verifying a webhook delivery as Shopify documents it: X-Shopify-Hmac-Sha256 is the base64
// HMAC-SHA256 of the raw body under the app's secret. Shopify's library does the same inside
// authenticate.webhook, but also loads the shop's offline session from the database and rebuilds
// every header for each delivery; on the ingest path that costs more than everything else together
// (docs/decisions/003-webhook-ingest.md), and receipt needs neither.
import { createHmac, timingSafeEqual } from "node:crypto";
import { SHOP_DOMAIN } from "~/domain/shop-domain";

export type VerifiedDelivery = {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
};

export type VerifyResult = { ok: true; delivery: VerifiedDelivery } | { ok: false; status: 400 | 401; reason: string };

/** What verification reads: a Fetch `Headers`, or the server's thin view of Node's header object. */
export type HeaderSource = { get(name: string): string | null };

export function verifyWebhook(headers: HeaderSource, rawBody: Buffer, secrets: readonly string[]): VerifyResult {
  const hmac = headers.get("x-shopify-hmac-sha256");
  const topic = headers.get("x-shopify-topic");
  const shop = headers.get("x-shopify-shop-domain");
  const webhookId = headers.get("x-shopify-webhook-id");
  const missing = [
    ["X-Shopify-Hmac-Sha256", hmac],
    ["X-Shopify-Topic", topic],
    ["X-Shopify-Shop-Domain", shop],
    ["X-Shopify-Webhook-Id", webhookId],
  ].filter(([, value]) => !value);
  if (missing.length > 0)
    return { ok: false, status: 400, reason: `missing ${missing.map(([name]) => name).join(", ")}` };

  const given = Buffer.from(hmac!, "base64");
  // Shopify signs with the app's current secret; during a rotation the old one may still sign.
  const valid = secrets.some((secret) => {
    const expected = createHmac("sha256", secret).update(rawBody).digest();
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) return { ok: false, status: 401, reason: "invalid HMAC" };
  if (!SHOP_DOMAIN.test(shop!)) return { ok: false, status: 400, reason: "X-Shopify-Shop-Domain is not a shop" };

  const triggered = headers.get("x-shopify-triggered-at");
  const triggeredAt = triggered ? new Date(triggered) : null;
  return {
    ok: true,
    delivery: {
      shop: shop!,
      topic: topic!,
      webhookId: webhookId!,
      eventId: headers.get("x-shopify-event-id"),
      apiVersion: headers.get("x-shopify-api-version"),
      triggeredAt: triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null,
    },
  };
}
