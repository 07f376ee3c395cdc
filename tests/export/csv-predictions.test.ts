// Prediction fields in the CSV (CustomerPrediction joined only when one is asked for), on both
// databases: a scored member's figures, empty cells for a member without a prediction, and for every
// member of a shop whose models were never fitted.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { csvNodeStream } from "~/export/csv-stream.server";
import { createSegment } from "~/models/segments/definitions.server";
import { writeClusters, writePredictions } from "~/models/predictions/store.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { customer } from "../helpers/rows";

const FITTED = "fitted.myshopify.com";
const UNFITTED = "unfitted.myshopify.com";
const now = new Date("2026-06-02T00:00:00Z");
const FIELDS = [
  "customer_id",
  "predicted_clv",
  "p_alive",
  "churn_risk",
  "predicted_spend_tier",
  "expected_orders_90d",
  "cluster",
] as const;

async function csv(db: Db, shop: string, segmentId: number): Promise<string[][]> {
  const chunks: Buffer[] = [];
  for await (const chunk of csvNodeStream(db, { shop, segmentId, fields: FIELDS, now }))
    chunks.push(Buffer.from(chunk as Buffer));
  return parse(Buffer.concat(chunks).toString("utf8")) as string[][];
}

describe.each(DIALECTS)("prediction fields in the CSV on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const segments: Record<string, number> = {};

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    for (const shop of [FITTED, UNFITTED]) {
      await upsertShop(db, { domain: shop, name: shop, currencyCode: "EUR", ianaTimezone: "UTC" });
      await upsertCustomers(db, {
        shop,
        now,
        rows: ["11", "12"].map((id) => customer({ id, email: `${id}@example.com`, tags: ["vip"] })),
      });
      segments[shop] = await createSegment(db, { shop, name: "VIP", query: "customer_tags CONTAINS 'vip'", now });
    }
    await writePredictions(db, {
      shop: FITTED,
      computedAt: now,
      rows: [
        {
          customerId: "11",
          pAlive: 0.8123456,
          expectedOrders90d: 1.23456,
          predictedClvMinor: 12345n,
          predictedSpendTier: "HIGH",
          churnRisk: "LOW",
        },
      ],
    });
    await writeClusters(db, {
      shop: FITTED,
      computedAt: now,
      rows: [{ customerId: "11", clusterId: 2, clusterName: "frequent, high spend" }],
    });
  });
  afterAll(async () => close());

  it("writes a scored member's predictions, and empty cells for one without", async () => {
    expect(await csv(db, FITTED, segments[FITTED]!)).toEqual([
      [
        "Customer ID",
        "Predicted 12-month value",
        "P(alive)",
        "Churn risk",
        "Predicted spend tier",
        "Expected orders (90 days)",
        "Cluster",
      ],
      ["11", "123.45", "0.8123", "LOW", "HIGH", "1.235", "frequent, high spend"],
      ["12", "", "", "", "", "", ""],
    ]);
  });

  it("leaves them empty for a shop without a fit, and never shows another shop's", async () => {
    const rows = await csv(db, UNFITTED, segments[UNFITTED]!);
    expect(rows.slice(1)).toEqual([
      ["11", "", "", "", "", "", ""],
      ["12", "", "", "", "", "", ""],
    ]);
  });
});
