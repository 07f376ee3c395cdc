// The app's client secret, with which Shopify signs webhooks and app proxy requests:
// SHOPIFY_API_SECRET, and during a secret rotation the previous one (SHOPIFY_API_SECRET_PREVIOUS),
// which both checks accept until it is removed.
export function appSecrets(): string[] {
  return [process.env.SHOPIFY_API_SECRET, process.env.SHOPIFY_API_SECRET_PREVIOUS].filter((s): s is string => !!s);
}
