// The whole pure pass the nightly refit runs over a shop's summaries: fit BG/NBD on everyone, fit
// Gamma-Gamma on the repeat buyers, score every customer. The wiring reads (x, t_x, T, m) per customer
// from the database (summary.ts says how), calls this, and writes the columns back.
import { fitBgNbd, type BgNbdFit } from "./bgnbd";
import { scoreCustomers, type ClvRow, type ScoreOptions, type Scores } from "./clv";
import { fitGammaGamma, type GammaGammaFit, type GammaGammaRow } from "./gamma-gamma";
import type { FitFailure, FitOptions } from "./types";

export type PipelineOptions = ScoreOptions & {
  fit?: FitOptions;
  /** Value of a purchase when there is no spend model (default: the repeat buyers' mean order value). */
  fallbackValue?: number;
};

export type PipelineResult =
  | { ok: false; reason: string; bgNbd: FitFailure }
  | {
      ok: true;
      bgNbd: BgNbdFit;
      /** A failed spend fit leaves CLV on each customer's own mean order value (or the shop's). */
      gammaGamma: GammaGammaFit | FitFailure;
      scores: Scores;
    };

export function fitAndScore(rows: readonly ClvRow[], options: PipelineOptions = {}): PipelineResult {
  const bgNbd = fitBgNbd(rows, options.fit);
  if (!bgNbd.ok) return { ok: false, reason: bgNbd.reason, bgNbd };
  const repeat: GammaGammaRow[] = [];
  let valueSum = 0;
  for (const row of rows) {
    if (row.x > 0 && row.m > 0) {
      repeat.push({ x: row.x, m: row.m });
      valueSum += row.m;
    }
  }
  const gammaGamma = fitGammaGamma(repeat, options.fit);
  const usable = gammaGamma.ok && gammaGamma.params.q > 1 ? gammaGamma.params : null;
  const scores = scoreCustomers(bgNbd.params, usable, rows, {
    ...options,
    fallbackValue: options.fallbackValue ?? (repeat.length ? valueSum / repeat.length : 0),
  });
  return { ok: true, bgNbd, gammaGamma, scores };
}
