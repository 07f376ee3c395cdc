// The per-event path's reads (updateMemberships): the customers an event touched come with their
// counted orders and their browsing in one statement, on both databases. On PostgreSQL every
// statement is a round trip (decision 040), so the number of statements is part of the contract; the
// orders and events arrive as JSON, so money past 2^53 and millisecond timestamps must survive it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { decoder, int, sql } from "~/db/sql";
import type { ProductRow } from "~/domain/rows";
import { createSegment } from "~/models/segments/definitions.server";
import { updateMemberships } from "~/models/segments/memberships.server";
import { shopContext } from "~/models/segments/rules.server";
import { subjects } from "~/models/segments/subjects.server";
import {
  recomputeFacts,
  refreshPlannerStatistics,
  upsertCustomers,
  upsertOrders,
  upsertProducts,
  upsertShop,
} from "~/models/store.server";
import type { PixelEventRow } from "~/pixel/events";
import { insertEvents } from "~/pixel/store.server";
import { createTestDb, DIALECTS, observed } from "../helpers/db";
import { customer, line, order, t } from "../helpers/rows";

const SHOP = "reads.myshopify.com";
const NOW = t("2026-05-03T00:00:00Z");
const HUGE = 2n ** 53n + 3n;

const product: ProductRow = {
  id: "p1",
  handle: "beans",
  title: "Beans",
  productType: "Coffee",
  vendor: "Roaster",
  tags: ["Roast", "gift"],
  status: "ACTIVE",
  imageUrl: null,
  priceMinor: 1000n,
  createdAt: t("2025-01-01T00:00:00Z"),
  updatedAt: t("2025-01-01T00:00:00Z"),
};

function pixel(eventId: string, at: Date, productId: string | null): PixelEventRow {
  return {
    shop: SHOP,
    eventId,
    name: productId ? "product_viewed" : "page_viewed",
    at,
    clientId: "client-1",
    sessionId: "s1",
    customerId: "1",
    productId,
    variantId: null,
    collectionId: null,
    productType: productId ? "Coffee" : null,
    vendor: productId ? "Roaster" : null,
    query: null,
    valueMinor: null,
    currencyCode: null,
  };
}

describe.each(DIALECTS)("the per-event reads on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Reads", currencyCode: "USD", ianaTimezone: "UTC" });
    // Saved before the data arrives: the customer enters them on the per-event path below.
    for (const query of [
      "products_purchased MATCHES (product_type = 'Coffee', sum_quantity >= 2)",
      "products_viewed MATCHES (date >= -7d) AND orders_placed NOT MATCHES (date >= -7d)",
    ])
      await createSegment(db, { shop: SHOP, name: query, query, now: NOW });
    await upsertCustomers(db, { shop: SHOP, rows: [customer({ id: "1" }), customer({ id: "2" })], now: NOW });
    await upsertProducts(db, { shop: SHOP, rows: [product], now: NOW });
    await upsertOrders(db, {
      shop: SHOP,
      rows: [
        order({
          id: "o1",
          totalMinor: HUGE,
          refundedMinor: 2n,
          processedAt: t("2025-03-04T05:06:07.089Z"),
          // The second line's product is not in the copy (deleted since): no tags.
          lines: [line({ id: "o1-1", productId: "p1", quantity: 3 }), line({ id: "o1-2", productId: "gone" })],
        }),
        order({ id: "o2", lines: [], processedAt: t("2025-04-01T00:00:00.001Z") }),
        order({ id: "o3", cancelledAt: t("2025-05-02T00:00:00Z") }),
        order({ id: "o4", test: true }),
      ],
      now: NOW,
    });
    await recomputeFacts(db, { shop: SHOP, now: NOW });
    await insertEvents(db, {
      rows: [pixel("e1", t("2026-05-01T10:11:12.345Z"), "p1"), pixel("e2", t("2026-05-01T10:12:00.000Z"), null)],
      receivedAt: NOW,
    });
  });
  afterAll(async () => close());

  it("loads exactly the counted orders, their lines and the browsing, to the unit and the millisecond", async () => {
    const people = await subjects(db, { shop: SHOP, ids: ["1", "2"], purchases: true, behaviour: true });
    const one = people.get("1")!;
    const orders = [...one.orders!]
      .sort((a, b) => a.processedAt.getTime() - b.processedAt.getTime())
      .map((o) => ({
        ...o,
        lines: [...o.lines].sort((a, b) => String(a.productId).localeCompare(String(b.productId))),
      }));
    expect(orders).toEqual([
      {
        processedAt: t("2025-03-04T05:06:07.089Z"),
        amountMinor: HUGE - 2n,
        lines: [
          { productId: "gone", productType: "Coffee", vendor: "Roaster", tags: [], quantity: 1 },
          { productId: "p1", productType: "Coffee", vendor: "Roaster", tags: ["Roast", "gift"], quantity: 3 },
        ],
      },
      { processedAt: t("2025-04-01T00:00:00.001Z"), amountMinor: 1000n, lines: [] },
    ]);
    const events = [...one.events!].sort((a, b) => a.at.getTime() - b.at.getTime());
    expect(events.map((e) => [e.name, e.at.toISOString(), e.productId, e.productTags, e.sessionId])).toEqual([
      ["product_viewed", "2026-05-01T10:11:12.345Z", "p1", ["Roast", "gift"], "s1"],
      ["page_viewed", "2026-05-01T10:12:00.000Z", null, [], "s1"],
    ]);
    // Nothing to load is an empty list, not a missing one (the evaluator refuses a missing one).
    expect(people.get("2")!.orders).toEqual([]);
    expect(people.get("2")!.events).toEqual([]);
    // Not asked for, not loaded.
    const plain = await subjects(db, { shop: SHOP, ids: ["1"] });
    expect(plain.get("1")!.orders).toBeUndefined();
    expect(plain.get("1")!.events).toBeUndefined();
  });

  it("re-evaluates purchase and browsing rules for a customer in two reads", async () => {
    const ctx = await shopContext(db, { shop: SHOP, now: NOW });
    const first = observed(db);
    expect(await updateMemberships(first.db, { shop: SHOP, customerIds: ["1"], ctx })).toEqual({
      entered: 2,
      left: 0,
    });
    const again = observed(db);
    expect(await updateMemberships(again.db, { shop: SHOP, customerIds: ["1"], ctx })).toEqual({
      entered: 0,
      left: 0,
    });
    // The active rules, then the customers with their orders and browsing; nothing written.
    expect(again.statements).toHaveLength(2);
  });

  it.runIf(dialect === "postgres")("keeps one customer's read planned once (a generic plan)", async () => {
    // PostgreSQL plans a kept statement for its values five times, then keeps a generic plan if it
    // looks no dearer. Planning this statement cost twice its execution (0.55 ms against 0.25 ms);
    // with an array parameter the generic plan was estimated for ten customers and never kept.
    // A customer with many orders, so that a plan for ten customers is dearer than one for one.
    await upsertCustomers(db, { shop: SHOP, rows: [customer({ id: "3" })], now: NOW });
    await upsertOrders(db, {
      shop: SHOP,
      rows: Array.from({ length: 400 }, (_, i) => order({ id: `m${i}`, customerId: "3" })),
      now: NOW,
    });
    await refreshPlannerStatistics(db);
    const plans = await db.transaction(async (tx) => {
      for (let i = 0; i < 8; i++) await subjects(tx, { shop: SHOP, ids: ["1"], purchases: true, behaviour: true });
      const kept = await tx.all(
        sql`SELECT "generic_plans", "custom_plans" FROM pg_prepared_statements WHERE "statement" LIKE '%json_agg%'`,
        decoder({ generic_plans: int, custom_plans: int }),
      );
      // This connection's statement run eight times above (another test may have left one beside it).
      return kept.filter((p) => p.generic_plans + p.custom_plans >= 8);
    });
    expect(plans).toHaveLength(1);
    expect(plans[0]!.custom_plans).toBeLessThanOrEqual(5);
    expect(plans[0]!.generic_plans).toBeGreaterThanOrEqual(3);
  });
});
