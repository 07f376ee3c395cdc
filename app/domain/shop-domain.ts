// A shop's permanent domain, as Shopify names shops in webhooks, OAuth and the Admin API: one place for
// the pattern, since a domain that passes it ends up in a URL that an access token is sent to.
export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export function isShopDomain(value: string): boolean {
  return SHOP_DOMAIN.test(value);
}
