import { describe, expect, it } from "vitest";
import { createRandom } from "~/demo/random";
import { cdnowSummary } from "../../../tests/helpers/cdnow";
import { expectedPurchases, expectedPurchasesAt, fitBgNbd } from "./bgnbd";
import { fitAndScore } from "./pipeline";
import { simulateBgNbdCustomer } from "./simulate";

describe("fitAndScore", () => {
  it("fits both models on CDNOW and scores every customer", () => {
    const rows = cdnowSummary().map((r) => ({ x: r.x, tx: r.tx, T: r.T, m: r.zbar }));
    const result = fitAndScore(rows, { unit: "weeks" });
    if (!result.ok) throw new Error(result.reason);
    expect(result.bgNbd.params.r).toBeCloseTo(0.2426, 3);
    expect(result.gammaGamma.ok).toBe(true);
    expect(result.scores.clv).toHaveLength(2357);
    const tiers = result.scores.spendTier;
    expect(tiers.filter((t) => t === "HIGH").length).toBeCloseTo(236, -1);
    expect(result.scores.churnRisk.every((r) => ["LOW", "MEDIUM", "HIGH"].includes(r))).toBe(true);
  });

  it("says why when BG/NBD cannot be fitted, and still scores without a spend model", () => {
    const none = fitAndScore(Array.from({ length: 30 }, () => ({ x: 0, tx: 0, T: 10, m: 0 })));
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.reason).toMatch(/nobody has bought a second time/);
    const rows = [
      ...Array.from({ length: 25 }, (_, i) => ({ x: 0, tx: 0, T: 10 + i, m: 0 })),
      { x: 2, tx: 5, T: 20, m: 30 },
      { x: 1, tx: 3, T: 12, m: 30 },
    ];
    const few = fitAndScore(rows);
    if (!few.ok) throw new Error(few.reason);
    expect(few.gammaGamma.ok).toBe(false);
    expect(few.scores.clv.every(Number.isFinite)).toBe(true);
  });

  it("expectedPurchasesAt equals expectedPurchases at each time", () => {
    const params = { r: 0.24, alpha: 4.4, a: 0.79, b: 2.4 };
    const row = { x: 3, tx: 20, T: 30 };
    const times = [1, 10, 40, 100];
    expect(Array.from(expectedPurchasesAt(params, times, row))).toEqual(
      times.map((t) => expectedPurchases(params, t, row)),
    );
  });

  it("a large shop's fit (pilot sample, then everyone) lands on the truth and converges", () => {
    const truth = { r: 0.6, alpha: 60, a: 0.7, b: 1.5 };
    const random = createRandom(5);
    const rows = Array.from({ length: 60_000 }, () => simulateBgNbdCustomer(truth, random.int(0, 730), random, true));
    const fit = fitBgNbd(rows);
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.converged).toBe(true);
    expect(fit.fittedOn).toBe(60_000);
    expect(Math.abs(fit.params.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.alpha / truth.alpha - 1)).toBeLessThan(0.1);
    // the same fit from a sample of 20,000 (no pilot) agrees to sampling error
    const small = fitBgNbd(rows, { sampleSize: 20_000 });
    if (!small.ok) throw new Error(small.reason);
    expect(Math.abs(small.params.r / fit.params.r - 1)).toBeLessThan(0.1);
  });
});
