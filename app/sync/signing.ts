// How Shopify signs a webhook delivery, for the replayer and the tests: X-Shopify-Hmac-Sha256 is the
// base64 HMAC-SHA256 of the raw body with the app's secret, beside the other X-Shopify-* headers.
import { createHmac } from "node:crypto";

export function webhookHmac(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export type Delivery = {
  topic: string;
  shop: string;
  body: string;
  eventId: string;
  webhookId: string;
  apiVersion?: string;
  triggeredAt?: Date;
};

export function webhookHeaders(delivery: Delivery, secret: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-shopify-topic": delivery.topic,
    "x-shopify-shop-domain": delivery.shop,
    "x-shopify-hmac-sha256": webhookHmac(delivery.body, secret),
    "x-shopify-webhook-id": delivery.webhookId,
    "x-shopify-event-id": delivery.eventId,
    "x-shopify-api-version": delivery.apiVersion ?? "2025-07",
    "x-shopify-triggered-at": (delivery.triggeredAt ?? new Date()).toISOString(),
  };
}
