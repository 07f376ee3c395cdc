// The app proxy's door (docs/decisions/021-storefront-personalization.md; contracts.md §1): every
// /proxy/* request is checked before anything is read from it.
// - Shopify's `authenticate.public.appProxy` checks the signature (400 when missing or wrong, and when
//   the timestamp is more than 90 s away). Two gaps of its own are closed first: a request without a
//   timestamp would pass it (NaN is not "more than 90 s away"), and it reads the query through
//   Object.fromEntries, so of a repeated key it signs only the last value, while Shopify signs them all
//   joined with ",". Such a request is refused (400) rather than half-verified; the blocks never send
//   one.
// - The shop must be installed (the webhook path's in-memory set, app/sync/installed-shops.ts): an
//   unknown or uninstalled shop gets 403, as its webhooks do.
// - The block's own parameters are read leniently (junk is "absent"), Shopify's strictly.
import { authenticate } from "~/shopify.server";
import { isShopDomain } from "~/domain/shop-domain";
import { parseClientId, parseCountry, parseLimit, parseNumericId, parseVisitorId } from "~/domain/personalize";
import type { VisitorQuery } from "~/models/campaigns/decide.server";
import { installedShops } from "~/sync/installed-shops.server";

export type ProxyContext = {
  query: VisitorQuery;
  productId: string | null;
  limit: number;
  format: "json" | "liquid";
  liquid: (body: string, init?: { layout?: boolean; headers?: HeadersInit; status?: number }) => Response;
};

export const json = (body: unknown, status: number, headers: HeadersInit = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });

const refuse = (status: number, error: string) => json({ error }, status);

/** Why the query cannot be verified before Shopify's check runs, or null. */
export function queryRefusal(params: URLSearchParams, nowMs: number): string | null {
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) return `repeated query parameter "${key}": the proxy accepts each parameter once`;
    seen.add(key);
  }
  if (!params.get("signature")) return "missing signature";
  const shop = params.get("shop") ?? "";
  if (!isShopDomain(shop)) return "missing or invalid shop";
  const timestamp = params.get("timestamp") ?? "";
  if (!/^\d{1,12}$/.test(timestamp)) return "missing or invalid timestamp";
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > 90) return "stale timestamp (more than 90 s away)";
  if (!params.has("logged_in_customer_id")) return "missing logged_in_customer_id";
  return null;
}

export async function proxyContext(request: Request, now: Date): Promise<ProxyContext> {
  if (request.method !== "GET" && request.method !== "HEAD") throw refuse(405, "GET only");
  const url = new URL(request.url);
  const params = url.searchParams;
  const refusal = queryRefusal(params, now.getTime());
  if (refusal) throw refuse(400, refusal);
  let liquid: ProxyContext["liquid"];
  try {
    ({ liquid } = await authenticate.public.appProxy(request));
  } catch (error) {
    if (error instanceof Response) throw refuse(error.status === 400 ? 401 : error.status, "invalid signature");
    throw error;
  }
  const shop = params.get("shop")!;
  const standing = await installedShops().standing(shop, (s) => s === "installed");
  if (standing !== "installed") throw refuse(403, "shop not installed");
  return {
    query: {
      shop,
      loggedInCustomerId: parseNumericId(params.get("logged_in_customer_id")),
      country: parseCountry(params.get("country")),
      visitorId: parseVisitorId(params.get("vid")),
      newVisitor: params.get("new") === "1",
      clientId: parseClientId(params.get("cid")),
      now,
    },
    productId: parseNumericId(params.get("product_id")),
    limit: parseLimit(params.get("limit")),
    format: params.get("format") === "liquid" ? "liquid" : "json",
    liquid,
  };
}

/**
 * Personalized answers (a logged-in customer's, or one that read the visit's browsing, which changes
 * from one page to the next) are never stored by anyone; anonymous ones may be, briefly (their URL
 * holds everything they depend on).
 */
export function cacheControl(personal: boolean): string {
  return personal ? "private, no-store" : "public, max-age=30";
}
