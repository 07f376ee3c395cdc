// Materialised memberships: a full recompute in the database, and the per-event path in memory,
// must leave the same members; entering and leaving are recorded with their time.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { decoder, int, sql, text } from "~/db/sql";
import { countMatching, matchingIds, segmentDetail } from "~/models/segments/read-models.server";
import { createSegment, deleteSegment, listSegments } from "~/models/segments/definitions.server";
import { recomputeProductTagSegments, recomputeSegment, recomputeSegments } from "~/models/segments/recompute.server";
import { SegmentRuleError } from "~/models/segments/errors";
import { shopContext } from "~/models/segments/rules.server";
import { upsertProducts, upsertShop } from "~/models/store.server";
import { demoProducts } from "~/demo/generator";
import { storeEvent } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { parse } from "~/domain/segments/query-language";
import { cliJson } from "../helpers/cli";
import { createTestDb, DIALECTS } from "../helpers/db";
import { ROOT } from "../helpers/env";
import { eventStream } from "../helpers/payloads";

const SHOP = "members.myshopify.com";
const QUERIES = {
  repeat: "number_of_orders >= 2",
  big: "amount_spent >= 150",
  recent: "last_order_date >= -60d",
  none: "number_of_orders = 0",
  // Read from the orders themselves (the per-event path loads them only because these exist).
  roasters: "products_purchased MATCHES (vendor = 'Tailored Roasters', sum_quantity >= 2)",
  espresso: "products_purchased MATCHES (tag = 'espresso', date >= -90d)",
  twice: "orders_placed MATCHES (count_at_least = 2, date >= -1y)",
  noTea: "products_purchased NOT MATCHES (tag IN ('black-tea', 'green-tea'))",
  nyc: "customer_cities CONTAINS 'US-NY-NewYork'",
};

/**
 * Every customer's Customer.segmentIds names exactly the segments SegmentMember has them in: the two
 * sides of one fact, written together.
 */
async function expectListsMatchMembers(db: Db): Promise<void> {
  const members = new Map<string, number[]>();
  for (const m of await db.prisma.segmentMember.findMany({ where: { shop: SHOP } })) {
    members.set(
      m.customerId,
      [...(members.get(m.customerId) ?? []), m.segmentId].sort((a, b) => a - b),
    );
  }
  const customers = await db.prisma.customer.findMany({
    where: { shop: SHOP },
    select: { id: true, segmentIds: true },
  });
  const mismatched = customers.filter((c) => {
    expect(c.segmentIds).toMatch(/^,(\d+,)*$/);
    const listed = c.segmentIds
      .split(",")
      .filter(Boolean)
      .map(Number)
      .sort((a, b) => a - b);
    return JSON.stringify(listed) !== JSON.stringify(members.get(c.id) ?? []);
  });
  expect(mismatched).toEqual([]);
  expect(customers.some((c) => c.segmentIds !== ",")).toBe(true);
}

describe.each(DIALECTS)("segment memberships on %s", (dialect) => {
  let db: Db;
  let url: string;
  let close: () => Promise<void>;
  const events = eventStream({ customers: 120, seed: 8 });
  const now = new Date("2026-06-02T00:00:00Z");

  beforeAll(async () => {
    ({ db, url, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Members", currencyCode: "USD", ianaTimezone: "Europe/Berlin" });
    // The catalogue the stream's orders were drawn from, for product tags.
    const products = demoProducts({
      seed: 8,
      customers: 120,
      now: new Date("2026-06-01T00:00:00Z"),
      shopDomain: "events.myshopify.com",
    });
    await upsertProducts(db, { shop: SHOP, rows: products, now });
  });
  afterAll(async () => close());

  it("keeps memberships current event by event, exactly as a full recompute would", async () => {
    // Segments exist before the data arrives: every member enters through the per-event path.
    const ids: Record<string, number> = {};
    for (const [name, query] of Object.entries(QUERIES))
      ids[name] = await createSegment(db, { shop: SHOP, name, query, now });
    expect((await listSegments(db, { shop: SHOP, now })).map((s) => s.memberCount)).toEqual(
      Object.keys(QUERIES).map(() => 0),
    );

    const processor = new InboxProcessor(db, { batchSize: 40, now: () => now });
    for (const e of events) {
      await storeEvent(
        db,
        {
          shop: SHOP,
          topic: e.topic,
          eventId: e.eventId,
          webhookId: null,
          apiVersion: null,
          triggeredAt: null,
          payload: JSON.stringify(e.payload),
        },
        now,
      );
    }
    await processor.drain();

    const ctx = await shopContext(db, { shop: SHOP, now });
    for (const [name, query] of Object.entries(QUERIES)) {
      const parsed = parse(query);
      if (!parsed.ok) throw new Error(query);
      const expected = await countMatching(db, { shop: SHOP, rule: parsed.rule, ctx });
      const segment = (await listSegments(db, { shop: SHOP, now })).find((s) => s.name === name)!;
      expect([name, segment.memberCount]).toEqual([name, expected]);
      // Nothing for a full recompute to correct.
      expect(await recomputeSegment(db, { shop: SHOP, segmentId: ids[name]!, ctx })).toEqual({
        entered: 0,
        left: 0,
        members: expected,
      });
    }
    const segments = await listSegments(db, { shop: SHOP, now });
    const repeat = segments.find((s) => s.name === "repeat")!;
    expect(repeat.memberCount).toBeGreaterThan(10);
    // The purchase and city rules select someone, and not everyone.
    for (const name of ["roasters", "espresso", "twice", "noTea", "nyc"]) {
      const count = segments.find((s) => s.name === name)!.memberCount;
      expect([name, count > 0 && count < 120]).toEqual([name, true]);
    }
    // Cancellations and deletions in the stream made some customers leave again.
    expect(await db.prisma.segmentEvent.count({ where: { shop: SHOP, entered: false } })).toBeGreaterThan(0);
    const entered = await db.prisma.segmentEvent.count({ where: { shop: SHOP, segmentId: repeat.id, entered: true } });
    const left = await db.prisma.segmentEvent.count({ where: { shop: SHOP, segmentId: repeat.id, entered: false } });
    expect(entered - left).toBe(repeat.memberCount);
    expect(repeat.change7d).toBe(repeat.memberCount);
    await expectListsMatchMembers(db);
  });

  it("draws a segment's size over time from its events, with a profile and its members", async () => {
    const repeat = (await listSegments(db, { shop: SHOP, now })).find((seg) => seg.name === "repeat")!;
    // Made today, its history is today alone; made earlier, the whole window is drawn.
    expect((await segmentDetail(db, { shop: SHOP, id: repeat.id, now, days: 10 }))?.sizeOverTime).toHaveLength(1);
    await db.prisma.segment.update({
      where: { id: repeat.id },
      data: { createdAt: new Date(now.getTime() - 20 * 86_400_000) },
    });
    const detail = await segmentDetail(db, { shop: SHOP, id: repeat.id, now, days: 10 });
    expect(detail?.sizeOverTime).toHaveLength(10);
    expect(detail?.sizeOverTime.at(-1)?.size).toBe(repeat.memberCount);
    expect(detail?.members.length).toBe(Math.min(25, repeat.memberCount));
    expect(Number(detail?.profile.averageOrders)).toBeGreaterThanOrEqual(2);
    expect(await segmentDetail(db, { shop: SHOP, id: 99999, now })).toBeNull();
  });

  it("lets a deleted customer leave every segment", async () => {
    const member = await db.prisma.segmentMember.findFirstOrThrow({ where: { shop: SHOP } });
    await storeEvent(
      db,
      {
        shop: SHOP,
        topic: "customers/delete",
        eventId: "delete-1",
        webhookId: null,
        apiVersion: null,
        triggeredAt: null,
        payload: JSON.stringify({ id: Number(member.customerId) }),
      },
      now,
    );
    await new InboxProcessor(db, { now: () => now }).drain();
    expect(await db.prisma.segmentMember.count({ where: { shop: SHOP, customerId: member.customerId } })).toBe(0);
    expect(
      await db.prisma.segmentEvent.count({ where: { shop: SHOP, customerId: member.customerId, entered: false } }),
    ).toBeGreaterThan(0);
    await expectListsMatchMembers(db);
  });

  it("recomputes in chunks and in passes of 90 segments (three mask columns), writing only what changed", async () => {
    // 96 segments (a pass of three 30-bit mask columns, then one of 6), a chunk of 7 customers: time
    // moves on 45 days, so the relative-date rules lose and gain members, and every change is written once.
    const later = new Date(now.getTime() + 45 * 86_400_000);
    const queries = Array.from(
      { length: 90 },
      (_, i) => `last_order_date >= -${10 + (i % 30) * 3 + Math.floor(i / 30)}d OR amount_spent >= ${400 + i * 10}`,
    );
    queries.push(
      "number_of_orders >= 1",
      "days_since_last_order < 50",
      "customer_added_date < -30d",
      "number_of_orders = 0",
    );
    // Purchase rules read only the chunk's customers' orders: the same members as over the whole shop.
    queries.push(
      "orders_placed MATCHES (count_at_least = 2, date >= -120d)",
      "products_purchased MATCHES (sum_quantity >= 3)",
    );
    const ids: number[] = [];
    for (const [i, query] of queries.entries())
      ids.push(await createSegment(db, { shop: SHOP, name: `batch-${i}`, query, now }));
    const before = new Map<number, Set<string>>();
    for (const id of ids) {
      before.set(
        id,
        new Set(
          (await db.prisma.segmentMember.findMany({ where: { shop: SHOP, segmentId: id } })).map((m) => m.customerId),
        ),
      );
    }
    const progress: [number, number][] = [];
    const ctx = await shopContext(db, { shop: SHOP, now: later });
    const results = await recomputeSegments(db, {
      shop: SHOP,
      ctx,
      segmentIds: ids,
      chunkSize: 7,
      onProgress: (d, t) => progress.push([d, t]),
    });
    const customers = await db.prisma.customer.count({ where: { shop: SHOP } });
    expect(progress.at(-1)).toEqual([customers * 2, customers * 2]);
    expect(progress.length).toBe(2 * Math.ceil(customers / 7));
    expect(progress.every(([d], i) => i === 0 || d > progress[i - 1]![0])).toBe(true);
    let changed = 0;
    for (const [i, id] of ids.entries()) {
      const parsed = parse(queries[i]!);
      if (!parsed.ok) throw new Error(queries[i]);
      const expected = new Set(await matchingIds(db, { shop: SHOP, rule: parsed.rule, ctx }));
      const members = new Set(
        (await db.prisma.segmentMember.findMany({ where: { shop: SHOP, segmentId: id } })).map((m) => m.customerId),
      );
      expect(members).toEqual(expected);
      if (queries[i]!.includes("MATCHES"))
        expect([queries[i], expected.size > 0 && expected.size < customers]).toEqual([queries[i], true]);
      const old = before.get(id)!;
      const entered = [...expected].filter((c) => !old.has(c)).length;
      const left = [...old].filter((c) => !expected.has(c)).length;
      changed += entered + left;
      const result = results.find((r) => r.segmentId === id)!;
      expect(result).toMatchObject({ entered, left, members: expected.size });
      expect(await db.prisma.segmentEvent.count({ where: { shop: SHOP, segmentId: id, at: later } })).toBe(
        entered + left,
      );
      const segment = await db.prisma.segment.findUniqueOrThrow({ where: { id } });
      expect([segment.memberCount, segment.lastComputedAt?.getTime()]).toEqual([expected.size, later.getTime()]);
    }
    expect(changed).toBeGreaterThan(20);
    // A second pass over an unchanged shop writes nothing.
    const events = await db.prisma.segmentEvent.count();
    const again = await recomputeSegments(db, { shop: SHOP, ctx, segmentIds: ids, chunkSize: 7 });
    expect(again.every((r) => r.entered === 0 && r.left === 0)).toBe(true);
    expect(await db.prisma.segmentEvent.count()).toBe(events);
    await expectListsMatchMembers(db);
    // Deleted segments leave the customers' lists too.
    for (const id of ids) expect(await deleteSegment(db, { shop: SHOP, id })).toBe(true);
    const listed = await db.prisma.customer.findMany({ where: { shop: SHOP }, select: { segmentIds: true } });
    expect(listed.filter((c) => ids.some((id) => c.segmentIds.includes(`,${id},`)))).toEqual([]);
    await expectListsMatchMembers(db);
  });

  it("refuses a query with a mistake, saying where, and saves nothing", async () => {
    const before = await db.prisma.segment.count();
    await expect(createSegment(db, { shop: SHOP, name: "bad", query: "amount_spent >= ", now })).rejects.toThrow(
      SegmentRuleError,
    );
    await expect(createSegment(db, { shop: SHOP, name: "bad", query: "amount_spent >= ", now })).rejects.toThrow(
      /line 1, col 17/,
    );
    expect(await db.prisma.segment.count()).toBe(before);
  });

  it("moves members when a product's tags change, once the segments testing tags are recomputed", async () => {
    const id = await createSegment(db, {
      shop: SHOP,
      name: "limited",
      query: "products_purchased MATCHES (tag = 'limited-edition')",
      now,
    });
    expect((await db.prisma.segment.findUniqueOrThrow({ where: { id } })).memberCount).toBe(0);
    // The product most customers bought (in orders that count).
    const [top] = await db.all(
      sql`SELECT l."productId" AS id, COUNT(DISTINCT o."customerId") AS n FROM "OrderLine" l JOIN "Order" o ON o."shop" = l."shop" AND o."id" = l."orderId"
       WHERE l."shop" = ${SHOP} AND l."productId" IS NOT NULL AND o."cancelledAt" IS NULL GROUP BY l."productId" ORDER BY n DESC, id LIMIT 1`,
      decoder({ id: text, n: int }),
    );
    const productId = top!.id;
    const fixture = JSON.parse(
      fs.readFileSync(path.join(ROOT, "tests", "fixtures", "webhooks", "products__update.json"), "utf8"),
    );
    const payload = {
      ...fixture,
      id: Number(productId),
      admin_graphql_api_id: `gid://shopify/Product/${productId}`,
      tags: "limited-edition, coffee",
      updated_at: "2026-06-01T12:00:00Z",
    };
    const retagged: string[] = [];
    const processor = new InboxProcessor(db, { now: () => now, onProductTagsChanged: (shop) => retagged.push(shop) });
    const send = async (eventId: string, topic: string, body: unknown) => {
      await storeEvent(
        db,
        {
          shop: SHOP,
          topic,
          eventId,
          webhookId: null,
          apiVersion: null,
          triggeredAt: null,
          payload: JSON.stringify(body),
        },
        now,
      );
      await processor.drain();
    };
    const members = async () =>
      new Set(
        (await db.prisma.segmentMember.findMany({ where: { shop: SHOP, segmentId: id } })).map((m) => m.customerId),
      );
    const expected = async () => {
      const parsed = parse("products_purchased MATCHES (tag = 'limited-edition')");
      if (!parsed.ok) throw new Error("query");
      return new Set(
        await matchingIds(db, { shop: SHOP, rule: parsed.rule, ctx: await shopContext(db, { shop: SHOP, now }) }),
      );
    };

    await send("retag-1", "products/update", payload);
    expect(retagged).toEqual([SHOP]);
    const results = await recomputeProductTagSegments(db, { shop: SHOP, now });
    // Only the segments that test product tags are recomputed.
    expect(results.map((r) => r.segmentId)).toContain(id);
    expect(results.every((r) => r.segmentId === id || r.name === "espresso" || r.name === "noTea")).toBe(true);
    const buyers = await expected();
    expect(buyers.size).toBe(top!.n);
    expect(await members()).toEqual(buyers);

    // The same tags again (another update of the product): nothing to recompute.
    await send("retag-2", "products/update", { ...payload, updated_at: "2026-06-01T13:00:00Z", title: "Renamed" });
    expect(retagged).toEqual([SHOP]);

    // The product is deleted: its tags go with it, and so do the members — here applied by the CLI's
    // worker (`tailored process-webhooks --once`), which recomputes those segments after its drain.
    await storeEvent(
      db,
      {
        shop: SHOP,
        topic: "products/delete",
        eventId: "retag-3",
        webhookId: null,
        apiVersion: null,
        triggeredAt: null,
        payload: JSON.stringify({ id: Number(productId) }),
      },
      now,
    );
    expect(await cliJson(url, "process-webhooks", "--once")).toEqual({ processed: 1 });
    expect(await members()).toEqual(new Set());
    await expectListsMatchMembers(db);
    expect(await deleteSegment(db, { shop: SHOP, id })).toBe(true);
  });
});
