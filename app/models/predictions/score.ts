// Every customer's outputs from the shop's fitted models: P(alive), expected orders in the next 90 days,
// churn risk band, predicted 12-month value (CLV) and spend tier. Pure: summaries and parameters in,
// rows out. The mathematics is app/domain/models'; this only applies it to the shop's customers.
import { churnRiskBand, expectedPurchases, pAlive, type BgNbdParams } from "~/domain/models/bgnbd";
import { expectedAverageValue, type GammaGammaParams } from "~/domain/models/gamma-gamma";
import type { PredictionRow } from "./store.server";
import type { CustomerSummary } from "./summary.server";

export type Scoring = {
  /** Annual discount rate of the CLV (0.1 = 10% a year). */
  annualDiscountRate: number;
  /** Months of the CLV horizon. */
  months: number;
  /** L2 penalty of the BG/NBD fit (small shops). */
  penalizer: number;
};

export const DEFAULT_SCORING: Scoring = { annualDiscountRate: 0.1, months: 12, penalizer: 0 };

const DAYS_PER_MONTH = 365.25 / 12;

/**
 * 12-month customer value, as lifetimes computes it (customer_lifetime_value): each month's expected
 * purchases (the difference of the cumulative expectation) times the expected average order value,
 * discounted monthly.
 */
export function clvOf(
  bg: BgNbdParams,
  gg: GammaGammaParams,
  s: Pick<CustomerSummary, "x" | "tx" | "T" | "repeatMean">,
  scoring: Scoring,
): number {
  const value = expectedAverageValue(gg, s.x, s.repeatMean);
  const monthly = Math.pow(1 + scoring.annualDiscountRate, 1 / 12) - 1;
  let total = 0;
  let before = 0;
  for (let month = 1; month <= scoring.months; month++) {
    const upTo = expectedPurchases(bg, month * DAYS_PER_MONTH, s);
    total += ((upTo - before) * value) / Math.pow(1 + monthly, month);
    before = upTo;
  }
  return total;
}

/**
 * Spend tiers by predicted value within the shop: the top fifth HIGH, the next 30% MEDIUM, the rest LOW.
 */
export function spendTiers(values: readonly number[]): ("HIGH" | "MEDIUM" | "LOW")[] {
  const sorted = [...values].sort((a, b) => b - a);
  const high = sorted[Math.max(0, Math.ceil(sorted.length * 0.2) - 1)] ?? Infinity;
  const medium = sorted[Math.max(0, Math.ceil(sorted.length * 0.5) - 1)] ?? Infinity;
  return values.map((v) => (v >= high && v > 0 ? "HIGH" : v >= medium && v > 0 ? "MEDIUM" : "LOW"));
}

export function scoreCustomers(
  summaries: readonly CustomerSummary[],
  bg: BgNbdParams,
  gg: GammaGammaParams | null,
  scoring: Scoring,
): PredictionRow[] {
  const clv = gg ? summaries.map((s) => clvOf(bg, gg, s, scoring)) : null;
  const tiers = clv ? spendTiers(clv) : null;
  return summaries.map((s, i) => {
    const alive = pAlive(bg, s);
    const value = clv?.[i];
    return {
      customerId: s.customerId,
      pAlive: alive,
      expectedOrders90d: expectedPurchases(bg, 90, s),
      predictedClvMinor: value === undefined || !Number.isFinite(value) ? null : BigInt(Math.round(value)),
      predictedSpendTier: tiers?.[i] ?? null,
      churnRisk: churnRiskBand(alive),
    };
  });
}
