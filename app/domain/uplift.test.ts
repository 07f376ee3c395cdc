import { describe, expect, it } from "vitest";
import { meanDifference, proportionDifference, uplift, wilson, type ArmCounts } from "./uplift";

const arm = (exposed: number, converted: number, revenueEach = 5000, impressions = exposed * 3): ArmCounts => ({
  impressions,
  exposed,
  revenues: Array.from({ length: converted }, () => revenueEach),
  orders: converted,
});

describe("intervals", () => {
  it("Wilson's interval matches the textbook value (81 of 263: 0.2553 to 0.3662)", () => {
    const { low, high } = wilson(81, 263);
    expect(low).toBeCloseTo(0.2553, 3);
    expect(high).toBeCloseTo(0.3662, 3);
  });

  it("Newcombe's hybrid interval matches his worked example (56/70 vs 48/80: 0.0524 to 0.3339)", () => {
    const d = proportionDifference(56, 70, 48, 80)!;
    expect(d.estimate).toBeCloseTo(0.2, 6);
    expect(d.low).toBeCloseTo(0.0524, 3);
    expect(d.high).toBeCloseTo(0.3339, 3);
  });

  it("difference of means over exposed customers counts non-buyers as zero", () => {
    const d = meanDifference([100, 100], 4, [100], 4)!;
    expect(d.estimate).toBeCloseTo(25, 6); // 50 per customer vs 25
    expect(d.low).toBeLessThan(25);
    expect(d.high).toBeGreaterThan(25);
  });

  it("no interval without customers", () => {
    expect(proportionDifference(0, 0, 1, 10)).toBeNull();
    expect(meanDifference([], 1, [], 10)).toBeNull();
  });
});

describe("verdict", () => {
  it("not enough data until each arm has enough customers and buyers", () => {
    const u = uplift({ campaign: arm(50, 10), holdout: arm(10, 1) });
    expect(u.verdict).toBe("not-enough-data");
    expect(u.message).toMatch(/^Not enough data yet/);
    expect(u.campaign).toMatchObject({ exposed: 50, converted: 10, revenueMinor: 50_000 });
  });

  it("says so when there is no holdout at all", () => {
    const u = uplift({ campaign: arm(500, 40), holdout: arm(0, 0, 0, 0) });
    expect(u.verdict).toBe("not-enough-data");
    expect(u.message).toMatch(/no holdout/);
  });

  it("better when the whole interval is above zero", () => {
    const u = uplift({ campaign: arm(2000, 300), holdout: arm(500, 40) });
    expect(u.verdict).toBe("better");
    expect(u.conversionDifference!.low).toBeGreaterThan(0);
    expect(u.message).toMatch(/working/);
    expect(u.revenueDifference!.estimate).toBeGreaterThan(0);
  });

  it("worse when the whole interval is below zero", () => {
    const u = uplift({ campaign: arm(2000, 60), holdout: arm(500, 60) });
    expect(u.verdict).toBe("worse");
    expect(u.message).toMatch(/harm/);
  });

  it("no clear difference when the interval spans zero", () => {
    const u = uplift({ campaign: arm(900, 90), holdout: arm(100, 10) });
    expect(u.verdict).toBe("no-clear-difference");
    expect(u.conversionDifference!.low).toBeLessThan(0);
    expect(u.conversionDifference!.high).toBeGreaterThan(0);
    expect(u.message).toMatch(/No clear difference/);
  });
});
