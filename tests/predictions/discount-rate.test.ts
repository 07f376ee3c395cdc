// The CLV discount rate is the shop's own (Settings): every refit reads it, the fit records it, and a
// higher rate gives lower values (the same expected purchases, each worth less today). Another shop keeps
// its own rate. On both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { fitShop } from "~/models/predictions/fit.server";
import { modelSettings, saveModelSettings } from "~/models/predictions/settings.server";
import { latestFits } from "~/models/predictions/store.server";
import { upsertShop } from "~/models/store.server";
import { seedDemoShop } from "~/services/seed.server";
import { createTestDb, DIALECTS } from "../helpers/db";

const SHOP = "discount-rate.myshopify.com";
const OTHER = "other-rate.myshopify.com";
const NOW = new Date("2026-06-01T00:00:00Z");

describe.each(DIALECTS)("the shop's CLV discount rate on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await seedDemoShop(db, { seed: 5, customers: 300, now: NOW, shopDomain: SHOP });
    await upsertShop(db, { domain: OTHER, name: "Other", currencyCode: "USD", ianaTimezone: "UTC" });
  });
  afterAll(async () => close());

  const values = async () =>
    new Map(
      (
        await db.prisma.customerPrediction.findMany({
          where: { shop: SHOP },
          select: { customerId: true, predictedClvMinor: true, expectedOrders90d: true },
        })
      ).map((p) => [p.customerId, p]),
    );

  it("is 10 % a year until the merchant changes it, and each shop keeps its own", async () => {
    expect(await modelSettings(db, { shop: SHOP })).toEqual({ discountRatePercent: 10 });
    expect(await saveModelSettings(db, { shop: SHOP, discountRatePercent: 0 })).toBe(true);
    expect(await modelSettings(db, { shop: SHOP })).toEqual({ discountRatePercent: 0 });
    expect(await modelSettings(db, { shop: OTHER })).toEqual({ discountRatePercent: 10 });
    expect(await saveModelSettings(db, { shop: "unknown.myshopify.com", discountRatePercent: 5 })).toBe(false);
    await expect(saveModelSettings(db, { shop: SHOP, discountRatePercent: 101 })).rejects.toThrow(RangeError);
    await expect(saveModelSettings(db, { shop: SHOP, discountRatePercent: Number.NaN })).rejects.toThrow(RangeError);
  });

  it("is what every refit discounts at, and the fit records it", async () => {
    await saveModelSettings(db, { shop: SHOP, discountRatePercent: 0 });
    expect((await fitShop(db, { shop: SHOP, now: NOW, recompute: false })).status).toBe("ok");
    expect((await latestFits(db, { shop: SHOP, kind: "bgnbd" })).latest!.params.discountRatePercent).toBe(0);
    const undiscounted = await values();

    await saveModelSettings(db, { shop: SHOP, discountRatePercent: 60 });
    await fitShop(db, { shop: SHOP, now: NOW, recompute: false });
    expect((await latestFits(db, { shop: SHOP, kind: "bgnbd" })).latest!.params.discountRatePercent).toBe(60);
    const discounted = await values();

    expect(discounted.size).toBe(undiscounted.size);
    expect(discounted.size).toBeGreaterThan(100);
    let lower = 0;
    for (const [id, p] of discounted) {
      const before = undiscounted.get(id)!;
      // The same model and data: the same expected orders, each worth less at 60 % a year.
      expect(p.expectedOrders90d).toBeCloseTo(before.expectedOrders90d!, 9);
      expect(p.predictedClvMinor!).toBeLessThanOrEqual(before.predictedClvMinor!);
      if (p.predictedClvMinor! < before.predictedClvMinor!) lower++;
    }
    expect(lower).toBeGreaterThan(discounted.size / 2);
    // Over 12 months at 60 % a year, the discount factors lie between 1/1.6 and 1/1.6^(1/12).
    const sum = (m: typeof discounted) => [...m.values()].reduce((n, p) => n + Number(p.predictedClvMinor ?? 0n), 0);
    const ratio = sum(discounted) / sum(undiscounted);
    expect(ratio).toBeGreaterThan(1 / 1.6);
    expect(ratio).toBeLessThan(1 / Math.pow(1.6, 1 / 12));
  });
});
