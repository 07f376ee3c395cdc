// RFM scores and groups on a seeded shop, on both databases: quintiles within the shop, every customer
// in one of Shopify's groups, and a new order moving a customer between groups at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "~/db/database.server";
import { rfmGroup } from "~/domain/rfm";
import { storeEvent } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { orderPayload } from "../helpers/payloads";

const SHOP = "tailored-demo.myshopify.com";
const NOW = "2026-06-30T12:00:00Z";

describe.each(DIALECTS)("RFM on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "seed", "--customers", "1000", "--now", NOW);
    db = openDatabase(database.config);
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it("scores by quintile within the shop and names every customer's group", async () => {
    const facts = await db.prisma.customerFacts.findMany({ where: { shop: SHOP } });
    const buyers = facts.filter((f) => f.ordersCount > 0);
    expect(facts.every((f) => f.rfmGroup !== null)).toBe(true);
    expect(facts.filter((f) => f.ordersCount === 0).every((f) => f.rfmGroup === "PROSPECTS" && f.rfmR === null)).toBe(
      true,
    );
    for (const f of buyers) expect(f.rfmGroup).toBe(rfmGroup(f.rfmR!, f.rfmF!, f.rfmM!));
    // Recency has few ties: each quintile holds about a fifth of the buyers.
    for (let score = 1; score <= 5; score++) {
      const share = buyers.filter((f) => f.rfmR === score).length / buyers.length;
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.25);
    }
    const groups = new Set(buyers.map((f) => f.rfmGroup));
    expect(groups.size).toBeGreaterThanOrEqual(6);
    const counted = await cliJson<{ count: number }>(
      database.url,
      "segments",
      "count",
      "--shop",
      SHOP,
      "--query",
      "rfm_group = 'CHAMPIONS'",
      "--now",
      NOW,
    );
    expect(counted.count).toBe(facts.filter((f) => f.rfmGroup === "CHAMPIONS").length);
  });

  it("moves a lapsed customer into a recent group when their new order arrives", async () => {
    const dormant = await db.prisma.customerFacts.findFirstOrThrow({ where: { shop: SHOP, rfmR: 1 } });
    const customer = await db.prisma.customer.findFirstOrThrow({ where: { shop: SHOP, id: dormant.customerId } });
    const at = new Date(NOW);
    const row = {
      id: customer.id,
      email: customer.email,
      firstName: customer.firstName,
      lastName: customer.lastName,
      countryCode: customer.countryCode,
      provinceCode: customer.provinceCode,
      city: customer.city,
      tags: [],
      emailMarketingState: "SUBSCRIBED" as const,
      smsMarketingState: "NOT_SUBSCRIBED" as const,
      createdAt: customer.createdAt,
      updatedAt: customer.updatedAt,
    };
    const order = {
      id: "9900000000001",
      name: "#9901",
      customerId: customer.id,
      email: customer.email,
      createdAt: at,
      processedAt: at,
      updatedAt: at,
      cancelledAt: null,
      currencyCode: "USD",
      totalMinor: 5000n,
      refundedMinor: 0n,
      financialStatus: "PAID" as const,
      test: false,
      lines: [
        {
          id: "9900000000002",
          productId: null,
          variantId: null,
          title: "Beans",
          sku: null,
          productType: "Coffee",
          vendor: "Roaster",
          quantity: 1,
          priceMinor: 5000n,
        },
      ],
    };
    await storeEvent(
      db,
      {
        shop: SHOP,
        topic: "orders/create",
        eventId: "rfm-1",
        webhookId: null,
        apiVersion: null,
        triggeredAt: null,
        payload: JSON.stringify(orderPayload(order, row)),
      },
      at,
    );
    await new InboxProcessor(db, { now: () => at }).drain();
    const after = await db.prisma.customerFacts.findFirstOrThrow({ where: { shop: SHOP, customerId: customer.id } });
    expect(after.rfmR).toBe(5);
    expect(after.rfmGroup).toBe(rfmGroup(5, after.rfmF!, after.rfmM!));
  });
});
