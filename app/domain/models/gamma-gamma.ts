// Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): a customer's
// transaction values are Gamma(p, ν) around her own mean p/ν, and ν ~ Gamma(q, γ) across customers.
// Fitted on repeat buyers' (x repeat transactions, m their mean value); it predicts each customer's
// expected average transaction value, shrinking her own mean toward the population's.
import { minimizeSmooth } from "./optimize";
import { sampleIndexes } from "./sample";
import { digamma, logGamma } from "./special";
import { LOG_BOUND, type FitDiagnostics, type FitFailure, type FitOptions } from "./types";

export type GammaGammaRow = { x: number; m: number };
export type GammaGammaParams = { p: number; q: number; gamma: number };
export type GammaGammaFit = { ok: true; params: GammaGammaParams } & FitDiagnostics;

const NAMES = ["p", "q", "gamma"] as const;
const PILOT_SIZE = 10_000;

type Columns = { x: Float64Array; m: Float64Array; logM: Float64Array };

/** The chosen rows as columns, sorted by x (per-x terms are then computed once per distinct x). */
function columns(rows: readonly GammaGammaRow[], indexes: Int32Array): Columns {
  const order = Array.from(indexes).sort((i, j) => rows[i]!.x - rows[j]!.x);
  const x = Float64Array.from(order, (i) => rows[i]!.x);
  const m = Float64Array.from(order, (i) => rows[i]!.m);
  return { x, m, logM: m.map(Math.log) };
}

export function invalidGammaGammaRow(row: GammaGammaRow): string | null {
  if (!Number.isInteger(row.x) || row.x < 1) return `frequency must be a whole number >= 1, got ${row.x}`;
  if (!Number.isFinite(row.m) || row.m <= 0) return `mean value must be a number above 0, got ${row.m}`;
  return null;
}

/**
 * Σ ℓ over the rows and (optionally) its gradient in (ln p, ln q, ln γ). Per customer (FH 2013 eq. 3,
 * with m the mean of x values): ℓ = log Γ(px+q) − log Γ(px) − log Γ(q) + q ln γ + (px−1) ln m + px ln x
 * − (px+q) ln(xm+γ).
 */
function totalLogLikelihood(
  params: GammaGammaParams,
  x: Float64Array,
  m: Float64Array,
  gradient?: number[],
  logMs?: Float64Array,
): number {
  const { p, q, gamma } = params;
  const lgq = logGamma(q);
  const psiQ = digamma(q);
  const logGamma0 = Math.log(gamma);
  let sum = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  let lastX = -1;
  let perX = 0;
  let dpx = 0;
  let dq = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const mi = m[i]!;
    const px = p * xi;
    if (xi !== lastX) {
      // rows arrive sorted by x, so these are computed once per distinct x
      perX = logGamma(px + q) - logGamma(px) - lgq + px * Math.log(xi);
      if (gradient) {
        const psiPxQ = digamma(px + q);
        dpx = xi * (psiPxQ - digamma(px) + Math.log(xi));
        dq = psiPxQ - psiQ;
      }
      lastX = xi;
    }
    const logM = logMs ? logMs[i]! : Math.log(mi);
    const logXmG = Math.log(xi * mi + gamma);
    // q ln γ − q ln(xm+γ): through log1p only where xm is small against γ (one log fewer per row)
    const ratio = (xi * mi) / gamma;
    const l1 = ratio < 0.01 ? Math.log1p(ratio) : logXmG - logGamma0;
    sum += perX + (px - 1) * logM - q * l1 - px * logXmG;
    if (gradient) {
      gp += dpx + xi * (logM - logXmG);
      gq += dq - l1;
      gg += q / gamma - (px + q) / (xi * mi + gamma);
    }
  }
  if (gradient) {
    gradient[0] = gp * p;
    gradient[1] = gq * q;
    gradient[2] = gg * gamma;
  }
  return sum;
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, row: GammaGammaRow): number {
  return totalLogLikelihood(params, Float64Array.of(row.x), Float64Array.of(row.m));
}

/** Maximum-likelihood p, q, γ from repeat buyers (x >= 1), or the reason the data cannot give them. */
export function fitGammaGamma(rows: readonly GammaGammaRow[], options: FitOptions = {}): GammaGammaFit | FitFailure {
  const n = rows.length;
  const minCustomers = options.minCustomers ?? 10;
  const penalizer = options.penalizer ?? 0;
  if (!(penalizer >= 0) || !Number.isFinite(penalizer)) return { ok: false, reason: `penalizer must be >= 0`, n };
  for (let i = 0; i < n; i++) {
    const problem = invalidGammaGammaRow(rows[i]!);
    if (problem) return { ok: false, reason: `customer ${i + 1}: ${problem}`, n };
  }
  if (n < minCustomers) {
    return {
      ok: false,
      reason: `not enough repeat buyers yet: ${n}, the spend model needs at least ${minCustomers}`,
      n,
    };
  }
  let logSum = 0;
  for (const row of rows) logSum += Math.log(row.m);
  const logMean = logSum / n;
  let spread = 0;
  for (const row of rows) spread = Math.max(spread, Math.abs(Math.log(row.m) - logMean));
  if (spread < 1e-9) {
    return { ok: false, reason: "every repeat buyer has the same average order value: nothing to learn yet", n };
  }
  const seed = options.seed ?? 42;
  const data = columns(rows, sampleIndexes(n, options.sampleSize ?? 200_000, seed));
  const solve = (on: Columns, starts: number[][], inverseHessian?: number[][]) => {
    const objective = (theta: number[]) => {
      const gradient = [0, 0, 0];
      for (const t of theta) if (Math.abs(t) > LOG_BOUND) return { value: Infinity, gradient };
      const params = { p: Math.exp(theta[0]!), q: Math.exp(theta[1]!), gamma: Math.exp(theta[2]!) };
      const values = [params.p, params.q, params.gamma];
      let value = -totalLogLikelihood(params, on.x, on.m, gradient, on.logM) / on.x.length;
      for (let k = 0; k < 3; k++) {
        value += penalizer * values[k]! * values[k]!;
        gradient[k] = -gradient[k]! / on.x.length + 2 * penalizer * values[k]! * values[k]!;
      }
      return { value, gradient };
    };
    return minimizeSmooth(objective, { starts, untilConverged: true, inverseHessian });
  };
  // γ carries the currency's scale: start it where p γ / (q − 1) is the mean spend.
  const starts = [
    [0, Math.log(2), logMean],
    [Math.log(5), Math.log(3), logMean + 1],
  ];
  // As for BG/NBD: a large shop's fit starts from the optimum of a small seeded sample.
  let pilotIterations = 0;
  let inverseHessian: number[][] | undefined;
  if (data.x.length > 4 * PILOT_SIZE) {
    const pilot = solve(columns(rows, sampleIndexes(n, PILOT_SIZE, seed + 1)), starts);
    pilotIterations = pilot.iterations;
    if (pilot.converged) {
      starts.unshift(pilot.x);
      inverseHessian = pilot.inverseHessian;
    }
  }
  const solved = solve(data, starts, inverseHessian);
  const result = { ...solved, iterations: solved.iterations + pilotIterations };
  const { x, m } = data;
  const scale = x.length;
  if (!Number.isFinite(result.value))
    return { ok: false, reason: "the likelihood could not be evaluated on this data", n };
  const params = { p: Math.exp(result.x[0]!), q: Math.exp(result.x[1]!), gamma: Math.exp(result.x[2]!) };
  return {
    ok: true,
    params,
    logLikelihood: totalLogLikelihood(params, x, m),
    iterations: result.iterations,
    converged: result.converged,
    n,
    fittedOn: scale,
    atBound: NAMES.filter((_, i) => Math.abs(result.x[i]!) > LOG_BOUND - 0.5),
  };
}

/**
 * E[mean transaction value | x, m] (FH 2013 eq. 5): a weighted mean of the population mean pγ/(q−1) and
 * the customer's own m, her weight px/(px+q−1) growing with x. For x = 0 (or no value seen) it is the
 * population mean. Needs q > 1 (the population mean exists); below that the customer's own mean is
 * returned, or NaN when there is none.
 */
export function expectedAverageValue(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, gamma } = params;
  if (!(x > 0) || !(m > 0)) return q > 1 ? (p * gamma) / (q - 1) : Number.NaN;
  if (!(q > 1)) return m;
  return ((gamma + x * m) * p) / (p * x + q - 1);
}
