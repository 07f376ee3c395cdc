// POST /pixel/events on SQLite and PostgreSQL: what is stored and what is refused (storing nothing),
// duplicates, identity stitching, memberships following browsing, retention, and erasure.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import { eraseCustomer, eraseShop } from "~/models/erasure.server";
import { createSegment } from "~/models/segments/definitions.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { MAX_PIXEL_BYTES, type WireBatch, type WireEvent } from "~/pixel/events";
import { forgetPixelShop, ingestPixelRequest, type IngestDeps } from "~/pixel/ingest.server";
import { behaviourChanged, membershipsSettled } from "~/pixel/memberships.server";
import { rateLimiter } from "~/pixel/rate-limit";
import { purgeExpiredBrowsing } from "~/pixel/retention.server";
import { countEvents, ensurePixelShop, eventsOf, rotateIngestKey } from "~/pixel/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";

const NOW = new Date("2026-12-01T12:00:00Z");
const SHOP = "pixel-ingest.myshopify.com";
const OTHER = "pixel-other.myshopify.com";
const ORIGIN = `https://${SHOP}`;

describe.each(DIALECTS)("pixel ingest on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let key: string;
  let seq = 0;

  const deps = (over: Partial<IngestDeps> = {}): IngestDeps => ({
    db,
    now: () => NOW,
    installed: (shop) => shop === SHOP,
    limiter: rateLimiter({ capacity: 1000, perSecond: 100 }),
    ...over,
  });

  const ev = (over: Partial<WireEvent> = {}): WireEvent => ({
    id: `ev-${dialect}-${seq++}`,
    name: "product_viewed",
    timestamp: new Date(NOW.getTime() - 60_000).toISOString(),
    clientId: "visitor-a",
    sessionId: "s1",
    productId: "4400",
    productType: "Coffee Beans",
    vendor: "Roastery",
    ...over,
  });

  const post = (
    body: unknown,
    over: { origin?: string | null; deps?: Partial<IngestDeps>; raw?: Buffer | null } = {},
  ) =>
    ingestPixelRequest(
      {
        method: "POST",
        origin: over.origin === undefined ? ORIGIN : over.origin,
        body: over.raw !== undefined ? over.raw : Buffer.from(JSON.stringify(body)),
      },
      deps(over.deps),
    );

  const batch = (events: WireEvent[], over: Partial<WireBatch> = {}): WireBatch => ({
    shop: SHOP,
    key,
    events,
    ...over,
  });

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Pixel", currencyCode: "USD", ianaTimezone: "UTC" });
    key = (await ensurePixelShop(db, { shop: SHOP, now: NOW })).ingestKey;
    await upsertCustomers(db, {
      shop: SHOP,
      rows: ["901", "902", "903"].map((id) => ({
        id,
        email: `${id}@example.com`,
        firstName: null,
        lastName: null,
        countryCode: null,
        provinceCode: null,
        city: null,
        tags: [],
        emailMarketingState: "NOT_SUBSCRIBED",
        smsMarketingState: "NOT_SUBSCRIBED",
        createdAt: NOW,
        updatedAt: NOW,
      })),
      now: NOW,
    });
  });
  afterAll(async () => close());
  beforeEach(() => forgetPixelShop(SHOP));

  it("stores a batch with only what segments need, and answers with CORS for the shop's storefront", async () => {
    const events = [
      ev({ name: "page_viewed", productId: undefined, productType: undefined, vendor: undefined }),
      ev(),
      ev({
        name: "search_submitted",
        productId: undefined,
        productType: undefined,
        vendor: undefined,
        query: `  Espresso ${"y".repeat(200)}`,
      }),
      ev({ name: "product_added_to_cart", value: { amount: 12.5, currencyCode: "USD" } }),
    ];
    const answer = await post(batch(events));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ received: 4, stored: 4 });
    expect(answer.headers["access-control-allow-origin"]).toBe(ORIGIN);
    const rows = await db.all(
      sql`SELECT "name", "query", "valueMinor", "customerId", "productType" FROM "PixelEvent" WHERE "shop" = ${SHOP} AND "clientId" = 'visitor-a' ORDER BY "eventId"`,
    );
    expect(rows).toHaveLength(4);
    const search = rows.find((r) => r.name === "search_submitted")!;
    expect(search.query).toBe(`espresso ${"y".repeat(91)}`);
    expect(Number(rows.find((r) => r.name === "product_added_to_cart")!.valueMinor)).toBe(1250);
    // No column for an address, a user agent or an e-mail exists to be filled.
    const columns = Object.keys((await db.all(sql`SELECT * FROM "PixelEvent" WHERE "shop" = ${SHOP}`))[0]!);
    expect(columns.filter((c) => /ip|agent|email|url|address/i.test(c))).toEqual([]);
  });

  it("treats a batch sent again as a no-op", async () => {
    const events = [ev(), ev()];
    expect(JSON.parse((await post(batch(events))).body)).toEqual({ received: 2, stored: 2 });
    const before = await countEvents(db, { shop: SHOP });
    expect(JSON.parse((await post(batch(events))).body)).toEqual({ received: 2, stored: 0 });
    expect(await countEvents(db, { shop: SHOP })).toBe(before);
  });

  it("stores concurrent batches together (group commit), a batch sent twice at once counting once", async () => {
    const events = [ev({ clientId: "burst-0" }), ev({ clientId: "burst-0" })];
    const others = Array.from({ length: 20 }, (_, i) => batch([ev({ clientId: `burst-${i + 1}` })]));
    const before = await countEvents(db, { shop: SHOP });
    const answers = await Promise.all([post(batch(events)), post(batch(events)), ...others.map((b) => post(b))]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const stored = answers.map((a) => JSON.parse(a.body).stored as number);
    expect(stored[0]! + stored[1]!).toBe(2);
    expect(stored.slice(2)).toEqual(others.map(() => 1));
    expect(await countEvents(db, { shop: SHOP })).toBe(before + 22);
  });

  it.each([
    ["a wrong key", () => post(batch([ev()], { key: "x".repeat(32) })), 403, /wrong ingest key/],
    ["a shop that has not installed", () => post(batch([ev()], { shop: OTHER })), 403, /has not installed/],
    ["a foreign origin", () => post(batch([ev()]), { origin: "https://evil.example" }), 403, /not pixel-ingest/],
    ["no origin", () => post(batch([ev()]), { origin: null }), 403, /\(none\)/],
    ["an oversized body", () => post(null, { raw: null }), 413, /at most/],
    ["a body that is not JSON", () => post(null, { raw: Buffer.from("{nope") }), 400, /not JSON/],
    [
      "an unknown field (an e-mail)",
      () => post(batch([{ ...ev(), email: "a@b.c" } as WireEvent])),
      422,
      /email|Unrecognized/i,
    ],
    ["an unknown event name", () => post(batch([ev({ name: "cart_viewed" as WireEvent["name"] })])), 422, /name/],
    ["a GID where a number goes", () => post(batch([ev({ productId: "gid://shopify/Product/1" })])), 422, /productId/],
    ["no events", () => post(batch([])), 422, /events/],
    ["two visitors in one batch", () => post(batch([ev(), ev({ clientId: "visitor-z" })])), 422, /one visitor/],
    [
      "an event dated in the future",
      () => post(batch([ev({ timestamp: new Date(NOW.getTime() + 3_600_000).toISOString() })])),
      422,
      /future/,
    ],
  ])("refuses %s and stores nothing", async (_what, send, status, message) => {
    const before = await countEvents(db, { shop: SHOP });
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body).error).toMatch(message);
    expect(await countEvents(db, { shop: SHOP })).toBe(before);
  });

  it("refuses more than the body limit says, by size", () => {
    expect(MAX_PIXEL_BYTES).toBe(64 * 1024);
  });

  it("answers a storefront's preflight, and refuses GET", async () => {
    const preflight = await ingestPixelRequest({ method: "OPTIONS", origin: ORIGIN, body: Buffer.alloc(0) }, deps());
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      "access-control-allow-origin": ORIGIN,
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "content-type",
    });
    const bad = await ingestPixelRequest({ method: "OPTIONS", origin: "null", body: Buffer.alloc(0) }, deps());
    expect(bad.status).toBe(403);
    expect((await ingestPixelRequest({ method: "GET", origin: ORIGIN, body: Buffer.alloc(0) }, deps())).status).toBe(
      405,
    );
  });

  it("limits each visitor's rate, with Retry-After, storing nothing past it", async () => {
    const limiter = rateLimiter({ capacity: 6, perSecond: 1 });
    const first = await post(batch([ev({ clientId: "fast" }), ev({ clientId: "fast" })]), { deps: { limiter } });
    expect(first.status).toBe(200);
    const before = await countEvents(db, { shop: SHOP });
    const second = await post(batch([ev({ clientId: "fast" }), ev({ clientId: "fast" }), ev({ clientId: "fast" })]), {
      deps: { limiter },
    });
    expect(second.status).toBe(429);
    expect(Number(second.headers["retry-after"])).toBeGreaterThan(0);
    expect(await countEvents(db, { shop: SHOP })).toBe(before);
    // Another visitor is not held back.
    expect((await post(batch([ev({ clientId: "slow" })]), { deps: { limiter } })).status).toBe(200);
  });

  it("answers 503 and stores nothing when the writer fails (the background thread gone, say)", async () => {
    const before = await countEvents(db, { shop: SHOP });
    // The report is expected here: caught for this call only (the suite fails any other console.error).
    const reported: string[] = [];
    const spy = vi.spyOn(console, "error");
    const suite = spy.getMockImplementation();
    spy.mockImplementation((...args: unknown[]) => void reported.push(args.map(String).join(" ")));
    const failed = await post(batch([ev({ clientId: "visitor-503" })]), {
      deps: { write: () => Promise.reject(new Error("background thread exited")) },
    });
    spy.mockImplementation(suite ?? (() => undefined));
    expect(reported).toEqual(["[pixel] batch not stored: Error: background thread exited"]);
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.body)).toEqual({ error: "cannot store events now" });
    expect(await countEvents(db, { shop: SHOP })).toBe(before);
  });

  it("refuses the old key after a rotation", async () => {
    const old = key;
    key = await rotateIngestKey(db, { shop: SHOP });
    forgetPixelShop(SHOP);
    expect((await post(batch([ev()], { key: old }))).status).toBe(403);
    expect((await post(batch([ev()]))).status).toBe(200);
  });

  it("joins a visitor's past events to the customer who logs in, and their later anonymous ones", async () => {
    const client = "visitor-stitch";
    await post(batch([ev({ clientId: client }), ev({ clientId: client })]));
    await post(batch([ev({ clientId: "visitor-anon" })]));
    expect(await eventsOf(db, { shop: SHOP, customerId: "901" })).toEqual([]);
    const stored: string[][] = [];
    const answer = await post(batch([ev({ clientId: client, customerId: "901", name: "page_viewed" })]), {
      deps: { onStored: (_shop, ids) => stored.push(ids) },
    });
    expect(answer.status).toBe(200);
    expect(stored).toEqual([["901"]]);
    expect((await eventsOf(db, { shop: SHOP, customerId: "901" })).length).toBe(3);
    // Logged out again, same browser: still theirs.
    await post(batch([ev({ clientId: client })]));
    expect((await eventsOf(db, { shop: SHOP, customerId: "901" })).length).toBe(4);
    // Someone else's browsing stays anonymous under its clientId.
    const anon = await eventsOf(db, { shop: SHOP, clientId: "visitor-anon" });
    expect(anon.map((e) => e.customerId)).toEqual([null]);
  });

  it("joins on a checkout_completed that names the customer", async () => {
    const client = "visitor-checkout";
    await post(batch([ev({ clientId: client }), ev({ clientId: client, name: "product_added_to_cart" })]));
    await post(
      batch([
        ev({
          clientId: client,
          name: "checkout_completed",
          customerId: "902",
          value: { amount: 30, currencyCode: "USD" },
        }),
      ]),
    );
    const theirs = await eventsOf(db, { shop: SHOP, customerId: "902" });
    expect(theirs.map((e) => e.name).sort()).toEqual(["checkout_completed", "product_added_to_cart", "product_viewed"]);
  });

  it("moves the customer into a behavioural segment within a second of the event", async () => {
    const segmentId = await createSegment(db, {
      shop: SHOP,
      name: "Coffee browsers",
      query: "products_viewed MATCHES (product_type = 'coffee beans', count_at_least = 3)",
      now: NOW,
    });
    const members = async () =>
      (
        await db.all(
          sql`SELECT "customerId" FROM "SegmentMember" WHERE "shop" = ${SHOP} AND "segmentId" = ${segmentId}`,
          decoder({ customerId: text }),
        )
      ).map((r) => r.customerId);
    expect(await members()).not.toContain("903");
    const started = Date.now();
    const onStored = (shop: string, ids: string[]) => behaviourChanged(db, shop, ids, () => NOW);
    for (let i = 0; i < 3; i++)
      await post(batch([ev({ clientId: "visitor-903", customerId: "903" })]), { deps: { onStored } });
    await membershipsSettled(SHOP);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await members()).toContain("903");
  });

  it("purges events past the retention period", async () => {
    await post(batch([ev({ clientId: "old", timestamp: new Date(NOW.getTime() - 91 * 86_400_000).toISOString() })]));
    expect((await eventsOf(db, { shop: SHOP, clientId: "old" })).length).toBe(1);
    const purged = await purgeExpiredBrowsing(db, { shop: SHOP, now: NOW, days: 90 });
    expect(purged.events).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(db, { shop: SHOP, clientId: "old" })).toEqual([]);
    expect((await eventsOf(db, { shop: SHOP, customerId: "901" })).length).toBeGreaterThan(0);
  });

  it("customers/redact removes the customer's events, their anonymous ones before the link, and the link", async () => {
    await post(batch([ev({ clientId: "visitor-r" })]));
    await post(batch([ev({ clientId: "visitor-r", customerId: "901" })]));
    await db.transaction((tx) =>
      eraseCustomer(tx, {
        shop: SHOP,
        request: { customerId: "901", email: null, phone: null, orderIds: [] },
        seq: -1,
        now: NOW,
      }),
    );
    expect(await eventsOf(db, { shop: SHOP, customerId: "901" })).toEqual([]);
    expect(await eventsOf(db, { shop: SHOP, clientId: "visitor-r" })).toEqual([]);
    expect(await eventsOf(db, { shop: SHOP, clientId: "visitor-stitch" })).toEqual([]);
    const links = await db.all(
      sql`SELECT "clientId" FROM "PixelVisitor" WHERE "shop" = ${SHOP} AND "customerId" = '901'`,
    );
    expect(links).toEqual([]);
    // Others' events stay.
    expect((await eventsOf(db, { shop: SHOP, customerId: "902" })).length).toBeGreaterThan(0);
    expect((await eventsOf(db, { shop: SHOP, clientId: "visitor-anon" })).length).toBe(1);
  });

  it("believes a customer id only for a customer the shop has and has not erased", async () => {
    const linksOf = async (clientId: string) =>
      db.all(
        sql`SELECT "customerId" FROM "PixelVisitor" WHERE "shop" = ${SHOP} AND "clientId" = ${clientId}`,
        decoder({ customerId: text }),
      );
    // 901 was erased above: a forged or late event naming them gives them no browsing back.
    const stored: string[][] = [];
    const erased = await post(batch([ev({ clientId: "visitor-ghost", customerId: "901" })]), {
      deps: { onStored: (_shop, ids) => stored.push(ids) },
    });
    expect(erased.status).toBe(200);
    expect(await eventsOf(db, { shop: SHOP, customerId: "901" })).toEqual([]);
    expect((await eventsOf(db, { shop: SHOP, clientId: "visitor-ghost" })).map((e) => e.customerId)).toEqual([null]);
    expect(await linksOf("visitor-ghost")).toEqual([]);
    // An id the shop never had (a guess, or another shop's customer): stored anonymous, nothing linked.
    await post(batch([ev({ clientId: "visitor-guess", customerId: "777777" })]));
    await post(batch([ev({ clientId: "visitor-guess", name: "checkout_completed", customerId: "903" })]));
    const guess = await eventsOf(db, { shop: SHOP, clientId: "visitor-guess" });
    expect(guess.map((e) => e.customerId).sort()).toEqual(["903", "903"]);
    expect(await eventsOf(db, { shop: SHOP, customerId: "777777" })).toEqual([]);
    expect(stored).toEqual([]);
    expect(await linksOf("visitor-guess")).toEqual([{ customerId: "903" }]);
  });

  it("shop/redact removes every event, link and key of the shop", async () => {
    await db.transaction((tx) => eraseShop(tx, { shop: SHOP }));
    for (const table of ["PixelEvent", "PixelVisitor", "PixelShop"]) {
      const rows = await db.all(sql`SELECT COUNT(*) AS n FROM ${sqlTable(table)} WHERE "shop" = ${SHOP}`);
      expect(Number(rows[0]!.n), table).toBe(0);
    }
  });
});

function sqlTable(name: string) {
  return { PixelEvent: sql`"PixelEvent"`, PixelVisitor: sql`"PixelVisitor"`, PixelShop: sql`"PixelShop"` }[name]!;
}
