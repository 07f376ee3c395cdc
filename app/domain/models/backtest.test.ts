import { describe, expect, it } from "vitest";
import { cdnowSampleTransactions } from "../../../tests/helpers/cdnow";
import { backtest, describeBacktest } from "./backtest";
import { pAlive } from "./bgnbd";
import { hyp2f1 } from "./special";
import { dayNumber, summarize } from "./summary";

const CAL_END = dayNumber("1997-09-30");
const HOLDOUT_END = dayNumber("1998-06-30");

function cdnowCustomers(): { day: number; value: number }[][] {
  const byCustomer = new Map<number, { day: number; value: number }[]>();
  for (const t of cdnowSampleTransactions()) {
    const list = byCustomer.get(t.customer) ?? [];
    list.push({ day: dayNumber(t.day), value: t.dollars });
    byCustomer.set(t.customer, list);
  }
  return [...byCustomer.values()];
}

describe("backtest on CDNOW: 39-week calibration, 39-week holdout (FHL 2005)", () => {
  const customers = cdnowCustomers();
  const result = backtest(customers, { calibrationEnd: CAL_END, holdoutEnd: HOLDOUT_END, unit: "weeks" });
  if (!result.ok) throw new Error(result.reason);

  it("refits the published parameters from the raw transactions", () => {
    expect(result.fit.params.r).toBeCloseTo(0.2426, 3);
    expect(result.fit.params.alpha).toBeCloseTo(4.4135, 2);
    expect(result.fit.params.a).toBeCloseTo(0.7929, 3);
    expect(result.fit.params.b).toBeCloseTo(2.4258, 2);
    expect(result.customers).toBe(2357);
  });

  it("counts what happened: 2,457 repeat purchase days in calibration, 1,882 in the holdout", () => {
    expect(result.totals.actual).toBe(1882);
    expect(result.holdoutWeeks).toHaveLength(39);
    expect(result.holdoutWeeks[38]!.actual).toBe(1882);
    expect(result.tracking).toHaveLength(78);
    expect(result.tracking[38]!.actual).toBe(2457);
    expect(result.tracking[77]!.actual).toBe(2457 + 1882);
  });

  it("predicts the holdout as the plain FHL formula does (1,653 expected against 1,882 made)", () => {
    // independent route: eq. 10 with the plain ₂F₁ series
    const { r, alpha, a, b } = result.fit.params;
    let direct = 0;
    for (const purchases of customers) {
      const s = summarize(purchases, CAL_END, "weeks")!;
      const t = 39;
      const z = t / (alpha + s.T + t);
      const f = hyp2f1(r + s.x, b + s.x, a + b + s.x - 1, z).value;
      const head = ((a + b + s.x - 1) / (a - 1)) * (1 - Math.pow((alpha + s.T) / (alpha + s.T + t), r + s.x) * f);
      direct += head * pAlive(result.fit.params, s);
    }
    expect(result.totals.expected).toBeCloseTo(direct, 6);
    expect(Math.round(result.totals.expected)).toBe(1653);
    expect(result.holdoutWeeks[38]!.expected).toBeCloseTo(result.totals.expected, 8);
    expect(result.words).toContain("1,653");
    expect(result.words).toContain("1,882");
  });

  it("tracks cumulative repeat purchases in weeks 40–78 within 6% (4,161 expected against 4,339 at week 78)", () => {
    for (const week of result.tracking.slice(39)) {
      expect(Math.abs(week.expected / week.actual - 1), `week ${week.week}`).toBeLessThan(0.06);
    }
    expect(Math.round(result.tracking[77]!.expected)).toBe(4161);
    // cumulative curves never go down
    for (let k = 1; k < 78; k++)
      expect(result.tracking[k]!.expected).toBeGreaterThanOrEqual(result.tracking[k - 1]!.expected);
  });

  it("groups customers by calibration frequency 0…7+ like the paper's conditional-expectation figure", () => {
    expect(result.byFrequency.map((g) => g.frequency)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7+"]);
    expect(result.byFrequency.reduce((s, g) => s + g.customers, 0)).toBe(2357);
    expect(result.byFrequency[0]!.customers).toBe(1411);
    // expected rises with past frequency, as the actual does
    for (let x = 1; x < 8; x++)
      expect(result.byFrequency[x]!.meanExpected).toBeGreaterThan(result.byFrequency[x - 1]!.meanExpected);
    expect(result.byFrequency[7]!.meanActual).toBeGreaterThan(6);
    expect(result.byFrequency[1]!.relativeError).toBeCloseTo((229.65 - 306) / 306, 2);
  });
});

describe("backtest edges", () => {
  it("says why when the calibration data cannot be fitted, and refuses a holdout before the cut-off", () => {
    const nobody = Array.from({ length: 50 }, (_, i) => [i]);
    const r = backtest(nobody, { calibrationEnd: 100, holdoutEnd: 200, unit: "days" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/nobody has bought a second time/);
    const bad = backtest(nobody, { calibrationEnd: 100, holdoutEnd: 100 });
    expect(bad.ok).toBe(false);
  });

  it("leaves out customers new in the holdout", () => {
    const customers = [...Array.from({ length: 40 }, (_, i) => [i, i + 20, i + 60]), [150]];
    const r = backtest(customers, { calibrationEnd: 100, holdoutEnd: 200, unit: "days" });
    if (!r.ok) throw new Error(r.reason);
    expect(r.customers).toBe(40);
    expect(r.perCustomer[40]).toBeNull();
  });

  it.each([
    [100, 100, "very close"],
    [108, 100, "close"],
    [80, 100, "roughly right"],
    [40, 100, "far off"],
  ])("expected %d, actual %d reads %s", (expected, actual, words) => {
    expect(describeBacktest(expected, actual, 91, "days")).toContain(words);
  });
});
