// The evaluation harness (pure): hit-rate@K and NDCG@K on held-out purchases, for any method that can
// be fitted on a training matrix and asked for K items given a history.
//
// Two protocols:
// - customers (the demo shop): each customer's last order is held out; the model is trained on every
//   order but the last ones, and asked, from the customer's earlier purchases, for K items they have
//   not bought; the targets are the last order's products they had not bought before (a customer
//   whose last order holds none is not a case). Validation holds out the second-to-last order the same
//   way, with the last one dropped altogether, so that nothing tuned there has seen the test orders.
// - baskets (groceries, which have no customers): baskets are split 80/10/10 by a seeded hash into
//   train, validation and test; in each evaluated basket of two or more items one item, chosen by the
//   same seed, is hidden and asked for from the others. Test trains on train + validation.
import { interactions, type Interactions } from "./interactions";
import type { ItemModel } from "./item-model";
import { scoreHistory } from "./item-model";
import { itemCounts } from "./interactions";
import { personalList, personalScorer } from "./personal";
import { popularityRanking } from "./popularity";

export type EvalCase = { history: readonly number[]; targets: readonly number[] };
export type Split = { train: Interactions; cases: readonly EvalCase[] };
export type Recommend = (history: readonly number[], k: number) => number[];
export type Method = { name: string; fit: (train: Interactions) => Recommend };
/** perCase: each case's NDCG@K, in case order (for paired comparisons of two methods on one split). */
export type Metrics = { hitRate: number; ndcg: number; cases: number; perCase: Float64Array };

export function evaluate(split: Split, recommend: Recommend, k = 10): Metrics {
  let hits = 0;
  let ndcg = 0;
  const perCase = new Float64Array(split.cases.length);
  for (const [c, { history, targets }] of split.cases.entries()) {
    const wanted = new Set(targets);
    const list = recommend(history, k).slice(0, k);
    let dcg = 0;
    for (let r = 0; r < list.length; r++) if (wanted.has(list[r]!)) dcg += 1 / Math.log2(r + 2);
    let ideal = 0;
    for (let r = 0; r < Math.min(k, wanted.size); r++) ideal += 1 / Math.log2(r + 2);
    if (dcg > 0) hits += 1;
    perCase[c] = ideal > 0 ? dcg / ideal : 0;
    ndcg += perCase[c]!;
  }
  const n = split.cases.length;
  return { hitRate: n ? hits / n : 0, ndcg: n ? ndcg / n : 0, cases: n, perCase };
}

/** Mean of a - b over paired cases, with a normal 95% interval. */
export function pairedDifference(a: Float64Array, b: Float64Array): { mean: number; low: number; high: number } {
  if (a.length !== b.length) throw new RangeError("paired cases differ in number");
  const n = a.length;
  if (n === 0) return { mean: 0, low: 0, high: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i]! - b[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (a[i]! - b[i]! - mean) ** 2;
  const se = n > 1 ? Math.sqrt(sq / (n - 1) / n) : 0;
  return { mean, low: mean - 1.96 * se, high: mean + 1.96 * se };
}

/**
 * Customers' orders (each an array of item indices), oldest first. `holdout` 1: the last order is the
 * test; 2: the second-to-last is the validation target and the last is dropped.
 */
export function lastOrderSplit(
  customers: readonly (readonly (readonly number[])[])[],
  items: number,
  holdout: 1 | 2,
): Split {
  const rows: number[][] = [];
  const cases: EvalCase[] = [];
  for (const orders of customers) {
    const kept = orders.slice(0, Math.max(0, orders.length - holdout + 1));
    if (kept.length === 0) continue;
    const before = kept.slice(0, -1);
    const history = [...new Set(before.flat())].sort((a, b) => a - b);
    const had = new Set(history);
    const last = [...new Set(kept[kept.length - 1]!)];
    const targets = last.filter((i) => !had.has(i)).sort((a, b) => a - b);
    if (history.length > 0 && targets.length > 0) {
      cases.push({ history, targets });
      rows.push(history);
    }
    // A customer who is not a case (one order, or nothing new in the held-out one) has their held-out
    // order trained on: nothing evaluated depends on it.
    else rows.push([...new Set([...history, ...last])]);
  }
  return { train: interactions(rows, items), cases };
}

/** mulberry32: a small seeded generator, so that splits are the same in every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function basketSplit(
  baskets: readonly (readonly number[])[],
  items: number,
  part: "validation" | "test",
  seed = 20261201,
): Split {
  const random = seeded(seed);
  const rows: number[][] = [];
  const cases: EvalCase[] = [];
  for (const basket of baskets) {
    const fold = Math.floor(random() * 10);
    const pick = random();
    const distinct = [...new Set(basket)].sort((a, b) => a - b);
    const evaluated = part === "test" ? fold === 9 : fold === 8;
    const training = part === "test" ? fold <= 8 : fold <= 7;
    if (training) rows.push(distinct);
    else if (evaluated && distinct.length >= 2) {
      const hidden = distinct[Math.floor(pick * distinct.length)]!;
      cases.push({ history: distinct.filter((i) => i !== hidden), targets: [hidden] });
    }
  }
  return { train: interactions(rows, items), cases };
}

/** Top-K of an item-item model, the history excluded, filled up from popularity. */
export function fromItemModel(model: ItemModel, popular: readonly number[]): Recommend {
  const scratch = new Float64Array(model.items);
  return (history, k) => {
    const had = new Set(history);
    const out = scoreHistory(model, history, k, (j) => had.has(j), scratch).items;
    if (out.length < k) {
      const taken = new Set(out);
      for (const j of popular) {
        if (out.length >= k) break;
        if (!had.has(j) && !taken.has(j)) out.push(j);
      }
    }
    return out;
  };
}

export const popularityMethod: Method = {
  name: "popularity",
  fit: (train) => {
    const popular = popularityRanking(train);
    return (history, k) => {
      const had = new Set(history);
      return popular.filter((j) => !had.has(j)).slice(0, k);
    };
  },
};

/**
 * An item-item model as a method: with gamma 0, its own top-K filled up from popularity; with gamma > 0,
 * the personal list the refresh stores (model scores plus the popularity prior, app/domain/recommend/personal.ts).
 */
export function itemModelMethod(name: string, fit: (train: Interactions) => ItemModel, gamma = 0): Method {
  return {
    name,
    fit: (train) => {
      const popular = popularityRanking(train);
      const model = fit(train);
      if (gamma <= 0) return fromItemModel(model, popular);
      const scorer = personalScorer(model, itemCounts(train), popular, gamma);
      const fill = fromItemModel({ ...model, offsets: new Int32Array(model.items + 1) }, popular);
      return (history, k) => {
        const had = new Set(history);
        const out = personalList(scorer, history, k, (j) => had.has(j)).items;
        if (out.length >= k) return out;
        const taken = new Set(out);
        return [...out, ...fill(history, k).filter((j) => !taken.has(j))].slice(0, k);
      };
    },
  };
}

export type Tuned<P> = { params: P; validation: Metrics };

/** The grid's best by validation NDCG@10 (then hit-rate, then the grid's order). */
export function tune<P>(grid: readonly P[], make: (params: P) => Method, validation: Split): Tuned<P> {
  let best: Tuned<P> | null = null;
  for (const params of grid) {
    const metrics = evaluate(validation, make(params).fit(validation.train));
    if (
      !best ||
      metrics.ndcg > best.validation.ndcg ||
      (metrics.ndcg === best.validation.ndcg && metrics.hitRate > best.validation.hitRate)
    )
      best = { params, validation: metrics };
  }
  if (!best) throw new RangeError("tune needs a non-empty grid");
  return best;
}

/** Every combination of the given values, in a fixed order. */
export function grid<P extends Record<string, readonly unknown[]>>(axes: P): { [K in keyof P]: P[K][number] }[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    out = out.flatMap((partial) => values.map((v) => ({ ...partial, [key]: v })));
  }
  return out as { [K in keyof P]: P[K][number] }[];
}
