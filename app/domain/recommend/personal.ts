// A customer's personal list: the item-item model's scores for their history, each divided by the
// customer's best score, plus a popularity prior gamma · buyers(j) / buyers(best seller) over the
// POPULAR_CANDIDATES best sellers. The prior is what carries customers with a short history (most of a
// shop's customers); gamma is chosen on the validation splits like the model's own parameters. Only the
// model's candidates and those best sellers are scored, so a customer costs the same whatever the
// catalogue; only the best sellers' counts are used (and stored: the per-event update reads them back),
// so that the full refresh and the per-event update give the same list.
import { accumulate, topN, type ItemModel } from "./item-model";

export const POPULAR_CANDIDATES = 200;

export type PersonalScorer = {
  model: ItemModel;
  /** Buyers per item, zero past the best sellers. */
  popularity: Float64Array;
  /** Best sellers first, at most POPULAR_CANDIDATES. */
  popular: readonly number[];
  gamma: number;
  scratch: Float64Array;
  final: Float64Array;
};

export function personalScorer(
  model: ItemModel,
  popularity: ArrayLike<number>,
  popular: readonly number[],
  gamma: number,
): PersonalScorer {
  const top = popular.slice(0, POPULAR_CANDIDATES);
  const counts = new Float64Array(model.items);
  for (const j of top) counts[j] = popularity[j]!;
  const scratch = new Float64Array(model.items);
  return { model, popularity: counts, popular: top, gamma, scratch, final: new Float64Array(model.items) };
}

export function personalList(
  scorer: PersonalScorer,
  history: ArrayLike<number>,
  n: number,
  exclude: (item: number) => boolean,
): { items: number[]; scores: number[] } {
  const { model, popularity, popular, gamma, scratch } = scorer;
  const touched: number[] = [];
  accumulate(model, history, scratch, touched);
  let best = 0;
  for (const j of touched) if (scratch[j]! > best && !exclude(j)) best = scratch[j]!;
  const final = scorer.final;
  const candidates: number[] = [];
  for (const j of touched) {
    if (scratch[j]! > 0 && !exclude(j)) {
      final[j] = scratch[j]! / best;
      candidates.push(j);
    }
  }
  const topSeller = popular.length > 0 ? popularity[popular[0]!]! : 0;
  if (gamma > 0 && topSeller > 0) {
    for (const j of popular) {
      if (exclude(j)) continue;
      if (final[j] === 0) candidates.push(j);
      final[j]! += (gamma * popularity[j]!) / topSeller;
    }
  }
  const items = topN(candidates, final, n);
  const scores = items.map((j) => final[j]!);
  for (const j of touched) scratch[j] = 0;
  for (const j of candidates) final[j] = 0;
  return { items, scores };
}
