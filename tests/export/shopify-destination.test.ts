// The Shopify destination, complete, against the Admin GraphQL stand-in on both databases: a segment
// written as an app-owned boolean metafield per customer (metafieldsSet, 25 a call) by a job, true as
// members enter and false as they leave (a sync run: deltas only); and "create as a native Shopify
// segment" (segmentCreate) for a rule in Shopify's language, with Shopify's userErrors shown and a rule
// using Tailored's own attributes refused before any request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { getJob, queueJob } from "~/export/jobs.server";
import { createNativeSegment } from "~/export/native-segment.server";
import { adapterFactory, drainJobs } from "~/export/worker.server";
import { createSegment } from "~/models/segments/definitions.server";
import { writeMembershipChanges } from "~/models/segments/memberships.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { AdminClient } from "~/sync/admin-client.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { startFakeShopify, type FakeShopify } from "../helpers/fake-shopify";
import { customer } from "../helpers/rows";

const SHOP = "shopify-destination.myshopify.com";
const now = new Date("2026-06-02T00:00:00Z");
const ids = Array.from({ length: 30 }, (_, i) => String(8000 + i));

describe.each(DIALECTS)("Shopify destination on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let shopify: FakeShopify;
  let segmentId: number;
  const admin = () => new AdminClient({ shop: SHOP, accessToken: "shpat_dest", origin: shopify.origin });
  const adapters = () =>
    adapterFactory(db, { adminClient: async () => admin(), clientOptions: { sleep: async () => {} } });
  const flag = (id: string) =>
    shopify.exported.metafields.get(`gid://shopify/Customer/${id} $app:tailored.segment_${segmentId}`);

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    shopify = await startFakeShopify({ shop: SHOP, accessToken: "shpat_dest" });
    await upsertShop(db, { domain: SHOP, name: "Dest", currencyCode: "USD", ianaTimezone: "UTC" });
    await upsertCustomers(db, { shop: SHOP, now, rows: ids.map((id) => customer({ id, tags: ["vip"] })) });
    segmentId = await createSegment(db, { shop: SHOP, name: "VIP", query: "customer_tags CONTAINS 'vip'", now });
  });
  afterAll(async () => {
    await shopify.close();
    await close();
  });

  it("a job writes the segment's metafield on every member, 25 a call; a sync run turns a leaver's to false", async () => {
    const { job } = await queueJob(db, {
      shop: SHOP,
      segmentId,
      target: "shopify-metafield",
      mode: "full",
      now,
      keepInSync: true,
    });
    await drainJobs(db, { adapters: adapters(), shop: SHOP });
    expect(await getJob(db, { shop: SHOP, id: job.id })).toMatchObject({ status: "done", sent: 30, failed: 0 });
    for (const id of ids) expect(flag(id)).toBe("true");
    const calls = shopify.requests.filter((r) => r.operation === "metafieldsSet" && r.status === 200 && !r.throttled);
    expect(calls).toHaveLength(2);

    await db.transaction((tx) =>
      writeMembershipChanges(tx, {
        shop: SHOP,
        at: new Date(),
        changes: [{ segmentId, customerId: "8003", entered: false }],
      }),
    );
    const { job: sync } = await queueJob(db, { shop: SHOP, segmentId, target: "shopify-metafield", mode: "sync", now });
    await drainJobs(db, { adapters: adapters(), shop: SHOP });
    expect(await getJob(db, { shop: SHOP, id: sync.id })).toMatchObject({ status: "done", sent: 1 });
    expect(flag("8003")).toBe("false");
    expect(flag("8004")).toBe("true");
    expect(
      shopify.requests.filter((r) => r.operation === "metafieldsSet" && r.status === 200 && !r.throttled),
    ).toHaveLength(3);
  });

  it("creates a native Shopify segment for a rule in Shopify's language, and shows Shopify's userErrors", async () => {
    const name = `VIP ${dialect}`;
    const created = await createNativeSegment(admin(), { name, query: "customer_tags CONTAINS 'vip'" });
    expect(created).toMatchObject({ ok: true, id: expect.stringMatching(/^gid:\/\/shopify\/Segment\//) });
    expect(shopify.exported.segments.get(name)).toBe("customer_tags CONTAINS 'vip'");
    expect(await createNativeSegment(admin(), { name, query: "customer_tags CONTAINS 'vip'" })).toEqual({
      ok: false,
      error: "Shopify refused it: Name has already been taken",
    });
  });

  it("refuses a rule with Tailored's own attributes, sending nothing", async () => {
    const before = shopify.requests.length;
    const refused = await createNativeSegment(admin(), { name: "Champions", query: "rfm_group = 'CHAMPIONS'" });
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/rfm_group/) });
    expect(shopify.requests.length).toBe(before);
    expect(shopify.exported.segments.has("Champions")).toBe(false);
  });
});
