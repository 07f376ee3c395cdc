// Campaign counts on both databases: impressions and exposures written in batches (one erased in
// between is not written back), orders attributed within the window after a customer's first
// exposure, the uplift read from them; and customers/redact and shop/redact taking the exposures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { flushImpressions, recordImpression } from "~/models/campaigns/impressions.server";
import { campaignUplift, impressionTotals } from "~/models/campaigns/uplift.server";
import { deleteCampaign } from "~/models/campaigns/store.server";
import { eraseCustomer, eraseShop } from "~/models/erasure.server";
import { upsertCustomers, upsertOrders } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { scanTables } from "../helpers/privacy";
import { customer, line, order } from "../helpers/rows";
import { addCampaign, PEOPLE, storefrontShop } from "../helpers/storefront";

const SHOP = "campaigns-db.myshopify.com";
const day = (d: number, h = 12) => new Date(Date.UTC(2026, 10, d, h));

describe.each(DIALECTS)("campaign counts on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let campaign: number;
  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await storefrontShop(db, SHOP, day(1));
    campaign = await addCampaign(db, SHOP, {
      name: "Everyone",
      headline: "Hi",
      holdoutPercent: "50",
      attributionDays: "7",
    });
  });
  afterAll(async () => close());

  it("writes impressions per arm and day, and each customer's first and last exposure", async () => {
    recordImpression(db, { shop: SHOP, campaignId: campaign, arm: "campaign", customerId: PEOPLE.one.id, now: day(2) });
    recordImpression(db, { shop: SHOP, campaignId: campaign, arm: "campaign", customerId: PEOPLE.one.id, now: day(3) });
    recordImpression(db, {
      shop: SHOP,
      campaignId: campaign,
      arm: "holdout",
      customerId: PEOPLE.several.id,
      now: day(2),
    });
    recordImpression(db, { shop: SHOP, campaignId: campaign, arm: "campaign", customerId: null, now: day(2) });
    // A customer erased before the batch is written (here: never held) gets no exposure row.
    recordImpression(db, { shop: SHOP, campaignId: campaign, arm: "campaign", customerId: "999999", now: day(2) });
    await flushImpressions(db);
    recordImpression(db, {
      shop: SHOP,
      campaignId: campaign,
      arm: "campaign",
      customerId: PEOPLE.one.id,
      now: day(2, 18),
    });
    await flushImpressions(db);
    const rows = await db.prisma.campaignImpression.findMany({
      where: { shop: SHOP },
      orderBy: [{ arm: "asc" }, { day: "asc" }],
    });
    expect(rows.map((r) => [r.arm, r.day, r.impressions])).toEqual([
      ["campaign", "2026-11-02", 4],
      ["campaign", "2026-11-03", 1],
      ["holdout", "2026-11-02", 1],
    ]);
    const exposures = await db.prisma.campaignExposure.findMany({
      where: { shop: SHOP },
      orderBy: { customerId: "asc" },
    });
    expect(
      exposures.map((e) => [e.customerId, e.arm, e.firstSeenAt.toISOString(), e.lastSeenAt.toISOString()]),
    ).toEqual([
      [PEOPLE.one.id, "campaign", day(2).toISOString(), day(3).toISOString()],
      [PEOPLE.several.id, "holdout", day(2).toISOString(), day(2).toISOString()],
    ]);
    expect((await impressionTotals(db, { shop: SHOP })).get(campaign)).toBe(6);
  });

  it("attributes counted orders within the window after the first exposure, net of refunds", async () => {
    const o = (id: string, customerId: string, at: Date, total: bigint, extra = {}) =>
      order({ id, customerId, processedAt: at, totalMinor: total, lines: [line({ id: `${id}-1` })], ...extra });
    await upsertOrders(db, {
      shop: SHOP,
      now: day(20),
      rows: [
        o("8001", PEOPLE.one.id, day(1), 1000n), // before the exposure
        o("8002", PEOPLE.one.id, day(4), 3000n, { refundedMinor: 500n }),
        o("8003", PEOPLE.one.id, day(8, 11), 2000n), // just inside 7 days of day(2) 12:00
        o("8004", PEOPLE.one.id, day(9, 13), 9000n), // outside
        o("8005", PEOPLE.one.id, day(5), 4000n, { cancelledAt: day(6) }),
        o("8006", PEOPLE.one.id, day(5), 4000n, { test: true }),
        o("8007", PEOPLE.several.id, day(3), 1500n),
      ],
    });
    const u = await campaignUplift(db, { shop: SHOP, campaignId: campaign, attributionDays: 7 });
    expect(u.campaign).toMatchObject({ impressions: 5, exposed: 1, converted: 1, orders: 2, revenueMinor: 4500 });
    expect(u.holdout).toMatchObject({ impressions: 1, exposed: 1, converted: 1, orders: 1, revenueMinor: 1500 });
    expect(u.verdict).toBe("not-enough-data");
  });

  it("customers/redact takes the customer's exposures; the counts stay", async () => {
    await db.transaction((tx) =>
      eraseCustomer(tx, {
        shop: SHOP,
        request: { customerId: PEOPLE.one.id, email: PEOPLE.one.email, phone: null, orderIds: [] },
        seq: -1,
        now: day(21),
      }),
    );
    expect(await db.prisma.campaignExposure.count({ where: { shop: SHOP, customerId: PEOPLE.one.id } })).toBe(0);
    expect(await db.prisma.campaignExposure.count({ where: { shop: SHOP } })).toBe(1);
    expect(await scanTables(db, [PEOPLE.one.email, PEOPLE.one.firstName, PEOPLE.one.lastName])).toEqual([]);
    expect(await db.prisma.campaignImpression.count({ where: { shop: SHOP } })).toBe(3);
    // An impression recorded for them before the erasure, flushed after it, is not written back.
    recordImpression(db, {
      shop: SHOP,
      campaignId: campaign,
      arm: "campaign",
      customerId: PEOPLE.one.id,
      now: day(21),
    });
    await flushImpressions(db);
    expect(await db.prisma.campaignExposure.count({ where: { shop: SHOP, customerId: PEOPLE.one.id } })).toBe(0);
  });

  it("deleting a campaign deletes its counts; shop/redact deletes everything", async () => {
    const other = await addCampaign(db, SHOP, { name: "Other", headline: "x" });
    await upsertCustomers(db, { shop: SHOP, now: day(22), rows: [customer({ id: "4444" })] });
    recordImpression(db, { shop: SHOP, campaignId: other, arm: "campaign", customerId: "4444", now: day(22) });
    await flushImpressions(db);
    expect(await deleteCampaign(db, { shop: SHOP, id: other })).toBe(true);
    expect(await db.prisma.campaignExposure.count({ where: { shop: SHOP, campaignId: other } })).toBe(0);
    // A count still in memory for the deleted campaign is dropped at the write.
    recordImpression(db, { shop: SHOP, campaignId: other, arm: "campaign", customerId: "4444", now: day(22) });
    await flushImpressions(db);
    expect(await db.prisma.campaignImpression.count({ where: { shop: SHOP, campaignId: other } })).toBe(0);
    expect(await db.prisma.campaignExposure.count({ where: { shop: SHOP, campaignId: other } })).toBe(0);
    await db.transaction((tx) => eraseShop(tx, { shop: SHOP }));
    for (const count of [
      db.prisma.campaign.count({ where: { shop: SHOP } }),
      db.prisma.campaignImpression.count({ where: { shop: SHOP } }),
      db.prisma.campaignExposure.count({ where: { shop: SHOP } }),
    ])
      expect(await count).toBe(0);
  });
});
