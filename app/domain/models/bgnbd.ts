// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive a customer buys
// at Poisson rate λ ~ Gamma(r, α); after each purchase she drops out with probability p ~ Beta(a, b).
// From each customer's (x repeat purchases, t_x time of the last, T age) in one time unit (days or
// weeks), the fit gives r, α, a, b; from those, P(alive) and the purchases to expect.
import { minimizeSmooth } from "./optimize";
import { sampleIndexes } from "./sample";
import { digamma, logAddExp, logGammaRatio } from "./special";
import { LOG_BOUND, type FitDiagnostics, type FitFailure, type FitOptions } from "./types";

export type BgNbdRow = { x: number; tx: number; T: number };
export type BgNbdParams = { r: number; alpha: number; a: number; b: number };
export type BgNbdFit = { ok: true; params: BgNbdParams } & FitDiagnostics;
export type ChurnRisk = "LOW" | "MEDIUM" | "HIGH";

const NAMES = ["r", "alpha", "a", "b"] as const;
const PILOT_SIZE = 10_000;

/** What is wrong with a row, or null. */
export function invalidBgNbdRow(row: BgNbdRow): string | null {
  const { x, tx, T } = row;
  if (!Number.isInteger(x) || x < 0) return `frequency must be a whole number >= 0, got ${x}`;
  if (!Number.isFinite(T) || T < 0) return `T must be a finite number >= 0, got ${T}`;
  if (!Number.isFinite(tx) || tx < 0 || tx > T * (1 + 1e-12))
    return `recency must be between 0 and T (${T}), got ${tx}`;
  if (x === 0 && tx !== 0) return `recency must be 0 when frequency is 0, got ${tx}`;
  if (x > 0 && tx === 0) return `recency must be above 0 when frequency is ${x}`;
  return null;
}

/**
 * Customers grouped by identical (x, t_x, T): a shop's summaries in whole days repeat a lot, and each
 * distinct row is evaluated once with its count as a weight. Per-x terms (log-gamma ratios) are
 * evaluated once per distinct x.
 */
type Compressed = {
  xIndex: Int32Array;
  tx: Float64Array;
  T: Float64Array;
  w: Float64Array;
  xs: number[];
  total: number;
};

function compress(rows: readonly BgNbdRow[], indexes: ArrayLike<number>): Compressed {
  const byKey = new Map<string, number>();
  const xIndexOf = new Map<number, number>();
  const xs: number[] = [];
  const xi: number[] = [];
  const txs: number[] = [];
  const Ts: number[] = [];
  const ws: number[] = [];
  for (let k = 0; k < indexes.length; k++) {
    const row = rows[indexes[k]!]!;
    const key = `${row.x}|${row.tx}|${row.T}`;
    const at = byKey.get(key);
    if (at !== undefined) {
      ws[at]!++;
      continue;
    }
    let xIndex = xIndexOf.get(row.x);
    if (xIndex === undefined) {
      xIndex = xs.length;
      xs.push(row.x);
      xIndexOf.set(row.x, xIndex);
    }
    byKey.set(key, ws.length);
    xi.push(xIndex);
    txs.push(row.tx);
    Ts.push(row.T);
    ws.push(1);
  }
  return {
    xIndex: Int32Array.from(xi),
    tx: Float64Array.from(txs),
    T: Float64Array.from(Ts),
    w: Float64Array.from(ws),
    xs,
    total: indexes.length,
  };
}

/** ψ(z + x) − ψ(z): the derivative of log Γ(z + x)/Γ(z). */
function digammaRatio(z: number, x: number): number {
  if (x === 0) return 0;
  if (Number.isInteger(x) && x <= 64) {
    let s = 0;
    for (let i = 0; i < x; i++) s += 1 / (z + i);
    return s;
  }
  return digamma(z + x) - digamma(z);
}

/**
 * Σ w·ℓ over the compressed rows (FHL 2005 eq. 6, in logs) and, when asked, its gradient with respect
 * to (ln r, ln α, ln a, ln b).
 */
function totalLogLikelihood(p: BgNbdParams, data: Compressed, gradient?: number[]): number {
  const { r, alpha, a, b } = p;
  const nx = data.xs.length;
  const perX = new Float64Array(nx);
  const logSecond = new Float64Array(nx);
  const dPerX = gradient ? new Float64Array(nx * 3) : undefined;
  const logA = Math.log(a);
  for (let j = 0; j < nx; j++) {
    const x = data.xs[j]!;
    // log Γ(r+x)/Γ(r) + log B(a, b+x)/B(a, b)
    perX[j] = logGammaRatio(r, x) + logGammaRatio(b, x) - logGammaRatio(a + b, x);
    logSecond[j] = x > 0 ? logA - Math.log(b + x - 1) : -Infinity;
    if (dPerX) {
      const dab = digammaRatio(a + b, x);
      dPerX[3 * j] = digammaRatio(r, x);
      dPerX[3 * j + 1] = -dab;
      dPerX[3 * j + 2] = digammaRatio(b, x) - dab;
    }
  }
  const { xIndex, tx, T, w } = data;
  let sum = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  for (let i = 0; i < w.length; i++) {
    const j = xIndex[i]!;
    const x = data.xs[j]!;
    const Ti = T[i]!;
    const wi = w[i]!;
    // r ln α − (r+x) ln(α+T) written as −r log1p(T/α) − x ln(α+T): exact for α far above T.
    const l1T = Math.log1p(Ti / alpha);
    const first = -r * l1T - (x > 0 ? x * Math.log(alpha + Ti) : 0);
    if (x === 0) {
      sum += wi * (perX[j]! + first);
      if (gradient) {
        gr -= wi * l1T;
        gAlpha += (wi * r * Ti) / (alpha * (alpha + Ti));
      }
      continue;
    }
    const txi = tx[i]!;
    const l1t = Math.log1p(txi / alpha);
    const second = logSecond[j]! - r * l1t - x * Math.log(alpha + txi);
    sum += wi * (perX[j]! + logAddExp(first, second));
    if (gradient) {
      // weights of the two terms of the likelihood's sum
      const w2 = 1 / (1 + Math.exp(first - second));
      const w1 = 1 - w2;
      gr += wi * (dPerX![3 * j]! - w1 * l1T - w2 * l1t);
      gAlpha +=
        wi *
        (w1 * ((r * Ti) / (alpha * (alpha + Ti)) - x / (alpha + Ti)) +
          w2 * ((r * txi) / (alpha * (alpha + txi)) - x / (alpha + txi)));
      ga += wi * (dPerX![3 * j + 1]! + w2 / a);
      gb += wi * (dPerX![3 * j + 2]! - w2 / (b + x - 1));
    }
  }
  if (gradient) {
    // chain rule to log-parameters, and the x = 0 rows' per-x terms (zero) need nothing more
    gradient[0] = gr * r;
    gradient[1] = gAlpha * alpha;
    gradient[2] = ga * a;
    gradient[3] = gb * b;
  }
  return sum;
}

/** Log-likelihood of one customer's (x, t_x, T) under the parameters. */
export function bgNbdLogLikelihood(params: BgNbdParams, row: BgNbdRow): number {
  return totalLogLikelihood(params, compress([row], [0]));
}

function fromLog(theta: number[]): BgNbdParams {
  return { r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) };
}

/** Maximum-likelihood r, α, a, b, or the reason the data cannot give them yet. */
export function fitBgNbd(rows: readonly BgNbdRow[], options: FitOptions = {}): BgNbdFit | FitFailure {
  const n = rows.length;
  const minCustomers = options.minCustomers ?? 20;
  const penalizer = options.penalizer ?? 0;
  if (!(penalizer >= 0) || !Number.isFinite(penalizer)) return { ok: false, reason: `penalizer must be >= 0`, n };
  for (let i = 0; i < n; i++) {
    const problem = invalidBgNbdRow(rows[i]!);
    if (problem) return { ok: false, reason: `customer ${i + 1}: ${problem}`, n };
  }
  if (n < minCustomers) {
    return { ok: false, reason: `not enough customers yet: ${n}, the model needs at least ${minCustomers}`, n };
  }
  let repeaters = 0;
  let sumT = 0;
  for (const row of rows) {
    if (row.x > 0) repeaters++;
    sumT += row.T;
  }
  if (repeaters === 0) return { ok: false, reason: "nobody has bought a second time yet", n };
  if (!(sumT > 0)) return { ok: false, reason: "every customer bought for the first time just now (T = 0)", n };
  const seed = options.seed ?? 42;
  const indexes = sampleIndexes(n, options.sampleSize ?? 200_000, seed);
  const data = compress(rows, indexes);
  const solve = (on: Compressed, starts: number[][], inverseHessian?: number[][]) => {
    const objective = (theta: number[]) => {
      const gradient = [0, 0, 0, 0];
      for (const t of theta) if (Math.abs(t) > LOG_BOUND) return { value: Infinity, gradient };
      const p = fromLog(theta);
      const values = [p.r, p.alpha, p.a, p.b];
      let value = -totalLogLikelihood(p, on, gradient) / on.total;
      for (let k = 0; k < 4; k++) {
        value += penalizer * values[k]! * values[k]!;
        gradient[k] = -gradient[k]! / on.total + 2 * penalizer * values[k]! * values[k]!;
      }
      return { value, gradient };
    };
    return minimizeSmooth(objective, { starts, untilConverged: true, inverseHessian });
  };
  // α carries the time unit: start it at the mean age, so days and weeks start alike.
  const logAlpha = Math.log(Math.max(sumT / n, 1e-6));
  const starts = [
    [0, logAlpha, 0, 0],
    [Math.log(0.1), logAlpha - 2, Math.log(0.1), Math.log(0.1)],
  ];
  // A large shop is first fitted on a small seeded sample, whose optimum starts the full fit: the
  // expensive evaluations then only polish (a handful of iterations instead of dozens).
  let pilotIterations = 0;
  let inverseHessian: number[][] | undefined;
  if (indexes.length > 4 * PILOT_SIZE) {
    const pilot = solve(compress(rows, sampleIndexes(n, PILOT_SIZE, seed + 1)), starts);
    pilotIterations = pilot.iterations;
    if (pilot.converged) {
      starts.unshift(pilot.x);
      inverseHessian = pilot.inverseHessian;
    }
  }
  const solved = solve(data, starts, inverseHessian);
  const result = { ...solved, iterations: solved.iterations + pilotIterations };
  if (!Number.isFinite(result.value))
    return { ok: false, reason: "the likelihood could not be evaluated on this data", n };
  const params = fromLog(result.x);
  return {
    ok: true,
    params,
    logLikelihood: totalLogLikelihood(params, data),
    iterations: result.iterations,
    converged: result.converged,
    n,
    fittedOn: data.total,
    atBound: NAMES.filter((_, i) => Math.abs(result.x[i]!) > LOG_BOUND - 0.5),
  };
}

/** P(still alive | x, t_x, T) (FHL 2005 eq. 13). */
export function pAlive(params: BgNbdParams, row: BgNbdRow): number {
  if (row.x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds =
    Math.log(a) - Math.log(b + row.x - 1) + (r + row.x) * (Math.log(alpha + row.T) - Math.log(alpha + row.tx));
  return 1 / (1 + Math.exp(logOdds));
}

const SERIES_TOLERANCE = 1e-15;
const MAX_TERMS = 100_000;
/** Beyond this a + b + x the posterior of p is so narrow that a second-order expansion is exact enough. */
const CONCENTRATED = 1e5;
const LOG_HUGE = 575.646273248511; // ln 1e250

/**
 * E[purchases in (T, T+t] | alive] for a customer with x repeat purchases and age T: FHL eq. 10's
 * (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]. The quotient by
 * (a−1) and the product with c = a+b+x−1 are taken inside the series, so a = 1 and c = 0 are not
 * special cases, and one of two transformations keeps the series' rate at most 1/2 where it can:
 * - t <= (α+T)/2: Pfaff, S = ₂F₁(r+x, a−1; c; −t/(α+T)), alternating with rate t/(α+T);
 * - otherwise: Euler, S = (1−z)^{a−1} ₂F₁(a+b−1−r, a−1; c; z), z = t/(α+T+t) in [1/3, 1), summed
 *   with a running scale so that a tiny (1−z)^{a−1} times a huge sum neither underflows nor overflows.
 * When a + b + x is huge the series would need O(a) terms; there the same quantity is taken as
 * E_p[g(p)], p ~ Beta(a, b+x) (the posterior of p given alive), g(p) = (1 − (1 + p t/(α+T))^{−(r+x)})/p
 * (λ integrated out), to second order around the posterior mean.
 */
function expectedIfAlive(params: BgNbdParams, t: number, x: number, T: number): number {
  const { r, alpha, a, b } = params;
  if (t <= 0) return 0;
  const c = a + b + x - 1;
  const base = alpha + T;
  if (a + b + x > CONCENTRATED) return expectedByExpansion(r + x, t / base, a, b + x);
  let sum = 0;
  if (t <= base / 2) {
    const w = -t / base;
    let term = (r + x) * w; // c · (r+x)_1 (a)_0 w / (c)_1
    sum = term;
    for (let k = 1; k < MAX_TERMS; k++) {
      term *= ((r + x + k) * (a + k - 1) * w) / ((c + k) * (k + 1));
      sum += term;
      if (Math.abs(term) <= SERIES_TOLERANCE * Math.abs(sum)) break;
    }
    return -sum;
  }
  const z = t / (base + t);
  const log1mz = Math.log(base / (base + t));
  const am1 = a - 1;
  // c · (1 − (1−z)^{a−1}) / (a−1), with its a → 1 limit −c·ln(1−z)
  const head = Math.abs(am1) < 1e-12 ? -c * log1mz : (-c * Math.expm1(am1 * log1mz)) / am1;
  let logScale = am1 * log1mz;
  let term = (a + b - 1 - r) * z; // c · (a+b−1−r)_1 (a)_0 z / (c)_1
  sum = term;
  for (let k = 1; k < MAX_TERMS; k++) {
    term *= ((a + b - 1 - r + k) * (a + k - 1) * z) / ((c + k) * (k + 1));
    sum += term;
    if (Math.abs(sum) > 1e250) {
      sum *= 1e-250;
      term *= 1e-250;
      logScale += LOG_HUGE;
    }
    if (Math.abs(term) <= SERIES_TOLERANCE * Math.abs(sum)) break;
  }
  return head - (sum === 0 ? 0 : Math.sign(sum) * Math.exp(logScale + Math.log(Math.abs(sum))));
}

/** E[g(p)] ≈ g(μ) + ½ g''(μ) Var(p) for p ~ Beta(a, beta), g(p) = (1 − (1 + p u)^{−s}) / p. */
function expectedByExpansion(s: number, u: number, a: number, beta: number): number {
  const g = (p: number) => (p <= 0 ? s * u : -Math.expm1(-s * Math.log1p(p * u)) / p);
  const total = a + beta;
  const mean = a / total;
  const variance = (a * beta) / (total * total * (total + 1));
  const h = Math.max(1e-6, Math.sqrt(variance));
  const lo = Math.max(0, mean - h);
  const hi = Math.min(1, mean + h);
  const mid = (lo + hi) / 2;
  const second = (g(hi) - 2 * g(mid) + g(lo)) / (((hi - lo) / 2) * ((hi - lo) / 2));
  return g(mean) + 0.5 * second * variance;
}

/** Expected purchases in the next t time units for a customer with this history (FHL 2005 eq. 10). */
export function expectedPurchases(params: BgNbdParams, t: number, row: BgNbdRow): number {
  return expectedIfAlive(params, t, row.x, row.T) * pAlive(params, row);
}

/**
 * Expected purchases in the next t for each t of `times`, P(alive) computed once: the monthly steps of
 * a CLV.
 */
export function expectedPurchasesAt(params: BgNbdParams, times: readonly number[], row: BgNbdRow): Float64Array {
  const alive = pAlive(params, row);
  const out = new Float64Array(times.length);
  if (alive === 0) return out;
  for (let i = 0; i < times.length; i++) out[i] = expectedIfAlive(params, times[i]!, row.x, row.T) * alive;
  return out;
}

/** Expected purchases in t time units by a customer who has just made a first purchase (FHL eq. 9). */
export function expectedPurchasesNew(params: BgNbdParams, t: number): number {
  return expectedIfAlive(params, t, 0, 0);
}

/** Churn risk from P(alive): the probability of being inactive below 33% is LOW, above 66% HIGH. */
export function churnRiskBand(pAliveValue: number): ChurnRisk {
  const inactive = 1 - pAliveValue;
  if (inactive < 0.33) return "LOW";
  if (inactive > 0.66) return "HIGH";
  return "MEDIUM";
}
