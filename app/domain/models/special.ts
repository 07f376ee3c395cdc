// Special functions the customer-base models need, written for the ranges they meet: arguments from
// 1e-8 to 1e8 (a Beta shape near 0, a Gamma rate in days for a shop ten years old), where the naive
// forms lose every digit to cancellation or overflow.

const LANCZOS_G = 7;
// Lanczos coefficients for g = 7, n = 9 (Numerical Recipes 3rd ed. / Godfrey): ~15 digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;
const HALF_LOG_2PI = 0.9189385332046728;

/** log Γ(x) for x > 0 (Lanczos); NaN for x <= 0 or NaN, +Infinity for x = +Infinity. */
export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x === Infinity) return Infinity;
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in its accurate range: Γ(x)Γ(1-x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  if (x > 1e7) return stirling(x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Stirling's series for log Γ(x); accurate to double precision for x >= 10. */
function stirling(x: number): number {
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingTail(x);
}

/** The series part of Stirling's formula: 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷) + 1/(1188x⁹). */
function stirlingTail(x: number): number {
  const inv = 1 / x;
  const inv2 = inv * inv;
  return inv * (1 / 12 + inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 / 1188))));
}

/**
 * log Γ(x + d) − log Γ(x) for x > 0, d >= 0 without the cancellation of subtracting two huge
 * log-gammas (x = 1e9 would leave ~1e-5 of absolute error): for x >= 10 Stirling's formula is
 * differenced term by term.
 */
export function logGammaRatio(x: number, d: number): number {
  if (d === 0) return 0;
  if (!(x > 0) || !(d >= 0)) return Number.NaN;
  if (Number.isInteger(d) && d <= 8) {
    let s = 0;
    for (let i = 0; i < d; i++) s += Math.log(x + i);
    return s;
  }
  if (x < 10) return logGamma(x + d) - logGamma(x);
  // (x+d-½)ln(x+d) − (x−½)ln x − d = (x−½) log1p(d/x) + d ln(x+d) − d
  return (x - 0.5) * Math.log1p(d / x) + d * Math.log(x + d) - d + stirlingTail(x + d) - stirlingTail(x);
}

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). */
export function logBeta(a: number, b: number): number {
  // Written through the ratio for the larger argument so that a huge shape does not cancel.
  const big = Math.max(a, b);
  const small = Math.min(a, b);
  return logGamma(small) - logGammaRatio(big, small);
}

/** ψ(x), the digamma function, for x > 0. */
export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (
    result +
    Math.log(x) -
    0.5 * inv -
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
  );
}

/** log(e^a + e^b) without overflow; -Infinity stands for a zero term. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** log Σ e^v over the values. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity || max === Infinity || Number.isNaN(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

export type SeriesResult = { value: number; terms: number; converged: boolean };

/**
 * Gauss's hypergeometric series ₂F₁(a, b; c; z) for |z| < 1, summed until a term is below 1e-16 of the
 * sum (or maxTerms). Convergence is geometric at rate |z|, so callers keep |z| away from 1 by a
 * transformation where they can (see bgnbd's conditional expectation).
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000): SeriesResult {
  if (!(Math.abs(z) < 1) || !(c > 0)) return { value: Number.NaN, terms: 0, converged: false };
  let term = 1;
  let sum = 1;
  for (let k = 0; k < maxTerms; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
    if (term === 0 || Math.abs(term) <= 1e-16 * Math.abs(sum)) return { value: sum, terms: k + 1, converged: true };
  }
  return { value: sum, terms: maxTerms, converged: false };
}
