// An item-item model as the storefront keeps it: for each item, its top-K neighbours with weights,
// best first (CSR). Every model (cosine kNN, RP3beta, EASE) ends as one of these, and a customer is
// scored from it the same way: score(j) = sum over the items i they bought of weight(i -> j).
// The stored "bought together" lists are these rows; the per-event update of a customer's list
// re-scores them from the stored rows, so it gives what the full refresh gives.

export type ItemModel = {
  items: number;
  /** Row i: neighbours[offsets[i]..offsets[i+1]), weights aligned, by weight descending then index. */
  offsets: Int32Array;
  neighbours: Int32Array;
  weights: Float64Array;
};

/**
 * Collects each item's top `k` neighbours from a row function that fills `scores` (a dense array of
 * length items, zeroed before each call) and lists the indices it touched. Self-links and zero weights
 * are dropped; with `positiveOnly`, negative weights too.
 */
export function topKRows(
  items: number,
  k: number,
  fillRow: (item: number, scores: Float64Array, touched: number[]) => void,
  { positiveOnly = true }: { positiveOnly?: boolean } = {},
): ItemModel {
  const scores = new Float64Array(items);
  const rows: { n: Int32Array; w: Float64Array }[] = [];
  let total = 0;
  for (let i = 0; i < items; i++) {
    const touched: number[] = [];
    fillRow(i, scores, touched);
    const kept = touched.filter((j) => j !== i && scores[j]! !== 0 && (!positiveOnly || scores[j]! > 0));
    kept.sort((a, b) => scores[b]! - scores[a]! || a - b);
    const top = kept.slice(0, k);
    const n = Int32Array.from(top);
    const w = Float64Array.from(top, (j) => scores[j]!);
    for (const j of touched) scores[j] = 0;
    rows.push({ n, w });
    total += n.length;
  }
  const offsets = new Int32Array(items + 1);
  const neighbours = new Int32Array(total);
  const weights = new Float64Array(total);
  let at = 0;
  for (let i = 0; i < items; i++) {
    offsets[i] = at;
    neighbours.set(rows[i]!.n, at);
    weights.set(rows[i]!.w, at);
    at += rows[i]!.n.length;
  }
  offsets[items] = at;
  return { items, offsets, neighbours, weights };
}

/**
 * Adds up the model's rows for `history` into `scratch` (length items, zeros), listing in `touched` the
 * items it wrote. The caller reads the sums and must zero `scratch` at the touched items afterwards.
 */
export function accumulate(
  model: ItemModel,
  history: ArrayLike<number>,
  scratch: Float64Array,
  touched: number[],
  historyWeights?: ArrayLike<number>,
): void {
  for (let h = 0; h < history.length; h++) {
    const i = history[h]!;
    const weight = historyWeights ? historyWeights[h]! : 1;
    for (let k = model.offsets[i]!; k < model.offsets[i + 1]!; k++) {
      const j = model.neighbours[k]!;
      if (scratch[j] === 0) touched.push(j);
      scratch[j]! += weight * model.weights[k]!;
      // A sum that lands on exactly 0 would be taken for untouched: nudge it off zero.
      if (scratch[j] === 0) scratch[j] = Number.MIN_VALUE;
    }
  }
}

/**
 * The top `n` items for someone who bought `history` (item indices), leaving out `exclude` (their
 * purchases, at least). Ties by index. `scratch` (length items, zeros) may be passed to save
 * allocations across many customers; it is left zeroed.
 */
export function scoreHistory(
  model: ItemModel,
  history: ArrayLike<number>,
  n: number,
  exclude: (item: number) => boolean,
  scratch: Float64Array = new Float64Array(model.items),
  historyWeights?: ArrayLike<number>,
): { items: number[]; scores: number[] } {
  const touched: number[] = [];
  accumulate(model, history, scratch, touched, historyWeights);
  const candidates = touched.filter((j) => scratch[j]! > 0 && !exclude(j));
  const top = topN(candidates, scratch, n);
  const scores = top.map((j) => scratch[j]!);
  for (const j of touched) scratch[j] = 0;
  return { items: top, scores };
}

/** The `n` best of `candidates` by `score` descending, ties by index: a bounded insertion, no full sort. */
export function topN(candidates: readonly number[], score: Float64Array, n: number): number[] {
  const out: number[] = [];
  for (const j of candidates) {
    const s = score[j]!;
    if (out.length >= n) {
      const last = out[out.length - 1]!;
      if (s < score[last]! || (s === score[last]! && j > last)) continue;
    }
    let at = out.length;
    while (at > 0) {
      const prev = out[at - 1]!;
      if (score[prev]! > s || (score[prev] === s && prev < j)) break;
      at--;
    }
    out.splice(at, 0, j);
    if (out.length > n) out.pop();
  }
  return out;
}

/** The model's row for one item: neighbour indices and weights, best first. */
export function neighboursOf(model: ItemModel, item: number): { items: number[]; weights: number[] } {
  const from = model.offsets[item]!;
  const to = model.offsets[item + 1]!;
  return {
    items: Array.from(model.neighbours.subarray(from, to)),
    weights: Array.from(model.weights.subarray(from, to)),
  };
}
