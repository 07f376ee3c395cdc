import { afterEach, describe, expect, it } from "vitest";
import { AdminApiError, AdminClient, adminOriginFromEnv } from "~/sync/admin-client.server";
import { startFakeShopify, type FakeShopify, type FakeShopifyOptions } from "../helpers/fake-shopify";

const SHOP = "tailored-test.myshopify.com";
const TOKEN = "shpat_test_token";
const SHOP_QUERY = "query { shop { name currencyCode ianaTimezone } }";
type ShopData = { shop: { name: string; currencyCode: string; ianaTimezone: string } };

let fake: FakeShopify | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function start(options: Partial<FakeShopifyOptions> = {}): Promise<FakeShopify> {
  fake = await startFakeShopify({
    shop: SHOP,
    accessToken: TOKEN,
    shopInfo: { name: "Tailored Test", currencyCode: "EUR", ianaTimezone: "Europe/Paris" },
    ...options,
  });
  return fake;
}

/** A sleep that waits for nothing but moves a virtual clock the fake's bucket can read. */
function virtualTime() {
  const clock = { t: 0, waits: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.t += ms;
    },
  };
}

describe("AdminClient", () => {
  it("returns data and remembers the throttle status", async () => {
    const shopify = await start();
    const client = new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin });
    expect(client.lastThrottle).toBeNull();
    const data = await client.request<ShopData>(SHOP_QUERY);
    expect(data).toEqual({ shop: { name: "Tailored Test", currencyCode: "EUR", ianaTimezone: "Europe/Paris" } });
    expect(client.lastThrottle).toEqual({ maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 });
    expect(shopify.requests).toMatchObject([{ operation: "shop", status: 200 }]);
  });

  it("waits (requested - available) / restoreRate seconds when throttled, then succeeds", async () => {
    const time = virtualTime();
    const shopify = await start({ throttle: { maximumAvailable: 50, restoreRate: 10, queryCost: 20 }, now: time.now });
    const client = new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin, sleep: time.sleep });
    await client.request(SHOP_QUERY); // 50 -> 30
    await client.request(SHOP_QUERY); // 30 -> 10
    expect(time.clock.waits).toEqual([]);
    await client.request(SHOP_QUERY); // 10 < 20: throttled, (20 - 10) / 10 = 1 s
    expect(time.clock.waits).toEqual([1000]);
    expect(shopify.requests.map((r) => r.throttled ?? false)).toEqual([false, false, true, false]);
    expect(client.lastThrottle).toEqual({ maximumAvailable: 50, currentlyAvailable: 0, restoreRate: 10 });
  });

  it("really waits for the bucket to refill", async () => {
    const shopify = await start({ throttle: { maximumAvailable: 10, restoreRate: 100, queryCost: 10 } });
    const client = new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin });
    await client.request(SHOP_QUERY);
    const started = performance.now();
    await client.request(SHOP_QUERY);
    const waited = performance.now() - started;
    expect(shopify.requests.map((r) => r.throttled ?? false)).toEqual([false, true, false]);
    // 10 points at 100 a second: about 100 ms, and never less. (No upper bound: how long a busy
    // machine takes to wake a timer is not the client's behaviour; the computed waits are checked
    // exactly with a virtual clock above.)
    expect(waited).toBeGreaterThanOrEqual(95);
  });

  it("honours Retry-After on HTTP 429", async () => {
    const time = virtualTime();
    const shopify = await start();
    const client = new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin, sleep: time.sleep });
    shopify.respond429Next(2);
    await expect(client.request<ShopData>(SHOP_QUERY)).resolves.toMatchObject({ shop: { name: "Tailored Test" } });
    expect(time.clock.waits).toEqual([2000]);
    expect(shopify.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("waits for real on a short Retry-After", async () => {
    const shopify = await start();
    const client = new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin });
    shopify.respond429Next(0.2);
    const started = performance.now();
    await client.request(SHOP_QUERY);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("retries 5xx with growing, jittered waits", async () => {
    const time = virtualTime();
    const shopify = await start();
    const client = new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin, sleep: time.sleep });
    shopify.respond500Next(3);
    await expect(client.request(SHOP_QUERY)).resolves.toBeTruthy();
    expect(shopify.requests.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const [a, b, c] = time.clock.waits;
    expect(time.clock.waits).toHaveLength(3);
    expect(a).toBeGreaterThanOrEqual(250);
    expect(a).toBeLessThanOrEqual(500);
    expect(b).toBeGreaterThanOrEqual(500);
    expect(b).toBeLessThanOrEqual(1000);
    expect(c).toBeGreaterThanOrEqual(1000);
    expect(c).toBeLessThanOrEqual(2000);
  });

  it("gives up after maxAttempts", async () => {
    const time = virtualTime();
    const shopify = await start();
    const client = new AdminClient({
      shop: SHOP,
      accessToken: TOKEN,
      origin: shopify.origin,
      sleep: time.sleep,
      maxAttempts: 3,
    });
    shopify.respond500Next(5);
    const error = await client.request(SHOP_QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ status: 500, code: "HTTP_500", attempts: 3 });
    expect((error as Error).message).toMatch(/^gave up after 3 attempts: .*HTTP 500/);
    expect(shopify.requests).toHaveLength(3);
    expect(time.clock.waits).toHaveLength(2);
  });

  it("throws at once on 401, without retrying", async () => {
    const time = virtualTime();
    const shopify = await start();
    const client = new AdminClient({ shop: SHOP, accessToken: "wrong", origin: shopify.origin, sleep: time.sleep });
    const error = await client.request(SHOP_QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({
      status: 401,
      attempts: 1,
      errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
    });
    expect((error as Error).message).toContain("access token was refused");
    expect(shopify.requests).toHaveLength(1);
    expect(time.clock.waits).toEqual([]);
  });

  it("throws at once on other GraphQL errors", async () => {
    const time = virtualTime();
    const shopify = await start();
    const client = new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin, sleep: time.sleep });
    const error = await client.request("{ nosuchthing { id } }").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ status: 200, code: "undefinedField" });
    expect((error as Error).message).toContain("Field 'nosuchthing' doesn't exist on type 'QueryRoot'");
    expect(shopify.requests).toHaveLength(1);
    expect(time.clock.waits).toEqual([]);
  });

  it("retries network errors", async () => {
    const time = virtualTime();
    const shopify = await start();
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) throw new TypeError("fetch failed");
      return fetch(input, init);
    };
    const client = new AdminClient({
      shop: SHOP,
      accessToken: TOKEN,
      origin: shopify.origin,
      sleep: time.sleep,
      fetch: flaky,
    });
    await expect(client.request(SHOP_QUERY)).resolves.toBeTruthy();
    expect(calls).toBe(2);
    expect(time.clock.waits).toHaveLength(1);
  });

  it("sends variables and the token to the versioned endpoint", async () => {
    const seen: { url: string; headers: Headers; body: unknown }[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), headers: new Headers(init?.headers), body: JSON.parse(String(init?.body)) });
      return new Response(JSON.stringify({ data: { ok: true } }), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    };
    const client = new AdminClient({ shop: SHOP, accessToken: TOKEN, fetch: recording });
    await client.request("query Q($a: Int) { x(a: $a) }", { a: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`https://${SHOP}/admin/api/2025-07/graphql.json`);
    expect(seen[0]!.headers.get("x-shopify-access-token")).toBe(TOKEN);
    expect(seen[0]!.body).toEqual({ query: "query Q($a: Int) { x(a: $a) }", variables: { a: 1 } });
  });
});

describe("adminOriginFromEnv", () => {
  it("uses SHOPIFY_ADMIN_ORIGIN when set, else the shop", () => {
    expect(adminOriginFromEnv({ SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:4321/" }, SHOP)).toBe("http://127.0.0.1:4321");
    expect(adminOriginFromEnv({}, SHOP)).toBe(`https://${SHOP}`);
    expect(adminOriginFromEnv({ SHOPIFY_ADMIN_ORIGIN: "  " }, SHOP)).toBe(`https://${SHOP}`);
  });

  it("never uses SHOPIFY_ADMIN_ORIGIN in production: the token would go wherever it points", () => {
    expect(() =>
      adminOriginFromEnv({ NODE_ENV: "production", SHOPIFY_ADMIN_ORIGIN: "https://collector.example" }, SHOP),
    ).toThrow(/SHOPIFY_ADMIN_ORIGIN is set with NODE_ENV=production/);
    expect(adminOriginFromEnv({ NODE_ENV: "production" }, SHOP)).toBe(`https://${SHOP}`);
  });

  it("sends a token only to a myshopify.com host", () => {
    expect(() => adminOriginFromEnv({}, "evil.example.com")).toThrow(AdminApiError);
    expect(() => new AdminClient({ shop: "evil.example.com/x", accessToken: TOKEN })).toThrow(/not a shop domain/);
  });
});
