// Every customer's outputs from the shop's fitted models, as rows to store: the models' own scoring
// (app/domain/models/clv.ts: P(alive), expected orders in 90 days, churn band, 12-month CLV, spend tier)
// applied to the shop's summaries, in days and minor units.
import type { BgNbdParams } from "~/domain/models/bgnbd";
import { scoreCustomers as score, type SpendThresholds } from "~/domain/models/clv";
import type { GammaGammaParams } from "~/domain/models/gamma-gamma";
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

export function scoreCustomers(
  summaries: readonly CustomerSummary[],
  bg: BgNbdParams,
  gg: GammaGammaParams | null,
  scoring: Scoring,
): { rows: PredictionRow[]; thresholds: SpendThresholds } {
  const rows = summaries.map((s) => ({ x: s.x, tx: s.tx, T: s.T, m: s.repeatMean }));
  // Without a Gamma-Gamma fit, each purchase is valued at the shop's mean purchase-day amount.
  let total = 0;
  let days = 0;
  for (const s of summaries) {
    total += s.totalMinor;
    days += s.x + 1;
  }
  const scores = score(bg, gg, rows, {
    unit: "days",
    months: scoring.months,
    annualDiscountRate: scoring.annualDiscountRate,
    expectedOrdersDays: 90,
    fallbackValue: days > 0 ? total / days : 0,
  });
  return {
    thresholds: scores.thresholds,
    rows: summaries.map((s, i) => {
      const clv = scores.clv[i]!;
      return {
        customerId: s.customerId,
        pAlive: scores.pAlive[i]!,
        expectedOrders90d: scores.expectedOrders[i]!,
        predictedClvMinor: Number.isFinite(clv) ? BigInt(Math.round(clv)) : null,
        predictedSpendTier: Number.isFinite(clv) ? scores.spendTier[i]! : null,
        churnRisk: scores.churnRisk[i]!,
      };
    }),
  };
}
