import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRandom } from "~/demo/random";
import {
  bgNbdLogLikelihood,
  churnRiskBand,
  expectedPurchases,
  expectedPurchasesNew,
  fitBgNbd,
  pAlive,
  type BgNbdParams,
  type BgNbdRow,
} from "./bgnbd";
import { cdnowSummary } from "../../../tests/helpers/cdnow";
import { simulateBgNbdCustomer } from "./simulate";
import { hyp2f1 } from "./special";

const PUBLISHED = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
const CDNOW_FIT: BgNbdParams = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };

function simulate(params: BgNbdParams, n: number, seed: number): BgNbdRow[] {
  const random = createRandom(seed);
  // ages spread over 20..80 units, as a shop that acquired customers steadily
  return Array.from({ length: n }, () => simulateBgNbdCustomer(params, 20 + 60 * random.next(), random));
}

function totalLl(params: BgNbdParams, rows: BgNbdRow[]): number {
  return rows.reduce((s, row) => s + bgNbdLogLikelihood(params, row), 0);
}

/** FHL eq. 10 straight from the definition with the plain ₂F₁ series (fine for moderate z). */
function expectedDirect(params: BgNbdParams, t: number, row: BgNbdRow): number {
  const { r, alpha, a, b } = params;
  const { x, T } = row;
  const z = t / (alpha + T + t);
  const f = hyp2f1(r + x, b + x, a + b + x - 1, z).value;
  const head = ((a + b + x - 1) / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * f);
  return head * pAlive(params, row);
}

describe("BG/NBD on CDNOW (FHL 2005)", () => {
  const rows = cdnowSummary();

  it("fits the published parameters within 1%", () => {
    const fit = fitBgNbd(rows);
    if (!fit.ok) throw new Error(fit.reason);
    for (const key of ["r", "alpha", "a", "b"] as const) {
      expect(Math.abs(fit.params[key] / PUBLISHED[key] - 1), key).toBeLessThan(0.01);
    }
    expect(fit.n).toBe(2357);
    expect(fit.converged).toBe(true);
    expect(fit.atBound).toEqual([]);
    // lifetimes reports -9582.43 for the same data
    expect(fit.logLikelihood).toBeCloseTo(-9582.43, 1);
  });

  it("does not care about the time unit: days give the same r, a, b and α × 7", () => {
    const weeks = fitBgNbd(rows);
    const days = fitBgNbd(rows.map((r) => ({ x: r.x, tx: r.tx * 7, T: r.T * 7 })));
    if (!weeks.ok || !days.ok) throw new Error("fit failed");
    expect(days.params.r).toBeCloseTo(weeks.params.r, 4);
    expect(days.params.alpha / 7).toBeCloseTo(weeks.params.alpha, 3);
    expect(days.params.a).toBeCloseTo(weeks.params.a, 4);
    expect(days.params.b).toBeCloseTo(weeks.params.b, 3);
  });

  it("gives the paper's example customer 1.226 expected purchases in the next 39 weeks", () => {
    const row = { x: 2, tx: 30.43, T: 38.86 };
    expect(expectedPurchases(CDNOW_FIT, 39, row)).toBeCloseTo(1.226, 3);
    expect(pAlive(CDNOW_FIT, row)).toBeCloseTo(0.7266, 3);
  });

  it.each([
    [1, { x: 0, tx: 0, T: 38.86 }],
    [10, { x: 2, tx: 30.43, T: 38.86 }],
    [20, { x: 2, tx: 30.43, T: 38.86 }],
    [25, { x: 2, tx: 30.43, T: 38.86 }],
    [39, { x: 7, tx: 35, T: 38.86 }],
    [52, { x: 1, tx: 2, T: 5 }],
    [39, { x: 0, tx: 0, T: 0 }],
  ])("the transformed series equals the plain one (t = %d)", (t, row) => {
    expect(expectedPurchases(CDNOW_FIT, t, row)).toBeCloseTo(expectedDirect(CDNOW_FIT, t, row), 10);
  });

  it("unconditional expectation is the x = 0, T = 0 case and grows with t", () => {
    const e39 = expectedPurchasesNew(CDNOW_FIT, 39);
    expect(e39).toBeCloseTo(expectedDirect(CDNOW_FIT, 39, { x: 0, tx: 0, T: 0 }), 10);
    expect(expectedPurchasesNew(CDNOW_FIT, 78)).toBeGreaterThan(e39);
    expect(expectedPurchasesNew(CDNOW_FIT, 0)).toBe(0);
  });

  it("has no trouble at a = 1 or a + b + x − 1 = 0", () => {
    const row = { x: 3, tx: 20, T: 30 };
    const near = expectedPurchases({ ...CDNOW_FIT, a: 1 + 1e-9 }, 30, row);
    const at = expectedPurchases({ ...CDNOW_FIT, a: 1 }, 30, row);
    expect(at).toBeCloseTo(near, 6);
    const c0 = expectedPurchasesNew({ r: 0.5, alpha: 3, a: 0.4, b: 0.6 }, 10);
    expect(Number.isFinite(c0) && c0 > 0).toBe(true);
  });
});

describe("BG/NBD likelihood and predictions stay finite", () => {
  it.each([10, 30, 200])("the expansion for a narrow posterior continues the series (t = %d)", (t) => {
    const row = { x: 9, tx: 25, T: 30 };
    const series = expectedPurchases({ r: 0.5, alpha: 4, a: 60_000, b: 39_990.5 }, t, row);
    const expansion = expectedPurchases({ r: 0.5, alpha: 4, a: 60_000, b: 39_991.5 }, t, row);
    expect(Math.abs(expansion / series - 1)).toBeLessThan(1e-4);
  });

  it.each([
    ["huge x and T", { r: 0.24, alpha: 4.4, a: 0.79, b: 2.4 }, { x: 5000, tx: 99_000, T: 100_000 }],
    ["a, b near 0", { r: 0.24, alpha: 4.4, a: 1e-10, b: 1e-10 }, { x: 3, tx: 20, T: 30 }],
    ["a, b huge", { r: 0.24, alpha: 4.4, a: 1e10, b: 1e12 }, { x: 3, tx: 20, T: 30 }],
    ["α huge", { r: 0.24, alpha: 1e12, a: 0.79, b: 2.4 }, { x: 3, tx: 20, T: 30 }],
    ["r tiny", { r: 1e-10, alpha: 4.4, a: 0.79, b: 2.4 }, { x: 30, tx: 20, T: 30 }],
  ])("%s", (_, params, row) => {
    const ll = bgNbdLogLikelihood(params, row);
    expect(Number.isFinite(ll)).toBe(true);
    const alive = pAlive(params, row);
    expect(alive >= 0 && alive <= 1).toBe(true);
    const e = expectedPurchases(params, 10, row);
    expect(Number.isFinite(e) && e >= 0).toBe(true);
  });

  it("the likelihood's large-α limit is the Poisson one", () => {
    // α, r → ∞ with r/α = λ: no heterogeneity; a → 0 keeps everyone alive.
    const lambda = 0.1;
    const params = { r: 1e9 * lambda, alpha: 1e9, a: 1e-12, b: 1 };
    const row = { x: 3, tx: 20, T: 30 };
    const poisson = 3 * Math.log(lambda) - lambda * 30;
    expect(bgNbdLogLikelihood(params, row)).toBeCloseTo(poisson, 5);
  });
});

describe("fitBgNbd refuses what it cannot fit, in words", () => {
  const some = (n: number, row: BgNbdRow) => Array.from({ length: n }, () => ({ ...row }));
  it.each<[string, BgNbdRow[], RegExp]>([
    ["no customers", [], /not enough customers yet: 0/],
    ["one customer", [{ x: 2, tx: 10, T: 20 }], /not enough customers yet: 1/],
    ["nobody repeats", some(500, { x: 0, tx: 0, T: 30 }), /nobody has bought a second time/],
    ["everybody new today", [...some(30, { x: 0, tx: 0, T: 0 })], /nobody has bought a second time/],
    ["recency above T", [...some(30, { x: 1, tx: 3, T: 5 }), { x: 1, tx: 6, T: 5 }], /customer 31: recency/],
    ["negative frequency", [{ x: -1, tx: 0, T: 5 }], /customer 1: frequency/],
    ["NaN T", [{ x: 0, tx: 0, T: Number.NaN }], /customer 1: T must be/],
  ])("%s", (_, rows, reason) => {
    const fit = fitBgNbd(rows);
    expect(fit.ok).toBe(false);
    if (!fit.ok) expect(fit.reason).toMatch(reason);
  });

  it.each<[string, BgNbdRow[]]>([
    ["everybody repeats", Array.from({ length: 200 }, (_, i) => ({ x: 1 + (i % 4), tx: 10 + (i % 7), T: 30 }))],
    [
      "all T equal, few repeat",
      Array.from({ length: 100 }, (_, i) => ({ x: i % 10 === 0 ? 1 : 0, tx: i % 10 === 0 ? 5 : 0, T: 30 })),
    ],
    ["huge x and T", Array.from({ length: 50 }, (_, i) => ({ x: i * 200, tx: i === 0 ? 0 : 90_000, T: 100_000 }))],
    [
      "one repeat buyer among many",
      [{ x: 1, tx: 3, T: 30 }, ...Array.from({ length: 99 }, () => ({ x: 0, tx: 0, T: 30 }))],
    ],
  ])("%s: finite numbers, never NaN", (_, rows) => {
    const fit = fitBgNbd(rows);
    if (!fit.ok) {
      expect(fit.reason.length).toBeGreaterThan(0);
      return;
    }
    for (const v of Object.values(fit.params)) expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    for (const row of rows.slice(0, 5)) {
      expect(Number.isFinite(expectedPurchases(fit.params, 30, row))).toBe(true);
      expect(Number.isFinite(pAlive(fit.params, row))).toBe(true);
    }
  });

  it("a penalizer pulls the parameters in and is refused when negative", () => {
    const rows = cdnowSummary();
    const plain = fitBgNbd(rows);
    const penalized = fitBgNbd(rows, { penalizer: 0.01 });
    if (!plain.ok || !penalized.ok) throw new Error("fit failed");
    expect(penalized.params.alpha).toBeLessThan(plain.params.alpha);
    expect(fitBgNbd(rows, { penalizer: -1 }).ok).toBe(false);
  });
});

describe("BG/NBD parameter recovery", () => {
  it("fits 10,000 simulated customers back within sampling error", () => {
    const truth = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
    const rows = simulate(truth, 10_000, 7);
    const fit = fitBgNbd(rows);
    if (!fit.ok) throw new Error(fit.reason);
    // The MLE beats the truth, and by no more than a χ²(4) at 99.9% allows (18.47 / 2).
    const gain = fit.logLikelihood - totalLl(truth, rows);
    expect(gain).toBeGreaterThanOrEqual(0);
    expect(gain).toBeLessThan(9.24);
    expect(Math.abs(fit.params.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.alpha / truth.alpha - 1)).toBeLessThan(0.15);
    expect(Math.abs(fit.params.a / truth.a - 1)).toBeLessThan(0.3);
    expect(Math.abs(fit.params.b / truth.b - 1)).toBeLessThan(0.4);
  });

  it("recovers random parameter sets (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          r: fc.double({ min: 0.2, max: 3, noNaN: true }),
          alpha: fc.double({ min: 1, max: 30, noNaN: true }),
          a: fc.double({ min: 0.3, max: 3, noNaN: true }),
          b: fc.double({ min: 1, max: 10, noNaN: true }),
        }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (truth, seed) => {
          const rows = simulate(truth, 3000, seed);
          const fit = fitBgNbd(rows);
          if (!fit.ok) return false;
          // a wrong likelihood would put its maximum far from the truth: the gain would be huge
          const gain = fit.logLikelihood - totalLl(truth, rows);
          // the population's mean purchase rate r/α is what the data pins down best
          const rate = fit.params.r / fit.params.alpha / (truth.r / truth.alpha);
          return gain >= -1e-6 && gain < 9.24 && rate > 0.8 && rate < 1.25;
        },
      ),
      { numRuns: 8, seed: 20261201 },
    );
  });
});

describe("churn risk bands", () => {
  it.each([
    [1, "LOW"],
    [0.675, "LOW"],
    [0.665, "MEDIUM"],
    [0.5, "MEDIUM"],
    [0.345, "MEDIUM"],
    [0.335, "HIGH"],
    [0, "HIGH"],
  ])("P(alive) %d is %s risk", (p, band) => {
    expect(churnRiskBand(p)).toBe(band);
  });
});
