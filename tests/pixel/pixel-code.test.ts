// The Web Pixel's own code (extensions/tailored-pixel/src/pixel.ts) under a stand-in for Shopify's
// `register` API: what it sends, when, and that nothing leaves without analytics consent. Every batch
// it sends must pass the ingest's schema (app/pixel/events.ts).
import { describe, expect, it } from "vitest";
import { wireBatchSchema } from "~/pixel/events";
import { startPixel, toWire, type PixelApi, type StandardEvent } from "../../extensions/tailored-pixel/src/pixel";
import { loadPixelWithStandIn } from "../../extensions/tailored-pixel/src/standin";

const SETTINGS = {
  shop: "pixel-test.myshopify.com",
  ingestKey: "k".repeat(32),
  ingestUrl: "https://tailored.example/pixel/events",
};

type Sent = { url: string; init: RequestInit; body: ReturnType<typeof wireBatchSchema.parse> };

function harness(options: { consent?: boolean; customerId?: string; maxBatch?: number } = {}) {
  const sent: Sent[] = [];
  const timers: (() => void)[] = [];
  const pixel = loadPixelWithStandIn({
    settings: SETTINGS,
    clientId: "client-1",
    customerId: options.customerId ?? null,
    analyticsAllowed: options.consent ?? true,
    maxBatch: options.maxBatch,
    fetch: async (url, init) => {
      sent.push({ url, init, body: wireBatchSchema.parse(JSON.parse(String(init.body))) });
      return new Response("{}");
    },
    // Timers run when the test says so.
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => undefined,
    now: () => new Date("2026-12-01T12:00:00Z"),
  });
  const runTimers = async () => {
    for (const fn of timers.splice(0)) fn();
    await pixel.flush();
  };
  return { pixel, sent, runTimers };
}

const VARIANT = {
  id: "gid://shopify/ProductVariant/4401",
  sku: "SKU-1",
  title: "250 g",
  price: { amount: 12.5, currencyCode: "EUR" },
  product: { id: "4400", title: "Espresso beans", vendor: "Roastery", type: "Coffee Beans", url: "/products/beans" },
};

describe("the pixel under a stand-in register API", () => {
  it("sends nothing without analytics consent, whatever happens", async () => {
    const { pixel, sent, runTimers } = harness({ consent: false });
    pixel.publish("page_viewed", {});
    pixel.publish("product_viewed", { productVariant: VARIANT });
    pixel.publish("checkout_completed", { checkout: { totalPrice: { amount: 30, currencyCode: "EUR" } } });
    await runTimers();
    await pixel.flush();
    expect(sent).toEqual([]);
    expect(pixel.consented()).toBe(false);
  });

  it("batches events and sends them with keepalive, with only the fields segments need", async () => {
    const { pixel, sent, runTimers } = harness({ customerId: "gid://shopify/Customer/777" });
    pixel.publish("page_viewed", {});
    pixel.publish("product_viewed", { productVariant: VARIANT });
    pixel.publish("collection_viewed", { collection: { id: "gid://shopify/Collection/91" } });
    pixel.publish("search_submitted", { searchResult: { query: `  Espresso ${"x".repeat(300)}` } });
    pixel.publish("product_added_to_cart", {
      cartLine: { merchandise: VARIANT, quantity: 2, cost: { totalAmount: { amount: 25, currencyCode: "EUR" } } },
    });
    expect(sent).toEqual([]); // waiting for the batch timer
    await runTimers();
    expect(sent).toHaveLength(1);
    const [{ url, init, body }] = sent as [Sent];
    expect(url).toBe(SETTINGS.ingestUrl);
    expect(init.method).toBe("POST");
    expect(init.keepalive).toBe(true);
    expect(body.shop).toBe(SETTINGS.shop);
    expect(body.key).toBe(SETTINGS.ingestKey);
    expect(body.events.map((e) => e.name)).toEqual([
      "page_viewed",
      "product_viewed",
      "collection_viewed",
      "search_submitted",
      "product_added_to_cart",
    ]);
    const [page, product, collection, search, cart] = body.events;
    expect(page).toMatchObject({ clientId: "client-1", customerId: "777", timestamp: "2026-12-01T12:00:00.000Z" });
    expect(page!.sessionId).toMatch(/^[0-9a-z]{16}$/);
    expect(new Set(body.events.map((e) => e.sessionId)).size).toBe(1);
    expect(product).toMatchObject({
      productId: "4400",
      variantId: "4401",
      productType: "Coffee Beans",
      vendor: "Roastery",
    });
    expect(collection).toMatchObject({ collectionId: "91" });
    expect(search!.query).toHaveLength(100);
    expect(cart).toMatchObject({ productId: "4400", value: { amount: 25, currencyCode: "EUR" } });
    // No title, SKU, URL or price of the page: only what segments read.
    expect(JSON.stringify(body)).not.toMatch(/Espresso beans|SKU-1|\/products\/beans/);
  });

  it("sends at once when the batch is full, and on checkout_completed", async () => {
    const { pixel, sent } = harness({ maxBatch: 3 });
    for (let i = 0; i < 3; i++) pixel.publish("page_viewed", {});
    await pixel.flush();
    expect(sent.map((s) => s.body.events.length)).toEqual([3]);
    pixel.publish("checkout_completed", {
      checkout: { totalPrice: { amount: 30, currencyCode: "EUR" }, order: { id: "1", customer: { id: "888" } } },
    });
    await pixel.flush();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body.events[0]).toMatchObject({
      name: "checkout_completed",
      customerId: "888",
      value: { amount: 30 },
    });
  });

  it("starts sending when consent is given and drops what waits when it is withdrawn", async () => {
    const { pixel, sent, runTimers } = harness({ consent: false });
    pixel.publish("page_viewed", {});
    pixel.setConsent({ analyticsProcessingAllowed: true });
    pixel.publish("product_viewed", { productVariant: VARIANT });
    pixel.setConsent({ analyticsProcessingAllowed: false });
    await runTimers();
    expect(sent).toEqual([]);
    pixel.setConsent({ analyticsProcessingAllowed: true });
    pixel.publish("product_viewed", { productVariant: VARIANT });
    await runTimers();
    expect(sent.flatMap((s) => s.body.events.map((e) => e.name))).toEqual(["product_viewed"]);
  });

  it("leaves the clientId in a visit cookie for the blocks only with consent, and clears it on withdrawal", async () => {
    const refused = harness({ consent: false });
    refused.pixel.publish("product_viewed", { productVariant: VARIANT });
    await refused.runTimers();
    expect([...refused.pixel.cookies()]).toEqual([]);

    const lines: string[] = [];
    const pixel = loadPixelWithStandIn({
      settings: SETTINGS,
      clientId: "client-9",
      fetch: async () => new Response("{}"),
      cookie: { set: async (line) => lines.push(line) },
    });
    pixel.publish("page_viewed", {});
    pixel.publish("product_viewed", { productVariant: VARIANT });
    expect(lines).toEqual(["tailored_cid=client-9; path=/; max-age=1800; samesite=lax"]);
    pixel.setConsent({ analyticsProcessingAllowed: false });
    expect(lines[1]).toBe("tailored_cid=; path=/; max-age=0; samesite=lax");
    pixel.publish("product_viewed", { productVariant: VARIANT });
    expect(lines.length).toBe(2);

    const given = harness({ consent: true });
    given.pixel.publish("page_viewed", {});
    await Promise.resolve();
    expect(given.pixel.cookies().get("tailored_cid")).toBe("client-1");
    given.pixel.setConsent({ analyticsProcessingAllowed: false });
    await Promise.resolve();
    expect(given.pixel.cookies().has("tailored_cid")).toBe(false);
  });

  it("subscribes to exactly the eight standard events, through register's analytics.subscribe", () => {
    const names: string[] = [];
    const api: PixelApi = {
      analytics: { subscribe: (name) => names.push(name) },
      init: { customerPrivacy: { analyticsProcessingAllowed: true } },
      settings: SETTINGS,
    };
    startPixel(api, { fetch: async () => undefined });
    expect(names.sort()).toEqual(
      [
        "page_viewed",
        "product_viewed",
        "collection_viewed",
        "search_submitted",
        "product_added_to_cart",
        "product_removed_from_cart",
        "checkout_started",
        "checkout_completed",
      ].sort(),
    );
  });

  it("ignores events it does not subscribe to", () => {
    const event: StandardEvent = { id: "1", name: "alert_displayed", clientId: "c", timestamp: "2026-01-01T00:00:00Z" };
    expect(toWire(event, {})).toBeNull();
  });
});
