import { describe, expect, it } from "vitest";
import { expectedPurchases } from "./bgnbd";
import { chooseSpendThresholds, customerLifetimeValue, scoreCustomers, spendTier } from "./clv";
import { expectedAverageValue } from "./gamma-gamma";

const BG = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };
const GG = { p: 6.25, q: 3.74, gamma: 15.44 };

describe("CLV from BG/NBD × Gamma-Gamma", () => {
  const row = { x: 2, tx: 30.43, T: 38.86, m: 22.35 };

  it("without discounting is expected purchases over the horizon × expected value", () => {
    const clv = customerLifetimeValue(BG, GG, row, { months: 12, annualDiscountRate: 0, unit: "weeks" });
    const purchases = expectedPurchases(BG, 365.25 / 7, row);
    expect(clv).toBeCloseTo(purchases * expectedAverageValue(GG, 2, 22.35), 8);
  });

  it("discounting lowers it, a longer horizon raises it, and days give the same as weeks", () => {
    const base = customerLifetimeValue(BG, GG, row);
    expect(base).toBeLessThan(customerLifetimeValue(BG, GG, row, { annualDiscountRate: 0 }));
    expect(customerLifetimeValue(BG, GG, row, { months: 24 })).toBeGreaterThan(base);
    const inDays = { r: BG.r, alpha: BG.alpha * 7, a: BG.a, b: BG.b };
    const dayRow = { x: 2, tx: 30.43 * 7, T: 38.86 * 7, m: 22.35 };
    expect(customerLifetimeValue(inDays, GG, dayRow, { unit: "days" })).toBeCloseTo(base, 8);
  });

  it("is higher for a frequent recent buyer than for a lapsed one", () => {
    const recent = customerLifetimeValue(BG, GG, { x: 6, tx: 38, T: 38.86, m: 30 });
    const lapsed = customerLifetimeValue(BG, GG, { x: 6, tx: 5, T: 38.86, m: 30 });
    expect(recent).toBeGreaterThan(5 * lapsed);
  });
});

describe("spend tiers from the shop's own CLV distribution", () => {
  it("top 10% HIGH, next 40% MEDIUM, bottom half LOW", () => {
    const clvs = Array.from({ length: 100 }, (_, i) => i);
    const t = chooseSpendThresholds(clvs);
    expect(t).toEqual({ high: 90, medium: 50 });
    const tiers = clvs.map((c) => spendTier(c, t));
    expect(tiers.filter((x) => x === "HIGH")).toHaveLength(10);
    expect(tiers.filter((x) => x === "MEDIUM")).toHaveLength(40);
    expect(tiers.filter((x) => x === "LOW")).toHaveLength(50);
  });

  it.each([
    ["all equal", [5, 5, 5, 5], ["MEDIUM", "MEDIUM", "MEDIUM", "MEDIUM"]],
    ["one customer", [7], ["MEDIUM"]],
    ["non-finite ignored", [Number.NaN, 1, 2], ["LOW", "LOW", "MEDIUM"]],
  ])("%s", (_, clvs, tiers) => {
    const t = chooseSpendThresholds(clvs);
    expect(clvs.map((c) => spendTier(c, t))).toEqual(tiers);
  });
});

describe("scoreCustomers", () => {
  it("scores each customer, and falls back to a value when there is no spend model", () => {
    const rows = [
      { x: 0, tx: 0, T: 30, m: 0 },
      { x: 3, tx: 29, T: 30, m: 40 },
      { x: 3, tx: 2, T: 30, m: 40 },
    ];
    const s = scoreCustomers(BG, GG, rows, { unit: "weeks" });
    expect(s.pAlive[0]).toBe(1);
    expect(s.churnRisk[1]).toBe("LOW");
    expect(s.churnRisk[2]).toBe("HIGH");
    expect(s.expectedOrders[1]).toBeCloseTo(expectedPurchases(BG, 90 / 7, rows[1]!), 12);
    expect(s.spendTier).toEqual(["MEDIUM", "HIGH", "LOW"]);
    const noSpend = scoreCustomers(BG, null, rows, { fallbackValue: 10 });
    expect(noSpend.clv[1]! / s.clv[1]!).toBeCloseTo(10 / expectedAverageValue(GG, 3, 40), 8);
    for (const v of [...s.clv, ...s.pAlive, ...s.expectedOrders]) expect(Number.isFinite(v)).toBe(true);
  });
});
