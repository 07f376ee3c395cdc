import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { shopStats } from "~/models/stats.server";
import { recomputeFacts, upsertCustomers, upsertOrders, upsertProducts, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { customer, line, order, t } from "../helpers/rows";

const SHOP = "store-test.myshopify.com";
const OTHER = "other-shop.myshopify.com";
const now = t("2025-06-01T00:00:00Z");

describe.each(DIALECTS)("store on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
  });
  afterAll(async () => close());
  beforeEach(async () => {
    for (const model of ["customerFacts", "orderLine", "order", "customer", "product", "shop"] as const) {
      await (db.prisma[model] as { deleteMany(args: object): Promise<unknown> }).deleteMany({});
    }
    await upsertShop(db, { domain: SHOP, name: "Test", currencyCode: "USD", ianaTimezone: "UTC" });
  });

  it("keeps the newer customer when an older payload arrives later", async () => {
    await upsertCustomers(db, {
      shop: SHOP,
      now,
      rows: [customer({ id: "1", tags: ["vip"], updatedAt: t("2025-03-01T00:00:00Z") })],
    });
    await upsertCustomers(db, {
      shop: SHOP,
      now,
      rows: [customer({ id: "1", tags: ["old"], updatedAt: t("2025-02-01T00:00:00Z") })],
    });
    expect(await db.prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: "1" } } })).toMatchObject({
      tags: "vip",
      updatedAt: t("2025-03-01T00:00:00Z"),
    });
    await upsertCustomers(db, {
      shop: SHOP,
      now,
      rows: [customer({ id: "1", tags: ["vip", "wholesale"], updatedAt: t("2025-04-01T00:00:00Z") })],
    });
    expect((await db.prisma.customer.findFirstOrThrow({ where: { shop: SHOP, id: "1" } })).tags).toBe("vip,wholesale");
  });

  it("replaces an order's lines with a newer version and ignores a stale one", async () => {
    const first = order({
      id: "10",
      lines: [line({ id: "a" }), line({ id: "b" })],
      updatedAt: t("2025-02-01T12:00:00Z"),
    });
    await upsertOrders(db, { shop: SHOP, now, rows: [first] });
    const edited = order({
      id: "10",
      totalMinor: 2500n,
      lines: [line({ id: "c", quantity: 2 })],
      updatedAt: t("2025-02-02T00:00:00Z"),
    });
    await upsertOrders(db, { shop: SHOP, now, rows: [edited] });
    await upsertOrders(db, { shop: SHOP, now, rows: [first] }); // a late retry of the original
    const stored = await db.prisma.order.findFirstOrThrow({
      where: { shop: SHOP, id: "10" },
      include: { lines: true },
    });
    expect(stored.totalMinor).toBe(2500n);
    expect(stored.lines.map((l) => [l.id, l.quantity])).toEqual([["c", 2]]);
  });

  it("gives each line its order's customer, time, test flag and cancellation, and follows the order's changes", async () => {
    const lines = async () =>
      (
        await db.prisma.orderLine.findMany({
          where: { shop: SHOP, orderId: "20" },
          orderBy: { id: "asc" },
          select: { id: true, customerId: true, processedAt: true, test: true, cancelledAt: true },
        })
      ).map((l) => [l.id, l.customerId, l.processedAt.toISOString(), l.test, l.cancelledAt?.toISOString() ?? null]);
    const placed = order({
      id: "20",
      customerId: "7",
      processedAt: t("2025-03-01T10:00:00Z"),
      lines: [line({ id: "x" }), line({ id: "y" })],
    });
    await upsertOrders(db, { shop: SHOP, now, rows: [placed] });
    expect(await lines()).toEqual([
      ["x", "7", "2025-03-01T10:00:00.000Z", false, null],
      ["y", "7", "2025-03-01T10:00:00.000Z", false, null],
    ]);
    // Cancelled and moved to another customer (an order edit): the lines follow; a stale retry does not.
    const cancelled = {
      ...placed,
      customerId: "8",
      test: true,
      cancelledAt: t("2025-03-02T00:00:00Z"),
      updatedAt: t("2025-03-02T00:00:00Z"),
    };
    await upsertOrders(db, { shop: SHOP, now, rows: [cancelled] });
    await upsertOrders(db, { shop: SHOP, now, rows: [placed] });
    expect(await lines()).toEqual([
      ["x", "8", "2025-03-01T10:00:00.000Z", true, "2025-03-02T00:00:00.000Z"],
      ["y", "8", "2025-03-01T10:00:00.000Z", true, "2025-03-02T00:00:00.000Z"],
    ]);
  });

  it("keeps every shop apart, even with the same Shopify ids", async () => {
    await upsertShop(db, { domain: OTHER, name: "Other", currencyCode: "EUR", ianaTimezone: "Europe/Berlin" });
    await upsertCustomers(db, { shop: SHOP, now, rows: [customer({ id: "1" })] });
    await upsertCustomers(db, { shop: OTHER, now, rows: [customer({ id: "1" }), customer({ id: "2" })] });
    await upsertOrders(db, { shop: SHOP, now, rows: [order({ id: "10", totalMinor: 700n })] });
    await upsertOrders(db, { shop: OTHER, now, rows: [order({ id: "10", totalMinor: 999n, currencyCode: "EUR" })] });
    await recomputeFacts(db, { shop: SHOP, now });
    await recomputeFacts(db, { shop: OTHER, now });
    expect(await shopStats(db, { shop: SHOP })).toMatchObject({
      customers: 1,
      orders: 1,
      revenueMinor: 700n,
      currencyCode: "USD",
    });
    expect(await shopStats(db, { shop: OTHER })).toMatchObject({
      customers: 2,
      orders: 1,
      revenueMinor: 999n,
      currencyCode: "EUR",
    });
    expect(await db.prisma.customerFacts.count({ where: { shop: SHOP } })).toBe(1);
  });

  it("computes facts: cancelled and test orders do not count, refunds reduce spend", async () => {
    await upsertCustomers(db, {
      shop: SHOP,
      now,
      rows: [customer({ id: "1" }), customer({ id: "2" }), customer({ id: "3" })],
    });
    await upsertOrders(db, {
      shop: SHOP,
      now,
      rows: [
        order({ id: "1", customerId: "1", totalMinor: 1000n, processedAt: t("2025-01-10T10:00:00Z") }),
        order({ id: "2", customerId: "1", totalMinor: 2001n, processedAt: t("2025-01-10T18:00:00Z") }), // same day
        order({
          id: "3",
          customerId: "1",
          totalMinor: 3000n,
          refundedMinor: 500n,
          financialStatus: "PARTIALLY_REFUNDED",
          processedAt: t("2025-03-05T09:00:00Z"),
        }),
        order({
          id: "4",
          customerId: "1",
          totalMinor: 9999n,
          cancelledAt: t("2025-04-02T00:00:00Z"),
          processedAt: t("2025-04-01T00:00:00Z"),
        }),
        order({ id: "5", customerId: "1", totalMinor: 5555n, test: true, processedAt: t("2025-05-01T00:00:00Z") }),
        order({ id: "6", customerId: "2", totalMinor: 4000n, cancelledAt: t("2025-02-02T00:00:00Z") }),
        order({ id: "7", customerId: null, totalMinor: 100n }), // guest checkout
      ],
    });
    await recomputeFacts(db, { shop: SHOP, now });
    const facts = await db.prisma.customerFacts.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
    // RFM columns are scored separately (app/models/rfm.server.ts).
    expect(facts.map(({ computedAt: _c, shop: _s, rfmR: _r, rfmF: _f, rfmM: _m, rfmGroup: _g, ...f }) => f)).toEqual([
      {
        customerId: "1",
        ordersCount: 3,
        cancelledCount: 1,
        amountSpentMinor: 5501n, // 1000 + 2001 + (3000 - 500)
        refundedMinor: 500n,
        aovMinor: 1834n, // 5501 / 3 = 1833.67, rounded half up
        firstOrderAt: t("2025-01-10T10:00:00Z"),
        lastOrderAt: t("2025-03-05T09:00:00Z"),
        orderDays: 2,
      },
      {
        customerId: "2",
        ordersCount: 0,
        cancelledCount: 1,
        amountSpentMinor: 0n,
        refundedMinor: 0n,
        aovMinor: null,
        firstOrderAt: null,
        lastOrderAt: null,
        orderDays: 0,
      },
      {
        customerId: "3",
        ordersCount: 0,
        cancelledCount: 0,
        amountSpentMinor: 0n,
        refundedMinor: 0n,
        aovMinor: null,
        firstOrderAt: null,
        lastOrderAt: null,
        orderDays: 0,
      },
    ]);
    expect(await shopStats(db, { shop: SHOP })).toMatchObject({
      customers: 3,
      orders: 4, // guest order counts for the shop
      cancelledOrders: 2,
      revenueMinor: 5601n,
      refundsMinor: 500n,
      customersWithOrders: 1,
      repeatCustomers: 1,
      repeatPurchaseRate: 1,
    });
  });

  it("recomputes only the customers it is asked to", async () => {
    await upsertCustomers(db, { shop: SHOP, now, rows: [customer({ id: "1" }), customer({ id: "2" })] });
    await upsertOrders(db, {
      shop: SHOP,
      now,
      rows: [order({ id: "1", customerId: "1" }), order({ id: "2", customerId: "2" })],
    });
    await recomputeFacts(db, { shop: SHOP, now, customerIds: ["2"] });
    expect((await db.prisma.customerFacts.findMany({ where: { shop: SHOP } })).map((f) => f.customerId)).toEqual(["2"]);
    await recomputeFacts(db, { shop: SHOP, now, customerIds: [] });
    expect(await db.prisma.customerFacts.count({ where: { shop: SHOP } })).toBe(1);
  });

  it("stores amounts beyond 32 bits exactly", async () => {
    // 30 billion rupiah minor units: more than an INT holds.
    await upsertOrders(db, {
      shop: SHOP,
      now,
      rows: [order({ id: "1", totalMinor: 3_000_000_000_000n, currencyCode: "IDR" })],
    });
    expect((await db.prisma.order.findFirstOrThrow({ where: { shop: SHOP } })).totalMinor).toBe(3_000_000_000_000n);
  });

  it("upserts products", async () => {
    const product = {
      id: "9",
      handle: "beans",
      title: "Beans",
      productType: "Coffee",
      vendor: "Roaster",
      tags: ["espresso", "organic"],
      status: "ACTIVE" as const,
      imageUrl: null,
      priceMinor: 1800n,
      createdAt: t("2025-01-01T00:00:00Z"),
      updatedAt: t("2025-01-01T00:00:00Z"),
    };
    await upsertProducts(db, { shop: SHOP, now, rows: [product] });
    await upsertProducts(db, {
      shop: SHOP,
      now,
      rows: [{ ...product, title: "Better beans", updatedAt: t("2025-02-01T00:00:00Z") }],
    });
    expect(await db.prisma.product.findMany({ where: { shop: SHOP } })).toEqual([
      expect.objectContaining({ title: "Better beans", tags: "espresso,organic", priceMinor: 1800n }),
    ]);
  });

  it("writes many rows in one call, past one statement's parameter limit", async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => customer({ id: String(i + 1) }));
    await upsertCustomers(db, { shop: SHOP, now, rows });
    expect(await db.prisma.customer.count({ where: { shop: SHOP } })).toBe(5_000);
  });
});
