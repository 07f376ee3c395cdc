// Where a segment can be sent, and which of those are email tools with API keys of their own. Pure:
// shared by the server modules and the pages.
export const TARGETS = ["klaviyo", "mailchimp", "shopify-tags", "shopify-metafield"] as const;
export type Target = (typeof TARGETS)[number];
export const isTarget = (value: unknown): value is Target => TARGETS.includes(value as Target);

/** Written to the shop itself (Admin GraphQL with the shop's session), no API key of its own. */
export const isShopifyTarget = (target: Target) => target === "shopify-tags" || target === "shopify-metafield";

export const TARGET_LABEL: Record<Target, string> = {
  klaviyo: "Klaviyo",
  mailchimp: "Mailchimp",
  "shopify-tags": "Shopify customer tag",
  "shopify-metafield": "Shopify customer metafield",
};

export const SERVICES = ["klaviyo", "mailchimp"] as const;
export type Service = (typeof SERVICES)[number];
export const isService = (value: unknown): value is Service => SERVICES.includes(value as Service);
