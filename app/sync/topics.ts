// The webhook topics Tailored subscribes to (shopify.app.toml), each with its route
// app/routes/webhooks.<topic with / as .>.tsx, served at /webhooks/<topic with . as />. Pure, so tests
// and the UI can read it.

export const TOPICS = [
  "customers/create",
  "customers/update",
  "customers/delete",
  // Since API 2025-01 customers/* payloads carry neither tags nor marketing consent: these do.
  "customer.tags_added",
  "customer.tags_removed",
  "customers_email_marketing_consent/update",
  "customers_marketing_consent/update",
  "orders/create",
  "orders/updated",
  "orders/paid",
  "orders/cancelled",
  "orders/delete",
  "products/create",
  "products/update",
  "products/delete",
  "app/uninstalled",
  "app/scopes_update",
  "bulk_operations/finish",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;

export type Topic = (typeof TOPICS)[number];

/** The topics that carry a whole order: one mapper, and applied by one upsert however many arrive together. */
export const ORDER_UPSERT_TOPICS: ReadonlySet<string> = new Set([
  "orders/create",
  "orders/updated",
  "orders/paid",
  "orders/cancelled",
]);

export function isTopic(value: string): value is Topic {
  return (TOPICS as readonly string[]).includes(value);
}

/** The topic a webhook URL path names: "customer/tags_added" (from /webhooks/customer/tags_added) or the topic itself. */
export function topicFromPath(path: string): Topic | null {
  if (isTopic(path)) return path;
  return TOPICS.find((topic) => topic.replace(".", "/") === path) ?? null;
}
