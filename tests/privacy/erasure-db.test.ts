// The erasure's cases through the inbox and its processor, on both databases: a customer deleted before
// the redact, a customer known by e-mail only, deliveries about the customer still pending or failed, an
// order of theirs that arrives later, a redact that names another shop; and the list of tables
// shop/redact empties held to the database's catalog.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { decoder, int, sql, text } from "~/db/sql";
import { CUSTOMER_TABLES, erasedCustomerKey, erasureKeyOf, SHOP_TABLES } from "~/models/erasure.server";
import { writeClusters, writePredictions } from "~/models/predictions/store.server";
import { createSegment } from "~/models/segments/definitions.server";
import { upsertShop } from "~/models/store.server";
import { storeEvent, retryFailed } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { payloads, scanTables, type Person } from "../helpers/privacy";

const SHOP = "erasure-db.myshopify.com";
const now = new Date("2026-06-02T00:00:00Z");
const at = (day: number) => new Date(Date.UTC(2025, 3, day)).toISOString();
const person = (n: number, first: string, last: string): Person => ({
  id: `73918462${String(n).padStart(5, "0")}`,
  email: `${first.toLowerCase()}.${last.toLowerCase()}@example.net`,
  firstName: first,
  lastName: last,
  phone: `+1778555${String(n).padStart(4, "0")}`,
});
const needles = (p: Person) => [p.id, p.email, p.firstName, p.lastName, p.phone];

describe.each(DIALECTS)("erasure through the processor on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let n = 0;
  const deliver = async (topic: string, body: string, options: { lockedUntil?: Date } = {}) => {
    const eventId = `e-${++n}`;
    await storeEvent(
      db,
      { shop: SHOP, topic, eventId, webhookId: null, apiVersion: "2025-07", triggeredAt: null, payload: body },
      now,
    );
    if (options.lockedUntil)
      await db.prisma.webhookEvent.update({
        where: { shop_eventId: { shop: SHOP, eventId } },
        data: { lockedUntil: options.lockedUntil },
      });
    return eventId;
  };
  const event = (eventId: string) =>
    db.prisma.webhookEvent.findUniqueOrThrow({ where: { shop_eventId: { shop: SHOP, eventId } } });
  const drain = () => new InboxProcessor(db, { now: () => now }).drain();

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Erasure", currencyCode: "USD", ianaTimezone: "UTC" });
    await createSegment(db, { shop: SHOP, name: "Buyers", query: "number_of_orders >= 1", now });
  });
  afterAll(async () => close());
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  /** The process's secrets: the current one and the previous one (undefined: not set). */
  const secrets = (current: string | undefined, previous?: string) => {
    vi.stubEnv("SHOPIFY_API_SECRET", current);
    vi.stubEnv("SHOPIFY_API_SECRET_PREVIOUS", previous);
  };
  /** Later deliveries about `p` (an update, and an order of theirs) bring nothing of them back. */
  const expectRefused = async (p: Person, orderId: string, day: number) => {
    await deliver("customers/update", payloads.customer(SHOP, p, at(day)));
    await deliver("orders/create", payloads.order(SHOP, orderId, p, { updatedAt: at(day) }));
    await drain();
    expect(await db.prisma.customer.count({ where: { shop: SHOP, id: p.id } })).toBe(0);
    expect(await db.prisma.order.findFirstOrThrow({ where: { shop: SHOP, id: orderId } })).toMatchObject({
      customerId: null,
      email: null,
    });
    expect(await scanTables(db, needles(p))).toEqual([]);
  };
  const customerTombstones = async () =>
    (await db.prisma.tombstone.findMany({ where: { shop: SHOP, kind: "customer-erased" } })).map((t) => t.id);

  it("erases a customer deleted before the redact: the tombstone with their id gives way to a hashed one", async () => {
    const p = person(1, "Euphemia", "Thistlewood");
    await deliver("customers/create", payloads.customer(SHOP, p, at(1)));
    await deliver("orders/create", payloads.order(SHOP, "6600000000011", p));
    await deliver("customers/delete", JSON.stringify({ id: Number(p.id) }));
    await drain();
    expect(await db.prisma.tombstone.count({ where: { shop: SHOP, kind: "customer", id: p.id } })).toBe(1);
    await deliver("customers/redact", payloads.customerRedact(SHOP, p, []));
    await drain();
    expect(await scanTables(db, needles(p))).toEqual([]);
    const tombstones = await db.prisma.tombstone.findMany({ where: { shop: SHOP, kind: "customer-erased" } });
    expect(tombstones.map((t) => t.id)).toEqual([erasedCustomerKey(SHOP, p.id, (await erasureKeyOf(db, SHOP))!)]);
    expect(await db.prisma.order.findFirstOrThrow({ where: { shop: SHOP, id: "6600000000011" } })).toMatchObject({
      customerId: null,
      email: null,
    });
  });

  it("blanks pending and failed deliveries about the customer, and leaves an id that only contains theirs alone", async () => {
    const p = person(2, "Leopoldine", "Wrexham");
    const q = person(3, "Saoirse", "Ballantyne");
    await deliver("customers/create", payloads.customer(SHOP, p, at(1)));
    await deliver("customers/create", payloads.customer(SHOP, q, at(1)));
    // A failed delivery about a product whose id holds the customer's digits inside a longer number.
    const lookalike = await deliver(
      "products/update",
      JSON.stringify({
        ...JSON.parse(payloads.product(SHOP)),
        id: Number(`9${p.id}`),
        admin_graphql_api_id: `gid://shopify/Product/9${p.id}`,
        title: 7,
      }),
    );
    const failed = await deliver(
      "orders/create",
      JSON.stringify({ ...JSON.parse(payloads.order(SHOP, "6600000000021", p)), line_items: "no" }),
    );
    const failedOther = await deliver(
      "orders/create",
      JSON.stringify({ ...JSON.parse(payloads.order(SHOP, "6600000000031", q)), line_items: "no" }),
    );
    await drain();
    // Held by another processor (leased): still pending when the redact is applied.
    const held = await deliver("customers/update", payloads.customer(SHOP, p, at(3)), {
      lockedUntil: new Date(now.getTime() + 60_000),
    });
    // Their order, not yet applied either: the sale stays the shop's, without them.
    const sale = await deliver("orders/create", payloads.order(SHOP, "6600000000022", p, { updatedAt: at(3) }), {
      lockedUntil: new Date(now.getTime() + 60_000),
    });
    await deliver("customers/redact", payloads.customerRedact(SHOP, { ...p, email: p.email.toUpperCase() }, []));
    await drain();
    for (const eventId of [failed, held]) {
      expect(await event(eventId)).toMatchObject({
        status: "done",
        payload: "",
        error: "erased (customers/redact) before it was applied",
      });
    }
    expect(await event(failedOther)).toMatchObject({ status: "failed" });
    expect((await event(failedOther)).payload).toContain(q.email);
    expect(await event(lookalike)).toMatchObject({ status: "failed", payload: expect.stringContaining(`9${p.id}`) });
    await db.prisma.webhookEvent.delete({ where: { shop_eventId: { shop: SHOP, eventId: lookalike } } });
    expect(await scanTables(db, needles(p))).toEqual([]);
    expect((await event(sale)).status).toBe("pending");
    expect((await event(sale)).payload).not.toBe("");
    await db.prisma.webhookEvent.update({
      where: { shop_eventId: { shop: SHOP, eventId: sale } },
      data: { lockedUntil: null },
    });
    await drain();
    expect(await event(sale)).toMatchObject({ status: "done", payload: "", error: null });
    expect(await db.prisma.order.findFirstOrThrow({ where: { shop: SHOP, id: "6600000000022" } })).toMatchObject({
      customerId: null,
      email: null,
      totalMinor: expect.anything(),
    });
    expect(await scanTables(db, needles(p))).toEqual([]);
    expect((await scanTables(db, [q.email])).length).toBeGreaterThan(0);
    // The Sync page's retry of the other customer's failed delivery still has its payload to apply.
    expect(await retryFailed(db, { shop: SHOP, seqs: [(await event(failedOther)).seq] })).toBe(1);
    await drain();
    expect(await event(failedOther)).toMatchObject({ status: "failed", error: expect.stringContaining("line_items") });
    expect((await event(failedOther)).payload).toContain(q.email);
  });

  it("erases a customer known by e-mail only, and an order of theirs that comes later goes in without them", async () => {
    const p = person(4, "Cosimo", "Hargreave");
    await deliver("customers/create", payloads.customer(SHOP, p, at(1)));
    await deliver("orders/create", payloads.order(SHOP, "6600000000041", p));
    await drain();
    const [segment] = await db.prisma.segment.findMany({ where: { shop: SHOP } });
    const members = segment!.memberCount;
    expect(await db.prisma.segmentMember.count({ where: { shop: SHOP, customerId: p.id } })).toBe(1);
    await deliver(
      "customers/redact",
      JSON.stringify({ shop_domain: SHOP, customer: { email: p.email }, orders_to_redact: [] }),
    );
    await deliver("orders/create", payloads.order(SHOP, "6600000000042", p));
    await deliver("customers_marketing_consent/update", payloads.smsConsent(SHOP, p));
    // One that does not fit, about them: failed, without its payload.
    const broken = await deliver(
      "orders/create",
      JSON.stringify({ ...JSON.parse(payloads.order(SHOP, "6600000000043", p)), line_items: "no" }),
    );
    await drain();
    expect(await event(broken)).toMatchObject({
      status: "failed",
      payload: "",
      error: expect.stringContaining("payload not kept: it names an erased customer"),
    });
    expect(await scanTables(db, needles(p))).toEqual([]);
    expect((await db.prisma.segment.findUniqueOrThrow({ where: { id: segment!.id } })).memberCount).toBe(members - 1);
    expect(await db.prisma.segmentMember.count({ where: { segmentId: segment!.id } })).toBe(members - 1);
    expect(
      await db.prisma.order.findMany({
        where: { shop: SHOP, id: { in: ["6600000000041", "6600000000042"] } },
        select: { customerId: true, email: true },
      }),
    ).toEqual([
      { customerId: null, email: null },
      { customerId: null, email: null },
    ]);
  });

  it.each([
    { name: "the secret rotated, the previous one dropped", before: "old-secret", after: "new-secret", n: 7 },
    { name: "a process without any secret", before: "old-secret", after: undefined, n: 8 },
    { name: "a redact applied without a secret, later ones with one", before: undefined, after: "new-secret", n: 9 },
  ])("keeps an erased customer erased: $name", async ({ before, after, n: k }) => {
    const p = person(k, "Ottoline", `Quenby${k}`);
    const orderId = `66000000000${k}1`;
    secrets(before);
    await deliver("customers/create", payloads.customer(SHOP, p, at(1)));
    await deliver("orders/create", payloads.order(SHOP, `66000000000${k}0`, p));
    await deliver("customers/redact", payloads.customerRedact(SHOP, p, []));
    await drain();
    expect(await scanTables(db, needles(p))).toEqual([]);
    secrets(after);
    await expectRefused(p, orderId, 5);
    secrets(after, "unrelated-previous");
    await expectRefused(p, `66000000000${k}2`, 6);
  });

  it("matches tombstones written under the app's secret before the shop had a key, and rewrites them under it", async () => {
    const p = person(10, "Wilhelmina", "Ashcombe");
    const q = person(11, "Barnaby", "Fothergill");
    const legacy = [erasedCustomerKey(SHOP, p.id, "old-secret"), erasedCustomerKey(SHOP, q.id, "tailored-erasure")];
    for (const id of legacy)
      await db.prisma.tombstone.create({ data: { shop: SHOP, kind: "customer-erased", id, deletedAt: now } });
    // During the rotation: the old secret is the previous one.
    secrets("new-secret", "old-secret");
    await expectRefused(p, "6600000000101", 5);
    // Written without a secret: the fixed key, whatever the process has.
    secrets("new-secret");
    await expectRefused(q, "6600000000111", 5);
    const key = (await erasureKeyOf(db, SHOP))!;
    const tombstones = await customerTombstones();
    for (const id of legacy) expect(tombstones).not.toContain(id);
    expect(tombstones).toEqual(
      expect.arrayContaining([erasedCustomerKey(SHOP, p.id, key), erasedCustomerKey(SHOP, q.id, key)]),
    );
    // The old secret gone: they still match.
    secrets(undefined);
    await expectRefused(p, "6600000000102", 6);
    await expectRefused(q, "6600000000112", 6);
  });

  it("erases everything of a shop without a Shop row (erased already) on a compliance delivery, making none", async () => {
    // In production a shop without a row is one shop/redact erased: deliveries for it are refused at
    // the door, but another process may take its compliance topics until its next full refresh.
    const shop = "erasure-db-rowless.myshopify.com";
    const p = person(14, "Hyacinth", "Morrow");
    const put = (topic: string, body: string) =>
      storeEvent(
        db,
        {
          shop,
          topic,
          eventId: `rowless-${++n}`,
          webhookId: null,
          apiVersion: "2025-07",
          triggeredAt: null,
          payload: body,
        },
        now,
      );
    await put("customers/create", payloads.customer(shop, p, at(1)));
    await drain();
    await put("customers/redact", payloads.customerRedact(shop, p, []));
    await drain();
    expect(await db.prisma.customer.count({ where: { shop } })).toBe(0);
    expect(await db.prisma.shop.count({ where: { domain: shop } })).toBe(0);
    expect(await db.prisma.tombstone.count({ where: { shop } })).toBe(0);
    expect(await db.prisma.webhookEvent.count({ where: { shop } })).toBe(0);
  });

  it("keeps no payload of a failed delivery about a redacted guest order", async () => {
    const guest = person(12, "Perpetua", "Dunmore");
    const orderId = "6600000000121";
    await deliver("orders/create", payloads.order(SHOP, orderId, null, { guest }));
    await drain();
    expect(await db.prisma.order.findFirstOrThrow({ where: { shop: SHOP, id: orderId } })).toMatchObject({
      customerId: null,
      email: guest.email,
    });
    await deliver(
      "customers/redact",
      JSON.stringify({ shop_domain: SHOP, customer: { email: guest.email }, orders_to_redact: [Number(orderId)] }),
    );
    await drain();
    const broken = await deliver(
      "orders/updated",
      JSON.stringify({
        ...JSON.parse(payloads.order(SHOP, orderId, null, { guest, updatedAt: at(9) })),
        line_items: "no",
      }),
    );
    // Another guest's failed order keeps its payload for the merchant's retry.
    const other = person(13, "Lucasta", "Penhaligon");
    const kept = await deliver(
      "orders/updated",
      JSON.stringify({
        ...JSON.parse(payloads.order(SHOP, "6600000000131", null, { guest: other })),
        line_items: "no",
      }),
    );
    await drain();
    expect(await event(broken)).toMatchObject({
      status: "failed",
      payload: "",
      error: expect.stringContaining("payload not kept"),
    });
    expect(await event(kept)).toMatchObject({ status: "failed", payload: expect.stringContaining(other.email) });
    await db.prisma.webhookEvent.delete({ where: { shop_eventId: { shop: SHOP, eventId: kept } } });
    expect(await scanTables(db, [guest.email, guest.phone])).toEqual([]);
  });

  it("refuses a redact whose body names another shop, erasing nothing and keeping no payload", async () => {
    const p = person(5, "Ignatius", "Pemberton");
    await deliver("customers/create", payloads.customer(SHOP, p, at(1)));
    const wrong = await deliver("customers/redact", payloads.customerRedact("elsewhere.myshopify.com", p, []));
    const wrongShop = await deliver("shop/redact", payloads.shopRedact("elsewhere.myshopify.com"));
    await drain();
    for (const eventId of [wrong, wrongShop]) {
      expect(await event(eventId)).toMatchObject({
        status: "failed",
        payload: "",
        error: "shop_domain: names another shop than the delivery; nothing erased",
      });
    }
    expect(await db.prisma.customer.count({ where: { shop: SHOP, id: p.id } })).toBe(1);
    expect(await db.prisma.shop.count({ where: { domain: SHOP } })).toBe(1);
  });

  it("applies nothing of a shop after its shop/redact in the same batch", async () => {
    const shop = "erasure-db-gone.myshopify.com";
    await upsertShop(db, { domain: shop, name: "Gone", currencyCode: "USD", ianaTimezone: "UTC" });
    const p = person(6, "Thaddeus", "Orlebar");
    const put = (topic: string, body: string) =>
      storeEvent(
        db,
        {
          shop,
          topic,
          eventId: `gone-${++n}`,
          webhookId: null,
          apiVersion: "2025-07",
          triggeredAt: null,
          payload: body,
        },
        now,
      );
    await put("customers/create", payloads.customer(shop, p, at(1)));
    await put("shop/redact", payloads.shopRedact(shop));
    await put("orders/create", payloads.order(shop, "6600000000061", p));
    await put("customer.tags_added", payloads.tagsAdded(shop, p, ["late"], at(2)));
    expect(await drain()).toBe(4);
    expect(await scanTables(db, [shop, ...needles(p)])).toEqual([]);
  });

  it("knows every table: shop/redact empties each one that has a shop column, and every other is accounted for", async () => {
    const tables = decoder({ t: text, s: int });
    const rows =
      db.dialect === "sqlite"
        ? await db.all(
            sql`SELECT m."name" AS t, (SELECT COUNT(*) FROM pragma_table_info(m."name") c WHERE c."name" = 'shop') AS s FROM sqlite_schema m WHERE m."type" = 'table' AND m."name" NOT LIKE 'sqlite_%'`,
            tables,
          )
        : await db.all(
            sql`SELECT t.table_name AS t, (SELECT COUNT(*) FROM information_schema.columns c WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'shop') AS s
             FROM information_schema.tables t WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
            tables,
          );
    const withShop = rows
      .filter((r) => r.s > 0)
      .map((r) => r.t)
      .sort();
    const without = rows
      .filter((r) => r.s === 0)
      .map((r) => r.t)
      .sort();
    expect(withShop).toEqual([...SHOP_TABLES].sort());
    // Shop goes by its domain; the migrations' own table holds no shop's data.
    expect(without).toEqual(["Shop", "_tailored_migrations"]);
    for (const table of CUSTOMER_TABLES) expect(withShop).toContain(table);
  });

  // Last: its redact gives the shop an erasure key, which the tests above expect it not to have yet.
  it("erases the customer's predictions and cluster with them, and keeps the others'", async () => {
    // Numbers no earlier case erased (an erased id's customers/create is refused by its tombstone).
    const p = person(15, "Ottoline", "Quennell");
    const q = person(16, "Barnaby", "Featherstonehaugh");
    await deliver("customers/create", payloads.customer(SHOP, p, at(1)));
    await deliver("customers/create", payloads.customer(SHOP, q, at(1)));
    await drain();
    const scored = (id: string) => ({
      customerId: id,
      pAlive: 0.5,
      expectedOrders90d: 0.25,
      predictedClvMinor: 1234n,
      predictedSpendTier: "HIGH",
      churnRisk: "MEDIUM",
    });
    await writePredictions(db, { shop: SHOP, rows: [scored(p.id), scored(q.id)], computedAt: now });
    await writeClusters(db, {
      shop: SHOP,
      rows: [p, q].map((x) => ({ customerId: x.id, clusterId: 1, clusterName: "frequent, high spend" })),
      computedAt: now,
    });
    // Both are the shop's customers when the refit writes (it keeps no one the shop does not have).
    expect(await db.prisma.customerPrediction.count({ where: { shop: SHOP } })).toBe(2);
    await deliver("customers/redact", payloads.customerRedact(SHOP, p, []));
    await drain();
    expect(await scanTables(db, needles(p))).toEqual([]);
    expect(await db.prisma.customerPrediction.count({ where: { shop: SHOP, customerId: p.id } })).toBe(0);
    expect(await db.prisma.customerPrediction.count({ where: { shop: SHOP, customerId: q.id } })).toBe(1);
  });
});
