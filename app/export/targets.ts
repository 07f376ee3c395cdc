// Where a segment can be sent, and which of those are email tools with API keys of their own. Pure:
// shared by the server modules and the pages.
export const TARGETS = ["klaviyo", "mailchimp", "shopify-tags"] as const;
export type Target = (typeof TARGETS)[number];
export const isTarget = (value: unknown): value is Target => TARGETS.includes(value as Target);

export const SERVICES = ["klaviyo", "mailchimp"] as const;
export type Service = (typeof SERVICES)[number];
export const isService = (value: unknown): value is Service => SERVICES.includes(value as Service);
