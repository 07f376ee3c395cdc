// The shop's predictions, end to end: every customer's summary from the orders (summary.server.ts),
// BG/NBD and Gamma-Gamma fitted (app/domain/models), every customer scored, the outputs written in
// batches (store.server.ts), the fits kept with their diagnostics, and the segments that read a
// prediction recomputed so their members follow. A fit that cannot be made is stored with its reason
// and leaves the predictions of the last good one as they were.
import type { Db } from "~/db/database.server";
import { fitBgNbd } from "~/domain/models/bgnbd";
import { fitGammaGamma } from "~/domain/models/gamma-gamma";
import { recomputeSegments } from "~/models/segments/recompute.server";
import { readsAttribute, shopContext, storedRuleOrNull } from "~/models/segments/rules.server";
import { scoreCustomers, DEFAULT_SCORING, type Scoring } from "./score";
import { modelSettings } from "./settings.server";
import { saveFit, writePredictions, type FitRecord } from "./store.server";
import { dayOf, loadSummaries } from "./summary.server";

export const PREDICTION_ATTRIBUTES = [
  "p_alive",
  "expected_orders_90d",
  "predicted_clv",
  "predicted_spend_tier",
  "churn_risk",
  "cluster",
] as const;

export type FitProgress = {
  stage: "summaries" | "fitting" | "scoring" | "writing" | "segments";
  done: number;
  total: number;
};

export type FitOutcome = {
  shop: string;
  status: "ok" | "insufficient" | "failed";
  reason: string | null;
  customers: number;
  bgnbd: Record<string, number> | null;
  gg: Record<string, number> | null;
  ggReason: string | null;
  logLik: number | null;
  iterations: number | null;
  converged: boolean | null;
  written: number;
  segmentsRecomputed: number;
  /** Summaries read, models fitted, every customer scored and the predictions written. */
  durationMs: number;
  /** Then the segments that read a prediction, recomputed (0 when the caller leaves them). */
  segmentsMs: number;
};

const DAY_MS = 86_400_000;

/**
 * Fits the shop's models on its orders up to `now` (UTC days) and writes every customer's
 * predictions. `recomputeSegments: false` leaves the segments to the caller (the daily pass recomputes
 * them all next).
 */
export async function fitShop(
  db: Db,
  {
    shop,
    now,
    onProgress,
    scoring: given,
    recompute = true,
  }: { shop: string; now: Date; onProgress?: (p: FitProgress) => void; scoring?: Scoring; recompute?: boolean },
): Promise<FitOutcome> {
  const started = Date.now();
  // The merchant's discount rate (Settings), unless the caller fixes the scoring.
  const scoring = given ?? {
    ...DEFAULT_SCORING,
    annualDiscountRate: (await modelSettings(db, { shop })).discountRatePercent / 100,
  };
  const endDay = dayOf(now);
  onProgress?.({ stage: "summaries", done: 0, total: 1 });
  const summaries = await loadSummaries(db, { shop, endDay });
  onProgress?.({ stage: "fitting", done: 0, total: summaries.length });
  const windowStart = summaries.length > 0 ? new Date(firstDayOf(summaries) * DAY_MS) : null;
  const windowEnd = new Date(endDay * DAY_MS);
  const base = { fittedAt: now, windowStart, windowEnd, n: summaries.length, details: null };

  const bg = fitBgNbd(summaries, { penalizer: scoring.penalizer });
  if (!bg.ok) {
    await saveFit(db, {
      shop,
      fit: {
        ...base,
        kind: "bgnbd",
        status: "insufficient",
        reason: bg.reason,
        params: {},
        logLik: null,
        iterations: null,
        converged: null,
        durationMs: Date.now() - started,
      },
    });
    return {
      shop,
      status: "insufficient",
      reason: bg.reason,
      customers: summaries.length,
      bgnbd: null,
      gg: null,
      ggReason: null,
      logLik: null,
      iterations: null,
      converged: null,
      written: 0,
      segmentsRecomputed: 0,
      durationMs: Date.now() - started,
      segmentsMs: 0,
    };
  }
  const repeaters = summaries.filter((s) => s.x > 0 && s.repeatMean > 0).map((s) => ({ x: s.x, m: s.repeatMean }));
  const gg = fitGammaGamma(repeaters);
  const bgFit: FitRecord = {
    ...base,
    kind: "bgnbd",
    status: "ok",
    reason: bg.converged ? null : "the optimizer stopped before converging",
    params: {
      ...bg.params,
      unit: "days",
      fittedOn: bg.fittedOn,
      atBound: bg.atBound,
      // The CLV written with this fit was discounted at this yearly rate (the insights page says so).
      discountRatePercent: scoring.annualDiscountRate * 100,
    },
    logLik: bg.logLikelihood,
    iterations: bg.iterations,
    converged: bg.converged,
    durationMs: null,
  };
  const ggFit: FitRecord = gg.ok
    ? {
        ...base,
        n: repeaters.length,
        kind: "gg",
        status: "ok",
        reason: null,
        params: { ...gg.params, unit: "minor", fittedOn: gg.fittedOn },
        logLik: gg.logLikelihood,
        iterations: gg.iterations,
        converged: gg.converged,
        durationMs: null,
      }
    : {
        ...base,
        n: repeaters.length,
        kind: "gg",
        status: "insufficient",
        reason: gg.reason,
        params: {},
        logLik: null,
        iterations: null,
        converged: null,
        durationMs: null,
      };

  onProgress?.({ stage: "scoring", done: 0, total: summaries.length });
  const { rows, thresholds } = scoreCustomers(summaries, bg.params, gg.ok ? gg.params : null, scoring);
  onProgress?.({ stage: "writing", done: 0, total: rows.length });
  await writePredictions(db, {
    shop,
    rows,
    computedAt: now,
    onProgress: (done) => onProgress?.({ stage: "writing", done, total: rows.length }),
  });
  const durationMs = Date.now() - started;
  // The spend tiers' cut points (minor units) go with the fit that made them.
  await saveFit(db, { shop, fit: { ...bgFit, params: { ...bgFit.params, spendThresholds: thresholds }, durationMs } });
  await saveFit(db, { shop, fit: { ...ggFit, durationMs } });
  let segmentsRecomputed = 0;
  const segmentsStarted = Date.now();
  if (recompute) {
    onProgress?.({ stage: "segments", done: 0, total: 1 });
    segmentsRecomputed = await recomputePredictionSegments(db, { shop, now });
  }
  return {
    shop,
    status: "ok",
    reason: bgFit.reason,
    customers: summaries.length,
    bgnbd: bg.params,
    gg: gg.ok ? gg.params : null,
    ggReason: gg.ok ? null : gg.reason,
    logLik: bg.logLikelihood,
    iterations: bg.iterations,
    converged: bg.converged,
    written: rows.length,
    segmentsRecomputed,
    durationMs,
    segmentsMs: Date.now() - segmentsStarted,
  };
}

/** The earliest first purchase day (a loop: a million values cannot be spread into Math.min). */
function firstDayOf(summaries: readonly { firstDay: number }[]): number {
  let min = Infinity;
  for (const s of summaries) if (s.firstDay < min) min = s.firstDay;
  return min;
}

/** The shop's active segments whose rules read a prediction, recomputed in the database. */
export async function recomputePredictionSegments(db: Db, { shop, now }: { shop: string; now: Date }): Promise<number> {
  const segments = await db.prisma.segment.findMany({
    where: { shop, active: true },
    select: { id: true, rule: true },
  });
  const ids = segments
    .filter((s) => {
      const rule = storedRuleOrNull(s.rule);
      return rule !== null && PREDICTION_ATTRIBUTES.some((a) => readsAttribute(rule, a));
    })
    .map((s) => s.id);
  if (ids.length === 0) return 0;
  const results = await recomputeSegments(db, { shop, ctx: await shopContext(db, { shop, now }), segmentIds: ids });
  for (const r of results)
    if (r.error) console.warn(`[predictions] ${shop}: segment ${r.segmentId} not computed: ${r.error}`);
  return ids.length;
}
