// The inbox and its processor on both databases: at-least-once, out-of-order delivery must leave
// exactly the copy an in-order, exactly-once delivery leaves.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { createRandom } from "~/demo/random";
import { refreshRfm } from "~/models/rfm.server";
import { upsertShop } from "~/models/store.server";
import { storeEvent, failedEvents, MappedPayloads, retryFailed } from "~/sync/inbox.server";
import { mapOrderWebhook } from "~/sync/mappers/rest";
import { ORDER_UPSERT_TOPICS } from "~/sync/topics";
import { InboxProcessor } from "~/sync/processor.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { ROOT } from "../helpers/env";
import { eventStream, incomingWebhook, type TestEvent } from "../helpers/payloads";
import { snapshot } from "../helpers/tables";

const now = new Date("2026-06-02T00:00:00Z");

async function deliver(db: Db, shop: string, events: TestEvent[]): Promise<number> {
  let stored = 0;
  for (const e of events) {
    if (await storeEvent(db, incomingWebhook(shop, e), now)) stored += 1;
  }
  return stored;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  const random = createRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe.each(DIALECTS)("webhook inbox on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const events = eventStream({ customers: 135 });

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    for (const shop of [
      "in-order.myshopify.com",
      "shuffled.myshopify.com",
      "tripled.myshopify.com",
      "bad.myshopify.com",
      "premapped.myshopify.com",
    ]) {
      await upsertShop(db, { domain: shop, name: shop, currencyCode: "USD", ianaTimezone: "UTC" });
    }
  });
  afterAll(async () => close());

  it("builds a stream of about a thousand events of every order topic", () => {
    expect(events.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(events.map((e) => e.topic))).toEqual(
      new Set(["customers/create", "orders/create", "orders/updated", "orders/cancelled", "orders/delete"]),
    );
  });

  it("ends with the same tables whatever the order, and each event sent 3 times has one effect", async () => {
    const processor = new InboxProcessor(db, { batchSize: 50 });
    await deliver(db, "in-order.myshopify.com", events);
    await processor.drain();

    await deliver(db, "shuffled.myshopify.com", shuffled(events, 11));
    await processor.drain();

    // Three deliveries of each event, spread through a shuffled stream, the last copies arriving
    // after the first were already processed.
    const tripled = shuffled([...events, ...events], 12);
    expect(await deliver(db, "tripled.myshopify.com", tripled)).toBe(events.length);
    await processor.drain();
    expect(await deliver(db, "tripled.myshopify.com", shuffled(events, 13))).toBe(0);
    await processor.drain();

    const expected = await snapshot(db, "in-order.myshopify.com");
    expect(expected.orders.length).toBeGreaterThan(200);
    expect(expected.orders.some((o) => o.cancelledAt !== null)).toBe(true);
    expect(expected.orders.some((o) => o.refundedMinor > 0n)).toBe(true);
    expect(expected.tombstones.length).toBeGreaterThan(0);
    const strip = (s: Awaited<ReturnType<typeof snapshot>>) =>
      JSON.parse(JSON.stringify(s, (k, v) => (k === "shop" ? undefined : typeof v === "bigint" ? v.toString() : v)));
    expect(strip(await snapshot(db, "shuffled.myshopify.com"))).toEqual(strip(expected));
    expect(strip(await snapshot(db, "tripled.myshopify.com"))).toEqual(strip(expected));

    // RFM scores, after a full pass, do not depend on the order either.
    const rfm = async (shop: string) => {
      await refreshRfm(db, { shop });
      return await db.prisma.customerFacts.findMany({
        where: { shop },
        orderBy: { customerId: "asc" },
        select: { customerId: true, rfmR: true, rfmF: true, rfmM: true, rfmGroup: true },
      });
    };
    const rfmInOrder = await rfm("in-order.myshopify.com");
    expect(rfmInOrder.some((f) => f.rfmGroup === "CHAMPIONS")).toBe(true);
    expect(await rfm("shuffled.myshopify.com")).toEqual(rfmInOrder);
    expect(await rfm("tripled.myshopify.com")).toEqual(rfmInOrder);

    const counts = await db.prisma.webhookEvent.groupBy({
      by: ["status"],
      where: { shop: "tripled.myshopify.com" },
      _count: true,
    });
    expect(counts).toEqual([{ status: "done", _count: events.length }]);
  });

  it("applies order payloads mapped on arrival exactly as it applies them from the stored payload", async () => {
    // The production server's HTTP thread maps order payloads and hands the rows over (MappedPayloads);
    // events without rows (other topics, or rows that never came) are mapped from the inbox as before.
    const shop = "premapped.myshopify.com";
    const mapped = new MappedPayloads();
    const stream = shuffled(events, 14);
    await deliver(db, shop, stream);
    let handedOver = 0;
    for (const [i, e] of stream.entries()) {
      if (!ORDER_UPSERT_TOPICS.has(e.topic) || i % 5 === 0) continue;
      mapped.put(shop, e.eventId, mapOrderWebhook(e.payload));
      handedOver += 1;
    }
    // A payload that does not fit fails with its error whichever side mapped it.
    const broken = { id: 2, admin_graphql_api_id: "gid://shopify/Order/2", updated_at: "yesterday" };
    await deliver(db, shop, [{ topic: "orders/create", eventId: "broken-2", payload: broken }]);
    mapped.put(shop, "broken-2", mapOrderWebhook(broken));
    expect(handedOver).toBeGreaterThan(500);

    await new InboxProcessor(db, { batchSize: 64, mapped }).drain();
    expect(mapped.size).toBe(0);
    const strip = (s: Awaited<ReturnType<typeof snapshot>>) =>
      JSON.parse(JSON.stringify(s, (k, v) => (k === "shop" ? undefined : typeof v === "bigint" ? v.toString() : v)));
    expect(strip(await snapshot(db, shop))).toEqual(strip(await snapshot(db, "in-order.myshopify.com")));
    expect((await failedEvents(db, { shop })).map((f) => [f.eventId, f.error?.split(":")[0]])).toEqual([
      ["broken-2", "order.created_at"],
    ]);
  });

  it("keeps at most its bound of mapped payloads, dropping the oldest", () => {
    const mapped = new MappedPayloads(2);
    const value = mapOrderWebhook({});
    mapped.put("s", "a", value);
    mapped.put("s", "b", value);
    mapped.put("s", "c", value);
    expect(mapped.size).toBe(2);
    expect(mapped.take("s", "a")).toBeUndefined();
    expect(mapped.take("s", "b")).toBe(value);
    expect(mapped.take("s", "b")).toBeUndefined();
    expect(mapped.take("other", "c")).toBeUndefined();
    expect(mapped.take("s", "c")).toBe(value);
  });

  it("keeps a payload that does not fit with its error, applies the rest, and retries it on request", async () => {
    const shop = "bad.myshopify.com";
    const good = events.slice(0, 3);
    await deliver(db, shop, [
      ...good,
      {
        topic: "orders/create",
        eventId: "broken-1",
        payload: { id: 1, admin_graphql_api_id: "gid://shopify/Order/1", updated_at: "yesterday" },
      },
    ]);
    await storeEvent(
      db,
      {
        shop,
        topic: "customers/update",
        eventId: "not-json",
        webhookId: null,
        apiVersion: null,
        triggeredAt: null,
        payload: "{nope",
      },
      now,
    );
    await new InboxProcessor(db).drain();
    const failed = await failedEvents(db, { shop });
    expect(failed.map((f) => [f.eventId, f.error?.split(":")[0]]).sort()).toEqual([
      ["broken-1", "order.created_at"],
      ["not-json", "payload"],
    ]);
    expect(await db.prisma.customer.count({ where: { shop } })).toBe(1);
    expect(await retryFailed(db, { shop })).toBe(2);
    expect((await db.prisma.webhookEvent.findMany({ where: { shop, status: "pending" } })).length).toBe(2);
    await new InboxProcessor(db).drain();
    expect((await failedEvents(db, { shop })).length).toBe(2); // still wrong: failed again, still kept
  });

  it("fails an event that carries negative money with the reason, whichever side mapped it, and stores none of it", async () => {
    const shop = "negative.myshopify.com";
    await upsertShop(db, { domain: shop, name: shop, currencyCode: "USD", ianaTimezone: "UTC" });
    const fixture = JSON.parse(
      fs.readFileSync(path.join(ROOT, "tests", "fixtures", "webhooks", "orders__create.json"), "utf8"),
    );
    const negativeLine = structuredClone(fixture);
    negativeLine.line_items[0].price_set.shop_money.amount = "-199.00";
    const negativeTotal = { ...structuredClone(fixture), id: 2, admin_graphql_api_id: "gid://shopify/Order/2" };
    negativeTotal.total_price_set.shop_money.amount = "-5.00";
    const negativeProduct = {
      ...JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "webhooks", "products__create.json"), "utf8")),
      variants: [{ price: "-1.00" }],
    };
    await deliver(db, shop, [
      { topic: "orders/create", eventId: "negative-line", payload: negativeLine },
      { topic: "orders/updated", eventId: "negative-total", payload: negativeTotal },
      { topic: "products/create", eventId: "negative-price", payload: negativeProduct },
    ]);
    const mapped = new MappedPayloads();
    mapped.put(shop, "negative-total", mapOrderWebhook(negativeTotal));
    await new InboxProcessor(db, { mapped }).drain();
    expect((await failedEvents(db, { shop })).map((f) => [f.eventId, f.error]).sort()).toEqual([
      ["negative-line", "order.line_items[0].price_set.shop_money.amount: expected an amount of at least 0"],
      ["negative-price", "product.variants[0].price: expected an amount of at least 0"],
      ["negative-total", "order.total_price_set.shop_money.amount: expected an amount of at least 0"],
    ]);
    expect(await db.prisma.order.count({ where: { shop } })).toBe(0);
    expect(await db.prisma.product.count({ where: { shop } })).toBe(0);
  });

  it("keeps no payload of an applied event, keeps a failed one's for 14 days, and prunes both", async () => {
    const { pruneInbox, KEEP_DONE_MS, KEEP_FAILED_MS } = await import("~/sync/inbox.server");
    const shop = "bad.myshopify.com";
    const events = await db.prisma.webhookEvent.findMany({ where: { shop } });
    expect(events.length).toBe(5);
    expect(events.filter((e) => e.status === "done").map((e) => e.payload)).toEqual(["", "", ""]);
    expect(events.filter((e) => e.status === "failed").every((e) => e.payload !== "")).toBe(true);
    const at = Date.now();
    expect(await pruneInbox(db, { now: new Date(at - 60_000) })).toBe(0);
    await pruneInbox(db, { now: new Date(at + KEEP_DONE_MS + 60_000) });
    expect((await db.prisma.webhookEvent.findMany({ where: { shop } })).map((e) => e.status)).toEqual([
      "failed",
      "failed",
    ]);
    await pruneInbox(db, { now: new Date(at + KEEP_FAILED_MS + 60_000) });
    expect(await db.prisma.webhookEvent.count({ where: { shop } })).toBe(0);
  });

  it("recomputes the facts of every customer an event touched", async () => {
    const facts = await db.prisma.customerFacts.findMany({ where: { shop: "in-order.myshopify.com" } });
    const customers = await db.prisma.customer.count({ where: { shop: "in-order.myshopify.com" } });
    expect(facts.length).toBe(customers);
    const orders = await db.prisma.order.findMany({ where: { shop: "in-order.myshopify.com", cancelledAt: null } });
    const spent = orders.reduce((sum, o) => sum + o.totalMinor - o.refundedMinor, 0n);
    expect(facts.reduce((sum, f) => sum + f.amountSpentMinor, 0n)).toBe(spent);
  });
  it("erases whatever a compliance delivery brings for a shop already erased, and reports the shop gone", async () => {
    const erased: string[] = [];
    // A shop erased already (no Shop row): a compliance delivery another process still took writes
    // nothing, and its own inbox row goes.
    const gone = "erased-already.myshopify.com";
    await deliver(db, gone, [
      {
        topic: "customers/redact",
        eventId: "after-erasure",
        payload: { shop_id: 2, shop_domain: gone, customer: { id: 5, email: "x@example.com" }, orders_to_redact: [9] },
      },
    ]);
    await new InboxProcessor(db, { onShopErased: (shop) => erased.push(shop) }).drain();
    expect(await db.prisma.tombstone.count({ where: { shop: gone } })).toBe(0);
    expect(await db.prisma.webhookEvent.count({ where: { shop: gone } })).toBe(0);
    expect(erased).toEqual([gone]);
  });
});
