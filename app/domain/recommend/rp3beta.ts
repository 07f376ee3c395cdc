// RP3beta (Paudel, Christoffel, Fernández & Bernstein 2017; as evaluated by Dacrema et al. 2019): a
// three-step random walk item -> buyer -> item on the purchase graph, each transition probability
// raised to alpha, the arrival item's weight divided by its popularity to the power beta (the
// popularity damping that keeps best sellers from crowding every list), top-K per item, rows
// normalised to sum 1. Sparse throughout: cost is the sum over buyers of (items bought)^2, so it
// scales to catalogues far past what EASE's dense inverse allows.
import { itemCounts, transpose, type Interactions } from "./interactions";
import { topKRows, type ItemModel } from "./item-model";

export type Rp3Params = { alpha: number; beta: number; k: number };

export function rp3beta(x: Interactions, { alpha, beta, k }: Rp3Params): ItemModel {
  const byItem = transpose(x);
  const counts = itemCounts(x);
  const damp = counts.map((c) => (c > 0 ? Math.pow(c, -beta) : 0));
  const rowStep = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    const len = x.offsets[r + 1]! - x.offsets[r]!;
    rowStep[r] = len > 0 ? Math.pow(1 / len, alpha) : 0;
  }
  const model = topKRows(x.items, k, (i, scores, touched) => {
    if (counts[i] === 0) return;
    const itemStep = Math.pow(1 / counts[i]!, alpha);
    for (let a = byItem.offsets[i]!; a < byItem.offsets[i + 1]!; a++) {
      const row = byItem.indices[a]!;
      const p = itemStep * rowStep[row]!;
      for (let b = x.offsets[row]!; b < x.offsets[row + 1]!; b++) {
        const j = x.indices[b]!;
        if (scores[j] === 0) touched.push(j);
        scores[j]! += p;
      }
    }
    for (const j of touched) scores[j] = scores[j]! * damp[j]!;
  });
  // Rows normalised to sum 1 after the cut, as in the paper's implementation.
  for (let i = 0; i < model.items; i++) {
    let sum = 0;
    for (let k2 = model.offsets[i]!; k2 < model.offsets[i + 1]!; k2++) sum += model.weights[k2]!;
    if (sum > 0) for (let k2 = model.offsets[i]!; k2 < model.offsets[i + 1]!; k2++) model.weights[k2]! /= sum;
  }
  return model;
}
