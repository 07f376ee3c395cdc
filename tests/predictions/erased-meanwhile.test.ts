// A refit reads the customers, then takes a while: a customer erased (customers/redact) in between must
// not get predictions or a cluster back from the run's write. On both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { writeClusters, writePredictions, type PredictionRow } from "~/models/predictions/store.server";
import { upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";

const SHOP = "erased-meanwhile.myshopify.com";
const at = new Date("2026-06-01T00:00:00Z");
const row = (customerId: string): PredictionRow => ({
  customerId,
  pAlive: 0.5,
  expectedOrders90d: 1,
  predictedClvMinor: 1000n,
  predictedSpendTier: "MEDIUM",
  churnRisk: "MEDIUM",
});

describe.each(DIALECTS)("a refit's write on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Erased", currencyCode: "USD", ianaTimezone: "UTC" });
    await db.prisma.customer.create({
      data: { shop: SHOP, id: "101", createdAt: at, updatedAt: at },
    });
  });
  afterAll(async () => close());

  it("writes predictions and clusters only for customers the shop still has", async () => {
    // "202" was scored from the run's read, then erased before the write.
    await writePredictions(db, { shop: SHOP, rows: [row("101"), row("202")], computedAt: at });
    await writeClusters(db, {
      shop: SHOP,
      rows: [
        { customerId: "101", clusterId: 0, clusterName: "one-time, low spend" },
        { customerId: "202", clusterId: 1, clusterName: "frequent, high spend" },
      ],
      computedAt: at,
    });
    const held = await db.prisma.customerPrediction.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
    expect(held.map((p) => [p.customerId, p.clusterName])).toEqual([["101", "one-time, low spend"]]);
  });
});
