import { describe, expect, it } from "vitest";
import { proxySignature, signedProxyQuery } from "./proxy-signing";

describe("app proxy signature (Shopify's documented test vectors, contracts.md §1)", () => {
  const base =
    "extra=1&extra=2&path_prefix=%2Fapps%2Fawesome_reviews&shop=shop-name.myshopify.com&timestamp=1317327555";
  it("signs a logged-in customer's request", () => {
    expect(proxySignature(new URLSearchParams(`${base}&logged_in_customer_id=1`), "hush")).toBe(
      "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb",
    );
  });
  it("signs an anonymous request (empty logged_in_customer_id, still present)", () => {
    expect(proxySignature(new URLSearchParams(`${base}&logged_in_customer_id=`), "hush")).toBe(
      "e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb",
    );
  });
  it("adds Shopify's parameters and replaces any the visitor sent", () => {
    const q = signedProxyQuery(
      { country: "CA", shop: "evil.myshopify.com", logged_in_customer_id: "666" },
      { shop: "a.myshopify.com", customerId: null, secret: "s", now: new Date(1_700_000_000_000) },
    );
    expect(q.getAll("shop")).toEqual(["a.myshopify.com"]);
    expect(q.get("logged_in_customer_id")).toBe("");
    expect(q.get("timestamp")).toBe("1700000000");
    expect(q.get("signature")).toBe(proxySignature(q, "s"));
  });
});
