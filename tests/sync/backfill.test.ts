// Backfill and reconciliation against a local server that follows Shopify's Admin GraphQL contract
// (bulk operations, JSONL downloads, cost-based throttling), on both databases.
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { upsertShop } from "~/models/store.server";
import { AdminClient } from "~/sync/admin-client.server";
import { advanceBackfill, latestJobs, queueBackfill, type BulkJob } from "~/sync/backfill.server";
import { getCursor, reconcile } from "~/sync/reconcile.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { ROOT } from "../helpers/env";
import { startFakeShopify, type FakeShopify } from "../helpers/fake-shopify";
import { snapshot } from "../helpers/tables";

const TOKEN = "shpat_backfill";
const BULK = path.join(ROOT, "tests", "fixtures", "bulk");
const files = {
  customers: path.join(BULK, "customers.jsonl"),
  orders: path.join(BULK, "orders.jsonl"),
  products: path.join(BULK, "products.jsonl"),
};

describe.each(DIALECTS)("backfill on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let fake: FakeShopify | undefined;
  let shopCount = 0;

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
  });
  afterAll(async () => close());
  afterEach(async () => fake?.close());

  /** `sleep`: the client's (none: it does not wait at all; a function: a virtual clock's). */
  async function setUp(
    options: Partial<Parameters<typeof startFakeShopify>[0]> = {},
    sleep?: (ms: number) => Promise<void>,
  ) {
    const shop = `backfill-${dialect}-${++shopCount}.myshopify.com`;
    await upsertShop(db, { domain: shop, name: "Backfill", currencyCode: "USD", ianaTimezone: "UTC" });
    fake = await startFakeShopify({
      shop,
      accessToken: TOKEN,
      bulkFiles: files,
      bulkPollsUntilComplete: 2,
      ...options,
    });
    const client = new AdminClient({
      shop,
      accessToken: TOKEN,
      origin: fake.origin,
      sleep: sleep ?? (async () => {}),
    });
    return { shop, client, fake };
  }

  /** What the poller and the finish webhook do: advance until nothing is left to do. */
  async function runToEnd(shop: string, client: AdminClient, now = () => new Date()): Promise<BulkJob[]> {
    for (let i = 0; i < 50; i++) {
      const jobs = await advanceBackfill(db, { shop, client, now });
      if (jobs.every((j) => j.status === "done" || j.status === "failed")) return jobs;
    }
    throw new Error("backfill did not finish");
  }

  it("imports customers, products and orders with their lines, one bulk query at a time", async () => {
    const { shop, client, fake } = await setUp();
    expect(await queueBackfill(db, { shop, now: new Date() })).toBe(3);
    const jobs = await runToEnd(shop, client);
    expect(jobs.map((j) => [j.resource, j.status, j.rowsDone, j.error])).toEqual([
      ["customers", "done", 4, null],
      ["products", "done", 4, null],
      ["orders", "done", 3, null],
    ]);
    const copy = await snapshot(db, shop);
    expect(copy.customers).toHaveLength(4);
    expect(copy.orders).toHaveLength(3);
    expect(copy.lines.length).toBeGreaterThanOrEqual(4);
    expect(await db.prisma.product.count({ where: { shop } })).toBe(4);
    expect(copy.facts).toHaveLength(4);
    // Shopify allows one bulk query per shop at a time: every run waited for the previous one.
    const runs = fake.requests.filter((r) => r.operation === "bulkOperationRunQuery");
    expect(runs).toHaveLength(3);
    expect(
      fake.requests.some(
        (r) => r.operation === "bulkOperationRunQuery" && /OPERATION_IN_PROGRESS/.test(JSON.stringify(r)),
      ),
    ).toBe(false);
    // Reconciliation starts from the backfill's snapshot.
    expect(await getCursor(db, shop, "orders")).not.toBeNull();

    // A second full run changes nothing.
    await queueBackfill(db, { shop, now: new Date() });
    await runToEnd(shop, client);
    expect(await snapshot(db, shop)).toEqual(copy);
  });

  it.each([
    ["fails", (f: FakeShopify) => f.failNextBulk("INTERNAL_SERVER_ERROR"), /failed \(INTERNAL_SERVER_ERROR\)/],
    ["expires", (f: FakeShopify) => f.expireNextBulk(), /expired/],
  ])("starts an operation again when it %s", async (_label, breakIt, reason) => {
    const { shop, client, fake } = await setUp();
    breakIt(fake);
    await queueBackfill(db, { shop, now: new Date() });
    // First pass: the broken operation goes back to the queue, with its reason.
    let jobs: BulkJob[] = [];
    for (let i = 0; i < 5 && !jobs.some((j) => j.error); i++)
      jobs = await advanceBackfill(db, { shop, client, now: () => new Date() });
    expect(jobs.find((j) => j.resource === "customers")?.error).toMatch(reason);
    jobs = await runToEnd(shop, client);
    expect(jobs.every((j) => j.status === "done")).toBe(true);
    expect(jobs.find((j) => j.resource === "customers")?.attempts).toBe(2);
    expect(await db.prisma.customer.count({ where: { shop } })).toBe(4);
  });

  it("resumes an import whose process died, skipping what it had committed", async () => {
    const { shop, client } = await setUp();
    await queueBackfill(db, { shop, now: new Date() });
    // The customers' download breaks after the first record is committed (batch of one record: the
    // fixture is small, so interrupt inside the stream).
    let calls = 0;
    const brokenDownload = async (url: string) => {
      calls += 1;
      const response = await fetch(url);
      const body = response.body as unknown as AsyncIterable<Uint8Array>;
      return (async function* () {
        for await (const chunk of body) {
          yield chunk;
          throw new Error("connection reset");
        }
      })();
    };
    await expect(
      (async () => {
        for (let i = 0; i < 10; i++)
          await advanceBackfill(db, { shop, client, now: () => new Date(), download: brokenDownload });
      })(),
    ).rejects.toThrow("connection reset");
    expect(calls).toBe(1);
    const [customers] = await latestJobs(db, { shop });
    expect(customers?.status).toBe("importing");
    // Another worker, three minutes later, sees it stalled and takes it over.
    const later = () => new Date(Date.now() + 3 * 60_000);
    const jobs = await runToEnd(shop, client, later);
    expect(jobs.every((j) => j.status === "done")).toBe(true);
    expect(await db.prisma.customer.count({ where: { shop } })).toBe(4);
  });

  it("reconciles customers and orders changed since the cursor, respecting the throttle", async () => {
    // A virtual clock the fake's bucket reads and only the client's waits move: the bucket refills
    // while the client waits, never while the machine is slow (the test once depended on its speed).
    const clock = { t: 0, waits: [] as number[] };
    const { shop, client, fake } = await setUp(
      { throttle: { maximumAvailable: 1000, restoreRate: 1000, queryCost: 400 }, now: () => clock.t },
      async (ms) => {
        clock.waits.push(ms);
        clock.t += ms;
      },
    );
    const node = (i: number, updatedAt: string) => ({
      id: `gid://shopify/Customer/${900 + i}`,
      firstName: `C${i}`,
      lastName: "Late",
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt,
      tags: ["vip"],
      defaultEmailAddress: { emailAddress: `c${i}@example.com`, marketingState: "SUBSCRIBED" },
      defaultPhoneNumber: null,
      defaultAddress: { countryCodeV2: "DE", provinceCode: null, city: "Berlin" },
    });
    fake.setCustomers([
      node(1, "2026-01-05T00:00:00Z"),
      node(2, "2026-03-01T00:00:00Z"),
      ...Array.from({ length: 450 }, (_, i) => node(10 + i, "2026-03-02T00:00:00Z")),
    ]);
    fake.setOrders([]);
    const report = await reconcile(db, {
      shop,
      client,
      now: () => new Date("2026-03-03T00:00:00Z"),
      fallbackSince: new Date("2026-02-01T00:00:00Z"),
    });
    expect(report).toEqual({ customers: 451, orders: 0, errors: [] });
    expect(await db.prisma.customer.findFirst({ where: { shop, id: "901" } })).toBeNull(); // before the cursor
    expect(await db.prisma.customer.findFirstOrThrow({ where: { shop, id: "902" } })).toMatchObject({
      tags: "vip",
      emailMarketingState: "SUBSCRIBED",
      countryCode: "DE",
    });
    expect(await db.prisma.customerFacts.count({ where: { shop } })).toBe(451);
    expect(fake.requests.some((r) => r.throttled)).toBe(true);
    // It waited for the bucket each time it was throttled, as the answer's cost figures said.
    expect(clock.waits.length).toBeGreaterThanOrEqual(fake.requests.filter((r) => r.throttled).length);
    expect(clock.waits.every((ms) => ms > 0 && ms <= 1000)).toBe(true);
    expect((await getCursor(db, shop, "customers"))?.toISOString()).toBe("2026-03-03T00:00:00.000Z");
  });

  it("fetches every line of an order with more than one page of them, and writes no order with some lines missing", async () => {
    const { shop, client, fake } = await setUp();
    const line = (order: number, i: number) => ({
      id: `gid://shopify/LineItem/${order * 1000 + i}`,
      title: `Part ${i}`,
      sku: `P-${i}`,
      quantity: 1 + (i % 3),
      vendor: "Northloom",
      product: { id: `gid://shopify/Product/${500 + (i % 7)}`, productType: "Parts", vendor: "Northloom" },
      variant: { id: `gid://shopify/ProductVariant/${600 + i}` },
      originalUnitPriceSet: { shopMoney: { amount: "2.50", currencyCode: "USD" } },
    });
    const order = (n: number, lines: number, updatedAt: string) => ({
      id: `gid://shopify/Order/${n}`,
      name: `#${n}`,
      email: null,
      customer: { id: "gid://shopify/Customer/77" },
      createdAt: "2026-03-01T00:00:00Z",
      processedAt: "2026-03-01T00:00:00Z",
      updatedAt,
      cancelledAt: null,
      test: false,
      displayFinancialStatus: "PAID",
      totalPriceSet: { shopMoney: { amount: "10.00", currencyCode: "USD" } },
      totalRefundedSet: { shopMoney: { amount: "0.00", currencyCode: "USD" } },
      lineItems: Array.from({ length: lines }, (_, i) => line(n, i + 1)),
    });
    // 420 lines: the order's own page of 50, then 150, 150 and 70 from the follow-up query.
    fake.setCustomers([]);
    fake.setOrders([
      order(1, 420, "2026-03-02T00:00:00Z"),
      order(2, 3, "2026-03-02T00:00:01Z"),
      order(3, 50, "2026-03-02T00:00:02Z"),
    ]);
    const report = await reconcile(db, {
      shop,
      client,
      now: () => new Date("2026-03-03T00:00:00Z"),
      fallbackSince: new Date("2026-02-01T00:00:00Z"),
    });
    expect(report).toEqual({ customers: 0, orders: 3, errors: [] });
    const lines = async (id: string) =>
      db.prisma.orderLine.findMany({ where: { shop, orderId: id }, orderBy: { id: "asc" } });
    const big = await lines("1");
    expect(big).toHaveLength(420);
    expect(new Set(big.map((l) => l.id)).size).toBe(420);
    expect(big.reduce((sum, l) => sum + l.quantity, 0)).toBe(
      Array.from({ length: 420 }, (_, i) => 1 + ((i + 1) % 3)).reduce((a, b) => a + b),
    );
    expect(await lines("2")).toHaveLength(3);
    expect(await lines("3")).toHaveLength(50);
    const followUps = fake.requests.filter((r) => r.operation === "order");
    expect(followUps.map((r) => (r.variables as { first: number; id: string }).id)).toEqual(
      Array(3).fill("gid://shopify/Order/1"),
    );
    expect(followUps.every((r) => (r.variables as { first: number }).first === 150)).toBe(true);

    // An order deleted between its page and its follow-up: reported, and not written with 50 lines.
    const gone = order(4, 120, "2026-03-04T00:00:00Z");
    const firstPage = { nodes: gone.lineItems.slice(0, 50), pageInfo: { hasNextPage: true, endCursor: "after-50" } };
    // Served once with the orders page, then the order is deleted.
    const servedOnce = () => {
      fake.setOrders([]);
      return firstPage;
    };
    fake.setOrders([{ ...gone, lineItems: servedOnce }]);
    const second = await reconcile(db, {
      shop,
      client,
      now: () => new Date("2026-03-05T00:00:00Z"),
      fallbackSince: new Date("2026-02-01T00:00:00Z"),
    });
    expect(second.errors).toEqual(["order gid://shopify/Order/4: the order is gone; its line items could not be read"]);
    expect(await db.prisma.order.findFirst({ where: { shop, id: "4" } })).toBeNull();
    expect(await lines("4")).toHaveLength(0);
  });
});
