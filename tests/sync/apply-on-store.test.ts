// The webhook path applies a group of deliveries in the transaction that stores them
// (docs/decisions/009-apply-on-store.md): the copy must come out exactly as the processor makes it,
// a redelivery must have no second effect, and when applying fails nothing may be lost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { upsertShop } from "~/models/store.server";
import { enqueue, InboxWriter, type ApplyOnStore, type IncomingWebhook } from "~/sync/inbox.server";
import { applyEvents, InboxProcessor } from "~/sync/processor.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { eventStream, type TestEvent } from "../helpers/payloads";
import { snapshot } from "../helpers/tables";

const now = new Date("2026-06-02T00:00:00Z");
const SHOPS = ["by-processor.myshopify.com", "on-store.myshopify.com", "falls-back.myshopify.com"];

const incoming = (shop: string, e: TestEvent): IncomingWebhook => ({
  shop,
  topic: e.topic,
  eventId: e.eventId,
  webhookId: null,
  apiVersion: "2025-07",
  triggeredAt: null,
  payload: JSON.stringify(e.payload),
});

const applyNow: ApplyOnStore = async (tx, list, at) => {
  await applyEvents(tx, list, at);
  return {};
};

/** Writes the events in groups of `size` deliveries arriving together (one turn of the event loop). */
async function writeInGroups(writer: InboxWriter, shop: string, events: TestEvent[], size: number): Promise<boolean[]> {
  const stored: boolean[] = [];
  for (let i = 0; i < events.length; i += size) {
    stored.push(...(await Promise.all(events.slice(i, i + size).map((e) => writer.write(incoming(shop, e), now)))));
  }
  return stored;
}

const strip = (s: Awaited<ReturnType<typeof snapshot>>) =>
  JSON.parse(JSON.stringify(s, (k, v) => (k === "shop" ? undefined : typeof v === "bigint" ? v.toString() : v)));

describe.each(DIALECTS)("applying webhooks as they are stored, on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const events = eventStream({ customers: 60, seed: 4 });

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    for (const shop of SHOPS) await upsertShop(db, { domain: shop, name: shop, currencyCode: "USD", ianaTimezone: "UTC" });
  });
  afterAll(async () => close());

  it("leaves the same copy as the processor, applied and done when the delivery is acknowledged", async () => {
    for (const e of events) await enqueue(db, incoming(SHOPS[0]!, e), now);
    await new InboxProcessor(db, { batchSize: 50 }).drain();

    let pendingCalls = 0;
    const writer = new InboxWriter(db, { apply: applyNow, onPending: () => (pendingCalls += 1) });
    // Each event twice, the copy in the same group as the original or a later one: one effect each.
    const doubled = events.flatMap((e, i) => (i % 2 === 0 ? [e, e] : [e]));
    const stored = await writeInGroups(writer, SHOPS[1]!, doubled, 25);
    expect(stored.filter(Boolean).length).toBe(events.length);
    expect(await writeInGroups(writer, SHOPS[1]!, events.filter((_, i) => i % 2 === 1), 25)).toEqual(events.filter((_, i) => i % 2 === 1).map(() => false));

    // Nothing was left for a processor: every row is done, with the time it arrived.
    const statuses = await db.prisma.webhookEvent.groupBy({ by: ["status"], where: { shop: SHOPS[1]! }, _count: true });
    expect(statuses).toEqual([{ status: "done", _count: events.length }]);
    expect(pendingCalls).toBe(0);

    const expected = await snapshot(db, SHOPS[0]!);
    expect(expected.orders.length).toBeGreaterThan(100);
    expect(strip(await snapshot(db, SHOPS[1]!))).toEqual(strip(expected));
  });

  it("stores a group pending when applying it fails, and the processor applies it later", async () => {
    let pendingCalls = 0;
    const errors: unknown[] = [];
    const failing: ApplyOnStore = async (tx, list, at) => {
      // Part of the work is done before the failure: the rollback must undo it.
      await applyEvents(tx, list.slice(0, 5), at);
      throw new Error("the database went away");
    };
    const writer = new InboxWriter(db, { apply: failing, onApplyError: (e) => errors.push(e), onPending: () => (pendingCalls += 1) });
    const stored = await writeInGroups(writer, SHOPS[2]!, events, 40);
    expect(stored.every(Boolean)).toBe(true);
    expect(errors.length).toBe(Math.ceil(events.length / 40));
    expect(pendingCalls).toBeGreaterThan(0);
    expect(await db.prisma.order.count({ where: { shop: SHOPS[2]! } })).toBe(0);
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOPS[2]!, status: "pending" } })).toBe(events.length);

    await new InboxProcessor(db, { batchSize: 50 }).drain();
    expect(strip(await snapshot(db, SHOPS[2]!))).toEqual(strip(await snapshot(db, SHOPS[0]!)));
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOPS[2]!, status: "done" } })).toBe(events.length);
  });

  it("keeps a payload that does not fit with its error and applies the rest of its group", async () => {
    const shop = SHOPS[1]!;
    const writer = new InboxWriter(db, { apply: applyNow });
    const bad = { ...incoming(shop, events[0]!), eventId: "bad-order", topic: "orders/create", payload: JSON.stringify({ id: "not a number" }) };
    const good = { ...incoming(shop, events[0]!), eventId: "good-customer", topic: "customers/create", payload: JSON.stringify({ ...(events.find((e) => e.topic === "customers/create")!.payload as object), id: 990001, admin_graphql_api_id: "gid://shopify/Customer/990001", updated_at: "2026-06-01T00:00:00Z" }) };
    expect(await Promise.all([writer.write(bad, now), writer.write(good, now)])).toEqual([true, true]);
    const rows = await db.prisma.webhookEvent.findMany({ where: { shop, eventId: { in: ["bad-order", "good-customer"] } }, orderBy: { eventId: "asc" } });
    expect(rows.map((r) => [r.eventId, r.status, r.error === null])).toEqual([
      ["bad-order", "failed", false],
      ["good-customer", "done", true],
    ]);
    expect(await db.prisma.customer.count({ where: { shop, id: "990001" } })).toBe(1);
  });
});
