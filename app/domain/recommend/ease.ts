// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): the item-item weights B that
// minimise ||X - XB||² + λ||B||² with diag(B) = 0 have the closed form (eq. 8) P = (XᵀX + λI)⁻¹,
// B_ij = -P_ij / P_jj (i ≠ j). The inverse is dense: n² doubles and ~n³ flops, a few seconds at
// 1,500 items, so above EASE_MAX_ITEMS the refresh uses RP3beta instead (the choice and its reason in
// docs/decisions/020-recommendations.md). λ is given relative to the mean diagonal of XᵀX (the mean
// number of buyers of a bought item), so that one setting means the same on a shop of 500 customers and
// one of 500,000. Popularity damping: column j divided by count_j^beta, so
// best sellers do not crowd out what a customer's own history points to.
import { itemCounts, type Interactions } from "./interactions";
import { topKRows, type ItemModel } from "./item-model";

export const EASE_MAX_ITEMS = 1_500;

/** lambda: relative to the mean number of buyers of a bought item; beta: popularity damping; k: neighbours kept. */
export type EaseParams = { lambda: number; beta: number; k: number };

/** The Gram matrix XᵀX, dense, row-major. */
export function gram(x: Interactions): Float64Array {
  const n = x.items;
  const g = new Float64Array(n * n);
  for (let r = 0; r < x.rows; r++) {
    const from = x.offsets[r]!;
    const to = x.offsets[r + 1]!;
    for (let a = from; a < to; a++) {
      const base = x.indices[a]! * n;
      for (let b = from; b < to; b++) g[base + x.indices[b]!]! += 1;
    }
  }
  return g;
}

/**
 * Inverts a symmetric positive definite matrix in place (Gauss-Jordan; no pivoting is needed, the
 * pivots of an SPD matrix are positive). Throws on a pivot that is not (the matrix was not SPD).
 */
export function invertSpd(a: Float64Array, n: number): void {
  for (let p = 0; p < n; p++) {
    const pivot = a[p * n + p]!;
    if (!(pivot > 0)) throw new RangeError(`matrix is not positive definite (pivot ${p}: ${pivot})`);
    const inv = 1 / pivot;
    const rowP = p * n;
    for (let j = 0; j < n; j++) a[rowP + j]! *= inv;
    a[rowP + p] = inv;
    for (let i = 0; i < n; i++) {
      if (i === p) continue;
      const rowI = i * n;
      const f = a[rowI + p]!;
      if (f === 0) continue;
      a[rowI + p] = 0;
      for (let j = 0; j < n; j++) a[rowI + j]! -= f * a[rowP + j]!;
    }
  }
}

export function ease(x: Interactions, { lambda, beta, k }: EaseParams): ItemModel {
  const n = x.items;
  if (n > EASE_MAX_ITEMS) throw new RangeError(`EASE is for at most ${EASE_MAX_ITEMS} items, got ${n}`);
  if (!(lambda > 0)) throw new RangeError(`EASE needs lambda > 0, got ${lambda}`);
  const p = gram(x);
  let diagonal = 0;
  let bought = 0;
  for (let i = 0; i < n; i++) {
    diagonal += p[i * n + i]!;
    if (p[i * n + i]! > 0) bought += 1;
  }
  const absolute = lambda * Math.max(1, diagonal / Math.max(1, bought));
  for (let i = 0; i < n; i++) p[i * n + i]! += absolute;
  invertSpd(p, n);
  const counts = itemCounts(x);
  const damp = counts.map((c) => Math.pow(Math.max(c, 1), -beta));
  return topKRows(n, k, (i, scores, touched) => {
    if (counts[i] === 0) return;
    for (let j = 0; j < n; j++) {
      if (j === i || counts[j] === 0) continue;
      const w = (-p[i * n + j]! / p[j * n + j]!) * damp[j]!;
      if (w !== 0) {
        scores[j] = w;
        touched.push(j);
      }
    }
  });
}
