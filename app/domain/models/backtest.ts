// "How good are these predictions for your shop": refit BG/NBD on the purchases up to a cut-off, predict
// each customer's repeat purchases in the held-out period after it, and compare with what happened —
// in total, week by week (cumulative), and per group of calibration frequency (0, 1, …, 7+), as Fader,
// Hardie & Lee (2005) do for CDNOW with a 39-week calibration and 39-week holdout. Also the paper's
// tracking figure: expected vs actual cumulative repeat transactions over the whole span, from the
// unconditional expectation of each first-purchase cohort.
import { expectedPurchases, expectedPurchasesNew, fitBgNbd, type BgNbdFit, type BgNbdParams } from "./bgnbd";
import { purchaseDaysBetween, summarize, UNIT_DAYS, type Purchase, type TimeUnit } from "./summary";
import type { FitFailure, FitOptions } from "./types";

export type BacktestOptions = {
  /** Last day (day number, inclusive) of the calibration period. */
  calibrationEnd: number;
  /** Last day (inclusive) of the holdout period. */
  holdoutEnd: number;
  unit?: TimeUnit;
  fit?: FitOptions;
  /** Calibration frequencies at and above this are one group ("7+"); default 7. */
  groupCap?: number;
};

export type BacktestWeek = { week: number; expected: number; actual: number };

export type BacktestGroup = {
  /** "0", "1", …, "7+" */
  frequency: string;
  customers: number;
  expected: number;
  actual: number;
  /** Per customer. */
  meanExpected: number;
  meanActual: number;
  /** (expected − actual) / actual; 0 when both are 0. */
  relativeError: number;
};

export type BacktestResult = {
  ok: true;
  fit: BgNbdFit;
  unit: TimeUnit;
  holdoutDays: number;
  /** Customers who had bought by the cut-off (the others are new in the holdout and not predicted). */
  customers: number;
  /** Per input customer: expected and actual holdout repeat purchases, null for one new in the holdout. */
  perCustomer: ({ expected: number; actual: number } | null)[];
  /** Cumulative over the holdout, by week (the last week may be partial). */
  holdoutWeeks: BacktestWeek[];
  /** Cumulative repeat purchases from the first purchase in the data to the holdout end, by week. */
  tracking: BacktestWeek[];
  byFrequency: BacktestGroup[];
  totals: { expected: number; actual: number; relativeError: number; meanAbsoluteError: number };
  /** The comparison in one plain sentence for the merchant. */
  words: string;
};

const WEEK = 7;

/** Refits on the calibration period and compares the holdout predictions with what happened. */
export function backtest(
  customers: readonly (readonly Purchase[] | readonly number[])[],
  options: BacktestOptions,
): BacktestResult | FitFailure {
  const { calibrationEnd, holdoutEnd } = options;
  const unit = options.unit ?? "weeks";
  const per = UNIT_DAYS[unit];
  const cap = options.groupCap ?? 7;
  if (!(holdoutEnd > calibrationEnd)) {
    return { ok: false, reason: "the holdout period must end after the calibration period", n: customers.length };
  }
  const summaries = customers.map((purchases) => summarize(purchases, calibrationEnd, unit));
  const rows = summaries.filter((s) => s !== null);
  const fit = fitBgNbd(rows, options.fit);
  if (!fit.ok) return fit;
  const params = fit.params;
  const holdoutDays = holdoutEnd - calibrationEnd;
  const weeks = Math.ceil(holdoutDays / WEEK);
  const expectedCum = new Float64Array(weeks);
  const actualCum = new Float64Array(weeks);
  const groups = Array.from({ length: cap + 1 }, () => ({ customers: 0, expected: 0, actual: 0 }));
  const perCustomer: BacktestResult["perCustomer"] = [];
  let totalExpected = 0;
  let totalActual = 0;
  let absoluteError = 0;
  for (let i = 0; i < customers.length; i++) {
    const s = summaries[i];
    if (!s) {
      perCustomer.push(null);
      continue;
    }
    const days = purchaseDaysBetween(customers[i]!, calibrationEnd, holdoutEnd);
    for (let k = 0; k < weeks; k++) {
      const t = Math.min((k + 1) * WEEK, holdoutDays) / per;
      expectedCum[k]! += expectedPurchases(params, t, s);
    }
    for (const day of days) actualCum[Math.ceil((day - calibrationEnd) / WEEK) - 1]!++;
    const expected = expectedPurchases(params, holdoutDays / per, s);
    perCustomer.push({ expected, actual: days.length });
    const group = groups[Math.min(s.x, cap)]!;
    group.customers++;
    group.expected += expected;
    group.actual += days.length;
    totalExpected += expected;
    totalActual += days.length;
    absoluteError += Math.abs(expected - days.length);
  }
  for (let k = 1; k < weeks; k++) actualCum[k]! += actualCum[k - 1]!;
  const holdoutWeeks = Array.from({ length: weeks }, (_, k) => ({
    week: k + 1,
    expected: expectedCum[k]!,
    actual: actualCum[k]!,
  }));
  const relativeError = totalActual > 0 ? (totalExpected - totalActual) / totalActual : totalExpected > 0 ? 1 : 0;
  return {
    ok: true,
    fit,
    unit,
    holdoutDays,
    customers: rows.length,
    perCustomer,
    holdoutWeeks,
    tracking: tracking(customers, summaries, params, holdoutEnd, per),
    byFrequency: groups.map((g, x) => ({
      frequency: x === cap ? `${cap}+` : String(x),
      ...g,
      meanExpected: g.customers ? g.expected / g.customers : 0,
      meanActual: g.customers ? g.actual / g.customers : 0,
      relativeError: g.actual > 0 ? (g.expected - g.actual) / g.actual : g.expected > 0 ? 1 : 0,
    })),
    totals: {
      expected: totalExpected,
      actual: totalActual,
      relativeError,
      meanAbsoluteError: rows.length ? absoluteError / rows.length : 0,
    },
    words: describeBacktest(totalExpected, totalActual, holdoutDays, unit),
  };
}

/**
 * FHL 2005's tracking figure: week by week from the first purchase in the data, the cumulative repeat
 * purchases expected for each first-purchase cohort (unconditional E[X(t)] from its first day) against
 * those made.
 */
function tracking(
  customers: readonly (readonly Purchase[] | readonly number[])[],
  summaries: readonly (ReturnType<typeof summarize> | null)[],
  params: BgNbdParams,
  holdoutEnd: number,
  per: number,
): BacktestWeek[] {
  const cohorts = new Map<number, number>();
  let start = Infinity;
  const repeatDays: number[] = [];
  for (let i = 0; i < customers.length; i++) {
    const s = summaries[i];
    if (!s) continue;
    cohorts.set(s.firstDay, (cohorts.get(s.firstDay) ?? 0) + 1);
    start = Math.min(start, s.firstDay);
    for (const day of purchaseDaysBetween(customers[i]!, s.firstDay, holdoutEnd)) repeatDays.push(day);
  }
  if (!Number.isFinite(start)) return [];
  repeatDays.sort((a, b) => a - b);
  // Week w ends at the end of day start + 7w − 1 (CDNOW: week 1 is 1997-01-01..07).
  const weeks = Math.ceil((holdoutEnd - start + 1) / WEEK);
  const out: BacktestWeek[] = [];
  let seen = 0;
  for (let w = 1; w <= weeks; w++) {
    const lastDay = Math.min(start + WEEK * w - 1, holdoutEnd);
    let expected = 0;
    for (const [first, count] of cohorts) {
      if (first <= lastDay) expected += count * expectedPurchasesNew(params, (lastDay - first) / per);
    }
    while (seen < repeatDays.length && repeatDays[seen]! <= lastDay) seen++;
    out.push({ week: w, expected, actual: seen });
  }
  return out;
}

const formatCount = (v: number) => Math.round(v).toLocaleString("en-US");

/** "Fitted up to the cut-off, the model expected 1,803 repeat purchases in the next 39 weeks; …" */
export function describeBacktest(expected: number, actual: number, holdoutDays: number, unit: TimeUnit): string {
  const span =
    unit === "weeks" || holdoutDays % WEEK === 0
      ? `${Math.round((holdoutDays / WEEK) * 10) / 10} weeks`
      : `${holdoutDays} days`;
  const head = `Fitted on the orders before the last ${span}, the model expected ${formatCount(expected)} repeat purchases in those ${span}; customers made ${formatCount(actual)}`;
  if (actual === 0) return `${head}.`;
  const error = (expected - actual) / actual;
  const pct = Math.abs(error * 100);
  const direction = error > 0 ? "more than happened" : "fewer than happened";
  const quality =
    pct < 5
      ? "very close"
      : pct < 10
        ? "close"
        : pct < 25
          ? "roughly right"
          : "far off: treat these predictions with care";
  return `${head}. The prediction was ${pct.toFixed(1)}% ${direction} — ${quality}.`;
}
