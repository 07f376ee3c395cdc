// Customer lifetime value over a horizon from BG/NBD × Gamma-Gamma: the purchases expected in each month
// ahead (the difference of the conditional expectation at the month's end and start), times the expected
// value of a purchase, discounted back to today; and a spend tier from where a customer's CLV falls in
// her shop's distribution. Also the one pass that scores every customer for the wiring to store.
import {
  churnRiskBand,
  expectedPurchases,
  expectedPurchasesAt,
  pAlive,
  type BgNbdParams,
  type BgNbdRow,
  type ChurnRisk,
} from "./bgnbd";
import { expectedAverageValue, type GammaGammaParams } from "./gamma-gamma";
import { UNIT_DAYS, type TimeUnit } from "./summary";

export type ClvOptions = {
  /** Horizon in months (default 12). */
  months?: number;
  /** Yearly discount rate, e.g. 0.1 for 10% (default 0.1); applied monthly as (1 + rate)^(1/12) − 1. */
  annualDiscountRate?: number;
  /** Time unit the BG/NBD model was fitted in (default weeks). */
  unit?: TimeUnit;
};

export type ClvRow = { x: number; tx: number; T: number; m: number };

const DAYS_PER_MONTH = 365.25 / 12;

/** Discounted expected value of a customer's purchases over the next `months` months. */
export function customerLifetimeValue(
  bg: BgNbdParams,
  gg: GammaGammaParams,
  row: ClvRow,
  options: ClvOptions = {},
): number {
  return clvWithValue(bg, row, expectedAverageValue(gg, row.x, row.m), options);
}

function clvWithValue(bg: BgNbdParams, row: ClvRow, value: number, options: ClvOptions): number {
  return value * discountedPurchases(bg, row, monthTimes(options), discountFactors(options));
}

/** Month ends of the horizon, in the model's time unit. */
function monthTimes(options: ClvOptions): number[] {
  const perMonth = DAYS_PER_MONTH / UNIT_DAYS[options.unit ?? "weeks"];
  return Array.from({ length: options.months ?? 12 }, (_, i) => (i + 1) * perMonth);
}

/** 1 / (1 + monthly rate)^i for months i = 1..months. */
function discountFactors(options: ClvOptions): number[] {
  const monthly = Math.pow(1 + (options.annualDiscountRate ?? 0.1), 1 / 12) - 1;
  return Array.from({ length: options.months ?? 12 }, (_, i) => 1 / Math.pow(1 + monthly, i + 1));
}

/** Σ over months of (E(month end) − E(month start)) × discount: the discounted expected purchases. */
function discountedPurchases(bg: BgNbdParams, row: BgNbdRow, times: number[], discounts: number[]): number {
  const cumulative = expectedPurchasesAt(bg, times, row);
  let previous = 0;
  let total = 0;
  for (let i = 0; i < times.length; i++) {
    total += (cumulative[i]! - previous) * discounts[i]!;
    previous = cumulative[i]!;
  }
  return total;
}

export type SpendTier = "HIGH" | "MEDIUM" | "LOW";
export type SpendThresholds = { high: number; medium: number };

/**
 * The shop's own cut points, so that tiers mean "compared with this shop's other customers": HIGH is the
 * top 10% of predicted CLV, MEDIUM the next 40% (at or above the median), LOW the bottom half. When the
 * 90th percentile equals the median (a shop where most customers look alike) nobody is HIGH.
 */
export function chooseSpendThresholds(clvs: ArrayLike<number>): SpendThresholds {
  const sorted = Float64Array.from(clvs).filter(Number.isFinite).sort();
  if (sorted.length === 0) return { high: Infinity, medium: Infinity };
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const medium = at(0.5);
  const p90 = at(0.9);
  return { high: p90 > medium ? p90 : Infinity, medium };
}

export function spendTier(clv: number, thresholds: SpendThresholds): SpendTier {
  if (clv >= thresholds.high) return "HIGH";
  if (clv >= thresholds.medium) return "MEDIUM";
  return "LOW";
}

export type ScoreOptions = ClvOptions & {
  /** Horizon of `expectedOrders`, in days (default 90). */
  expectedOrdersDays?: number;
  /** Cut points for the spend tier; default chooseSpendThresholds over these customers' CLV. */
  thresholds?: SpendThresholds;
};

/** Every customer's predictions, column by column (index i is rows[i]). */
export type Scores = {
  pAlive: Float64Array;
  expectedOrders: Float64Array;
  clv: Float64Array;
  churnRisk: ChurnRisk[];
  spendTier: SpendTier[];
  thresholds: SpendThresholds;
};

/**
 * P(alive), expected orders in the next `expectedOrdersDays`, CLV, churn risk and spend tier for every
 * customer. Without a Gamma-Gamma fit (too few repeat buyers) `fallbackValue` (e.g. the shop's mean
 * order value) stands in for each purchase's value.
 */
export function scoreCustomers(
  bg: BgNbdParams,
  gg: GammaGammaParams | null,
  rows: readonly ClvRow[],
  options: ScoreOptions & { fallbackValue?: number } = {},
): Scores {
  const n = rows.length;
  const per = UNIT_DAYS[options.unit ?? "weeks"];
  const horizon = (options.expectedOrdersDays ?? 90) / per;
  const alive = new Float64Array(n);
  const expected = new Float64Array(n);
  const clv = new Float64Array(n);
  const churnRisk = new Array<ChurnRisk>(n);
  const times = monthTimes(options);
  const discounts = discountFactors(options);
  // Customers with no repeat purchase differ only by T, which repeats a lot in whole days: their
  // expected orders and discounted purchases are computed once per T.
  const newcomers = new Map<number, { orders: number; discounted: number }>();
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    let orders: number;
    let discounted: number;
    const known = row.x === 0 ? newcomers.get(row.T) : undefined;
    if (known) {
      orders = known.orders;
      discounted = known.discounted;
    } else {
      orders = expectedPurchases(bg, horizon, row);
      discounted = discountedPurchases(bg, row, times, discounts);
      if (row.x === 0) newcomers.set(row.T, { orders, discounted });
    }
    alive[i] = pAlive(bg, row);
    expected[i] = orders;
    const value = gg ? expectedAverageValue(gg, row.x, row.m) : (options.fallbackValue ?? (row.m > 0 ? row.m : 0));
    clv[i] = (Number.isFinite(value) ? value : 0) * discounted;
    churnRisk[i] = churnRiskBand(alive[i]!);
  }
  const thresholds = options.thresholds ?? chooseSpendThresholds(clv);
  const tiers = new Array<SpendTier>(n);
  for (let i = 0; i < n; i++) tiers[i] = spendTier(clv[i]!, thresholds);
  return { pAlive: alive, expectedOrders: expected, clv, churnRisk, spendTier: tiers, thresholds };
}
