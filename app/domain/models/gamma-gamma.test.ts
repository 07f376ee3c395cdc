import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRandom } from "~/demo/random";
import { cdnowSummary } from "../../../tests/helpers/cdnow";
import {
  expectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  type GammaGammaParams,
  type GammaGammaRow,
} from "./gamma-gamma";
import { simulateMeanValue } from "./simulate";

const PUBLISHED = { p: 6.25, q: 3.74, gamma: 15.44 };

function simulate(params: GammaGammaParams, n: number, seed: number): GammaGammaRow[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => {
    const x = 1 + random.poisson(2);
    return { x, m: simulateMeanValue(params, x, random) };
  });
}

const totalLl = (params: GammaGammaParams, rows: GammaGammaRow[]) =>
  rows.reduce((s, row) => s + gammaGammaLogLikelihood(params, row), 0);

describe("Gamma-Gamma on CDNOW's 946 repeat buyers (Fader & Hardie 2013)", () => {
  const repeat = cdnowSummary()
    .filter((row) => row.x > 0)
    .map((row) => ({ x: row.x, m: row.zbar }));

  it("fits the published p, q, γ within 1%", () => {
    expect(repeat).toHaveLength(946);
    const fit = fitGammaGamma(repeat);
    if (!fit.ok) throw new Error(fit.reason);
    for (const key of ["p", "q", "gamma"] as const) {
      expect(Math.abs(fit.params[key] / PUBLISHED[key] - 1), key).toBeLessThan(0.01);
    }
    expect(fit.converged).toBe(true);
  });

  it("shrinks a customer's mean toward the population's, less as x grows", () => {
    const params = PUBLISHED;
    const population = (params.p * params.gamma) / (params.q - 1);
    expect(expectedAverageValue(params, 0, 0)).toBeCloseTo(population, 10);
    const one = expectedAverageValue(params, 1, 100);
    const ten = expectedAverageValue(params, 10, 100);
    expect(one).toBeGreaterThan(population);
    expect(one).toBeLessThan(ten);
    expect(ten).toBeLessThan(100);
    // (γ + x m) p / (p x + q − 1)
    expect(expectedAverageValue(params, 2, 22.35)).toBeCloseTo(((15.44 + 2 * 22.35) * 6.25) / (12.5 + 2.74), 10);
  });
});

describe("Gamma-Gamma refuses what it cannot fit", () => {
  it.each<[string, GammaGammaRow[], RegExp]>([
    ["nobody", [], /not enough repeat buyers yet: 0/],
    ["one buyer", [{ x: 2, m: 10 }], /not enough repeat buyers yet: 1/],
    ["all spend the same", Array.from({ length: 50 }, (_, i) => ({ x: 1 + (i % 3), m: 25 })), /same average/],
    ["a zero mean", [{ x: 1, m: 0 }], /customer 1: mean value/],
    ["x = 0", [{ x: 0, m: 10 }], /customer 1: frequency/],
  ])("%s", (_, rows, reason) => {
    const fit = fitGammaGamma(rows);
    expect(fit.ok).toBe(false);
    if (!fit.ok) expect(fit.reason).toMatch(reason);
  });

  it("huge and tiny values give finite parameters", () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ x: 1 + (i % 5), m: i % 2 ? 1e-3 * (i + 1) : 1e7 * (i + 1) }));
    const fit = fitGammaGamma(rows);
    if (fit.ok) for (const v of Object.values(fit.params)) expect(Number.isFinite(v) && v > 0).toBe(true);
    else expect(fit.reason.length).toBeGreaterThan(0);
  });
});

describe("Gamma-Gamma parameter recovery", () => {
  it("fits 10,000 simulated repeat buyers back within sampling error", () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const rows = simulate(truth, 10_000, 11);
    const fit = fitGammaGamma(rows);
    if (!fit.ok) throw new Error(fit.reason);
    // 2·(ℓ̂ − ℓ(truth)) ~ χ²(3): below 16.27 at 99.9%
    const gain = fit.logLikelihood - totalLl(truth, rows);
    expect(gain).toBeGreaterThanOrEqual(0);
    expect(gain).toBeLessThan(16.27 / 2);
    for (const key of ["p", "q", "gamma"] as const) {
      expect(Math.abs(fit.params[key] / truth[key] - 1), key).toBeLessThan(0.15);
    }
  });

  it("recovers random parameter sets (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          p: fc.double({ min: 1, max: 10, noNaN: true }),
          q: fc.double({ min: 2, max: 8, noNaN: true }),
          gamma: fc.double({ min: 1, max: 100, noNaN: true }),
        }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (truth, seed) => {
          const rows = simulate(truth, 2000, seed);
          const fit = fitGammaGamma(rows);
          if (!fit.ok) return false;
          const gain = fit.logLikelihood - totalLl(truth, rows);
          // the population mean spend pγ/(q−1) is what the data pins down best
          const mean = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
          const trueMean = (truth.p * truth.gamma) / (truth.q - 1);
          return gain >= -1e-6 && gain < 8.2 && Math.abs(mean / trueMean - 1) < 0.15;
        },
      ),
      { numRuns: 8, seed: 20261201 },
    );
  });
});
