// Recommendations in the database, on SQLite and PostgreSQL: the full refresh of a small shop whose
// lists can be checked by hand, serving (exclusions, the fallback chain, a shop never refreshed), the
// per-event update after an orders/create webhook (the same list a full refresh gives), and erasure
// (customers/redact takes the customer's list, shop/redact everything).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import type { ProductRow } from "~/domain/rows";
import { recommendedProducts } from "~/models/recommendations.server";
import { refreshRecommendations, updateCustomerRecommendations } from "~/models/recommendations-refresh.server";
import { createSegment } from "~/models/segments/definitions.server";
import { recomputeFacts, upsertCustomers, upsertOrders, upsertProducts, upsertShop } from "~/models/store.server";
import { storeEvent } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { orderPayload } from "../helpers/payloads";
import { customer, line, order, t } from "../helpers/rows";

const SHOP = "recommend-db.myshopify.com";
const EMPTY = "recommend-empty.myshopify.com";
const now = t("2026-06-01T00:00:00Z");

const product = (id: string, status: ProductRow["status"] = "ACTIVE"): ProductRow => ({
  id,
  handle: `product-${id}`,
  title: `Product ${id}`,
  productType: null,
  vendor: null,
  tags: [],
  status,
  imageUrl: `https://cdn.example/${id}.png`,
  priceMinor: 1000n + BigInt(id),
  createdAt: t("2025-01-01T00:00:00Z"),
  updatedAt: t("2025-01-01T00:00:00Z"),
});

// Two clusters: {101, 102, 103} and {104, 105, 106}; 108 is archived; 107 nobody bought.
const BASKETS: Record<string, string[][]> = {
  "901": [["101", "102"]],
  "902": [["101", "102", "103"]],
  "903": [["101"], ["103"]],
  "904": [["104", "105"]],
  "905": [["104", "105", "106"]],
  "906": [["102", "108"]],
  "907": [["101"]],
  "908": [["101", "102", "103", "104", "105", "106", "107"]],
};

let orderSeq = 0;
const ordersOf = (customerId: string, baskets: string[][], day = 10) =>
  baskets.map((items, k) => {
    const id = String(700000 + ++orderSeq);
    return order({
      id,
      customerId,
      processedAt: t(`2026-05-${String(day + k).padStart(2, "0")}T12:00:00Z`),
      lines: items.map((p, i) => line({ id: `${id}${i}`, productId: p })),
    });
  });

describe.each(DIALECTS)("recommendations on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const ids = async (customerId: string | null, productId: string | null = null, limit = 5, shop = SHOP) =>
    (await recommendedProducts(db, { shop, customerId, productId, segmentIds: [], limit, now })).map((p) => p.id);
  const list = (kind: string, key: string) =>
    db.prisma.recommendationList.findUnique({ where: { shop_kind_key: { shop: SHOP, kind, key } } });

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    for (const shop of [SHOP, EMPTY]) {
      await upsertShop(db, { domain: shop, name: shop, currencyCode: "USD", ianaTimezone: "UTC" });
      await upsertProducts(db, {
        shop,
        rows: ["101", "102", "103", "104", "105", "106", "107"]
          .map((id) => product(id))
          .concat(product("108", "ARCHIVED")),
        now,
      });
    }
    await upsertCustomers(db, { shop: SHOP, rows: Object.keys(BASKETS).map((id) => customer({ id })), now });
    await upsertOrders(db, { shop: SHOP, rows: Object.entries(BASKETS).flatMap(([c, b]) => ordersOf(c, b)), now });
    await recomputeFacts(db, { shop: SHOP, now });
    await createSegment(db, { shop: SHOP, name: "Repeat", query: "number_of_orders >= 2", now });
    const result = await refreshRecommendations(db, { shop: SHOP, now });
    expect(result).toMatchObject({ model: "ease", items: 8, customers: 8 });
  });
  afterAll(async () => close());

  it("stores what is bought together, active products only, best first", async () => {
    const row = await list("product", "101");
    const together = row!.productIds.split(",");
    expect(together.slice(0, 2).sort()).toEqual(["102", "103"]);
    expect(together).not.toContain("101");
    expect(together).not.toContain("108");
    expect((await list("product", "104"))!.productIds.split(",")[0]).toBe("105");
    expect(row!.scores!.split(",").map(Number)).toHaveLength(together.length);
  });

  it("stores personal lists without what the customer bought, and their purchases to exclude", async () => {
    const row = await list("customer", "907");
    expect(row!.excludeIds).toBe("101");
    const personal = row!.productIds.split(",");
    expect(personal.slice(0, 2).sort()).toEqual(["102", "103"]);
    expect(personal).not.toContain("101");
    expect(personal).not.toContain("108");
  });

  it("stores the segments' top sellers and the shop's popular list", async () => {
    const repeat = await db.prisma.segment.findFirstOrThrow({ where: { shop: SHOP, name: "Repeat" } });
    // 903 is the only customer with two orders.
    expect((await list("segment", String(repeat.id)))!.productIds).toBe("101,103");
    const popular = (await list("shop", "popular"))!.productIds.split(",");
    expect(popular[0]).toBe("101");
    expect(popular).not.toContain("108");
  });

  it.each([
    ["a customer", "907", null, ["101", "108"]],
    ["an anonymous visitor on a product page", null, "104", ["104", "108"]],
    ["a customer on a product page", "906", "101", ["101", "102", "108"]],
  ])("serves %s: never what they bought, an inactive product, or the page's own", async (_, c, p, never) => {
    const got = await ids(c, p, 5);
    expect(got).toHaveLength(5);
    expect(new Set(got).size).toBe(5);
    for (const id of never) expect(got).not.toContain(id);
  });

  it("serves bought-together first on a product page", async () => {
    expect((await ids(null, "104", 2)).sort()).toEqual(["105", "106"]);
    expect((await ids("907", null, 2)).sort()).toEqual(["102", "103"]);
  });

  it("returns the products' details", async () => {
    const [first] = await recommendedProducts(db, {
      shop: SHOP,
      customerId: null,
      productId: "104",
      segmentIds: [],
      limit: 1,
      now,
    });
    expect(first).toEqual({
      id: "105",
      handle: "product-105",
      title: "Product 105",
      imageUrl: "https://cdn.example/105.png",
      priceMinor: 1105n,
    });
  });

  it.each([
    ["a shop never refreshed", EMPTY, null],
    ["a customer with no list", SHOP, "999"],
    ["a customer who bought every active product", SHOP, "908"],
  ])("is never empty: %s", async (_, shop, c) => {
    const got = await ids(c, null, 3, shop);
    expect(got.length).toBeGreaterThan(0);
    expect(got).not.toContain("108");
  });

  it.each([0, 25, 2.5, Number.NaN])("refuses a limit of %s", async (limit) => {
    await expect(ids(null, null, limit)).rejects.toThrow(RangeError);
  });

  it("updates a customer's list when their order arrives: the list a full refresh gives", async () => {
    const [placed] = ordersOf("907", [["104"]], 20);
    await storeEvent(
      db,
      {
        shop: SHOP,
        topic: "orders/create",
        eventId: "rec-order-1",
        webhookId: null,
        apiVersion: "2025-07",
        triggeredAt: null,
        payload: JSON.stringify(orderPayload(placed!, customer({ id: "907" }))),
      },
      now,
    );
    await new InboxProcessor(db, { now: () => now }).drain();
    const updated = await list("customer", "907");
    expect(updated!.excludeIds).toBe("101,104");
    expect(updated!.productIds.split(",")).not.toContain("104");
    expect(await ids("907", null, 5)).not.toContain("104");
    // The next full refresh (a model that has seen the order) keeps the exclusion.
    await refreshRecommendations(db, { shop: SHOP, now });
    const full = await list("customer", "907");
    expect(full!.excludeIds).toBe("101,104");
  });

  it("gives the same list per event as the full refresh over the same stored model", async () => {
    const before = await db.prisma.recommendationList.findMany({
      where: { shop: SHOP, kind: "customer" },
      orderBy: { key: "asc" },
    });
    await db.transaction((tx) =>
      updateCustomerRecommendations(tx, { shop: SHOP, customerIds: before.map((r) => r.key), now }),
    );
    const after = await db.prisma.recommendationList.findMany({
      where: { shop: SHOP, kind: "customer" },
      orderBy: { key: "asc" },
    });
    expect(after.map((r) => [r.key, r.productIds, r.excludeIds])).toEqual(
      before.map((r) => [r.key, r.productIds, r.excludeIds]),
    );
  });

  it("customers/redact removes the customer's list; shop/redact every list", async () => {
    const deliver = async (topic: string, eventId: string, body: unknown) => {
      await storeEvent(
        db,
        {
          shop: SHOP,
          topic,
          eventId,
          webhookId: null,
          apiVersion: "2025-07",
          triggeredAt: null,
          payload: JSON.stringify(body),
        },
        now,
      );
      await new InboxProcessor(db, { now: () => now }).drain();
    };
    await deliver("customers/redact", "rec-redact-1", {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 906, email: "c906@example.com", phone: null },
      orders_to_redact: [],
    });
    expect(await list("customer", "906")).toBeNull();
    expect(await list("customer", "907")).not.toBeNull();
    await deliver("shop/redact", "rec-redact-2", { shop_id: 1, shop_domain: SHOP });
    expect(await db.prisma.recommendationList.count({ where: { shop: SHOP } })).toBe(0);
  });
});
