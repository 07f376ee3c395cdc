// The app proxy's door (docs/decisions/021-storefront-personalization.md; contracts.md §1): every
// /proxy/* request is checked before anything is read from it.
// - The signature is checked as Shopify makes it (proxy-signing.ts: every parameter but `signature`,
//   a repeated key's values joined by ","), under the app's secret or, during a rotation, the previous
//   one: 400 when the signature, shop or timestamp is missing or the timestamp more than 90 s away,
//   401 when the signature is wrong. A repeated parameter is refused (400) rather than verified: the
//   blocks never send one. (Shopify's `authenticate.public.appProxy` did this check until 2026-12-02;
//   it also read the shop's offline session, which no answer uses, and logged a line per request: a
//   third of an answer's CPU. Decision 021, amended.)
// - The shop must be installed (the webhook path's in-memory set, app/sync/installed-shops.ts): an
//   unknown or uninstalled shop gets 403, as its webhooks do.
// - The block's own parameters are read leniently (junk is "absent"), Shopify's strictly.
import { appSecrets } from "~/app-secrets.server";
import { isShopDomain } from "~/domain/shop-domain";
import { parseClientId, parseCountry, parseLimit, parseNumericId, parseVisitorId } from "~/domain/personalize";
import type { VisitorQuery } from "~/models/campaigns/decide.server";
import { installedShops } from "~/sync/installed-shops.server";
import { proxySignatureValid } from "./proxy-signing";

export type ProxyContext = {
  query: VisitorQuery;
  productId: string | null;
  limit: number;
  format: "json" | "liquid";
  liquid: (body: string, init?: { layout?: boolean; headers?: HeadersInit; status?: number }) => Response;
};

/**
 * An `application/liquid` answer, which Shopify renders in the shop's theme; `layout: false` renders
 * it alone (`{% layout none %}`). The body's own braces are made inert by its writer (fragments.ts).
 */
export function liquidResponse(
  body: string,
  { layout = true, headers, status = 200 }: { layout?: boolean; headers?: HeadersInit; status?: number } = {},
): Response {
  const all = new Headers(headers);
  all.set("Content-Type", "application/liquid");
  return new Response(layout ? body : `{% layout none %} ${body}`, { status, headers: all });
}

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
  if (!proxySignatureValid(params, appSecrets())) throw refuse(401, "invalid signature");
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
    liquid: liquidResponse,
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
