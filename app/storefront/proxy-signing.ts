// Signing an app proxy request exactly as Shopify does (contracts.md §1): every parameter but
// `signature`, as key=value with a repeated key's values joined by ",", sorted, concatenated with no
// separator, HMAC-SHA256 under the app's secret, lowercase hex. The proxy's door checks requests with
// it (proxySignatureValid); the demo storefront (which plays Shopify's part on this machine), the
// tests and the benchmark sign with it.
import { createHmac, timingSafeEqual } from "node:crypto";

export function proxySignature(params: URLSearchParams, secret: string): string {
  const values = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  const message = [...values.entries()]
    .map(([key, list]) => `${key}=${list.join(",")}`)
    .sort()
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

/** Whether `params` carries a signature one of `secrets` made (compared in constant time). */
export function proxySignatureValid(params: URLSearchParams, secrets: readonly string[]): boolean {
  const given = Buffer.from(params.get("signature") ?? "", "utf8");
  return secrets.some((secret) => {
    const expected = Buffer.from(proxySignature(params, secret), "utf8");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * The query Shopify forwards for a storefront request to /apps/<prefix>/<path>?<query>: the visitor's
 * own parameters, then shop, logged_in_customer_id ("" when nobody is logged in), path_prefix,
 * timestamp and signature.
 */
export function signedProxyQuery(
  query: URLSearchParams | Record<string, string>,
  {
    shop,
    customerId,
    secret,
    now,
    pathPrefix = "/apps/tailored",
  }: { shop: string; customerId: string | null; secret: string; now: Date; pathPrefix?: string },
): URLSearchParams {
  const params = new URLSearchParams(query);
  for (const key of ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]) params.delete(key);
  params.set("shop", shop);
  params.set("logged_in_customer_id", customerId ?? "");
  params.set("path_prefix", pathPrefix);
  params.set("timestamp", String(Math.floor(now.getTime() / 1000)));
  params.set("signature", proxySignature(params, secret));
  return params;
}
