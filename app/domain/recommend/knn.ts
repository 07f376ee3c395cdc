// Cosine item-kNN (Sarwar et al. 2001; Deshpande & Karypis 2004): sim(i, j) = |buyers(i) ∩ buyers(j)| /
// (sqrt(|buyers(i)| · |buyers(j)|) + shrink), each item's top-K kept. The baseline the stronger models
// must beat (the evaluation tunes its K and shrink on the validation split, as it tunes theirs).
import { itemCounts, transpose, type Interactions } from "./interactions";
import { topKRows, type ItemModel } from "./item-model";

export type KnnParams = { k: number; shrink: number };

export function cosineKnn(x: Interactions, { k, shrink }: KnnParams): ItemModel {
  const byItem = transpose(x);
  const counts = itemCounts(x);
  const norms = counts.map(Math.sqrt);
  return topKRows(x.items, k, (i, scores, touched) => {
    for (let a = byItem.offsets[i]!; a < byItem.offsets[i + 1]!; a++) {
      const row = byItem.indices[a]!;
      for (let b = x.offsets[row]!; b < x.offsets[row + 1]!; b++) {
        const j = x.indices[b]!;
        if (scores[j] === 0) touched.push(j);
        scores[j]! += 1;
      }
    }
    for (const j of touched) scores[j] = scores[j]! / (norms[i]! * norms[j]! + shrink);
  });
}
