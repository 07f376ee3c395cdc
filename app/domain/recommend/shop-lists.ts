// What the refresh computes for a shop, as plain data (app/models/recommendations-refresh.server.ts loads
// the purchases and writes these lists): the item-item model's "bought together" rows, every customer's
// personal list, each segment's top sellers, trending and popular. And the per-event update of some
// customers' lists from the stored rows (`personalFromStored`), which gives what the full refresh gives.
import { interactions, itemCounts, itemIndex } from "./interactions";
import type { ItemModel } from "./item-model";
import { segmentTopSellers, trending } from "./lists";
import { DEFAULT_MODEL_CONFIG, fitItemModel, type ModelConfig } from "./model";
import { personalList, personalScorer, POPULAR_CANDIDATES } from "./personal";
import { popularityRanking } from "./popularity";

export const LENGTHS = { personal: 30, segment: 50, trending: 50, popular: POPULAR_CANDIDATES } as const;

/** Purchases, one per (order, product) of counted orders, as columns. `buyer`: a customer id, or "order:<id>" for a guest. */
export type Purchases = { buyer: readonly string[]; product: readonly string[]; at: ArrayLike<number> };

export type StoredList = {
  kind: "product" | "customer" | "segment" | "shop";
  key: string;
  productIds: string[];
  scores?: number[];
  excludeIds?: string[];
};

export type ShopListsInput = {
  purchases: Purchases;
  /** Products that may be recommended (ACTIVE). */
  active: ReadonlySet<string>;
  /** The segments of each customer (customers in none may be left out). */
  segmentsOf: ReadonlyMap<string, readonly number[]>;
  now: number;
  config?: ModelConfig;
};

export const isGuest = (buyer: string) => buyer.startsWith("order:");

/** Weights kept to 6 significant digits: as stored, so that the per-event update scores alike. */
const stored = (w: number) => Number(w.toPrecision(6));

export function computeShopLists(input: ShopListsInput): { lists: StoredList[]; model: string; items: number } {
  const { purchases, active, now } = input;
  const index = itemIndex(purchases.product);
  const buyers = new Map<string, number[]>();
  const itemOf = new Int32Array(purchases.product.length);
  for (let k = 0; k < purchases.product.length; k++) {
    const item = index.of.get(purchases.product[k]!)!;
    itemOf[k] = item;
    const b = purchases.buyer[k]!;
    const list = buyers.get(b);
    if (list) list.push(item);
    else buyers.set(b, [item]);
  }
  const buyerKeys = [...buyers.keys()];
  const x = interactions(
    buyerKeys.map((b) => buyers.get(b)!),
    index.ids.length,
  );
  const lists: StoredList[] = [];
  if (index.ids.length === 0)
    return { lists: [{ kind: "shop", key: "popular", productIds: [], scores: [] }], model: "none", items: 0 };
  const fitted = fitItemModel(x, input.config ?? DEFAULT_MODEL_CONFIG);
  const isActive = (i: number) => active.has(index.ids[i]!);
  const model = activeNeighbours(fitted.model, isActive);

  for (let i = 0; i < index.ids.length; i++) {
    const from = model.offsets[i]!;
    const to = model.offsets[i + 1]!;
    if (to === from) continue;
    lists.push({
      kind: "product",
      key: index.ids[i]!,
      productIds: Array.from(model.neighbours.subarray(from, to), (j) => index.ids[j]!),
      scores: Array.from(model.weights.subarray(from, to)),
    });
  }

  const counts = itemCounts(x);
  const popular = popularityRanking(x).filter(isActive).slice(0, LENGTHS.popular);
  lists.push({
    kind: "shop",
    key: "popular",
    productIds: popular.map((i) => index.ids[i]!),
    scores: popular.map((i) => counts[i]!),
  });
  lists.push({ kind: "shop", key: "model", productIds: [], scores: [fitted.gamma] });
  const hot = trending({ item: itemOf, at: purchases.at }, index.ids.length, now, LENGTHS.trending * 4)
    .filter(isActive)
    .slice(0, LENGTHS.trending);
  lists.push({ kind: "shop", key: "trending", productIds: hot.map((i) => index.ids[i]!) });

  const scorer = personalScorer(model, counts, popular, fitted.gamma);
  for (let r = 0; r < buyerKeys.length; r++) {
    const buyer = buyerKeys[r]!;
    if (isGuest(buyer)) continue;
    const history = x.indices.subarray(x.offsets[r]!, x.offsets[r + 1]!);
    const bought = new Set(history);
    const personal = personalList(scorer, history, LENGTHS.personal, (j) => bought.has(j) || !isActive(j));
    lists.push({
      kind: "customer",
      key: buyer,
      productIds: personal.items.map((i) => index.ids[i]!),
      excludeIds: Array.from(history, (i) => index.ids[i]!),
    });
  }

  const segmentsOfRow = (r: number) => input.segmentsOf.get(buyerKeys[r]!) ?? [];
  for (const [segment, ranked] of segmentTopSellers(x, segmentsOfRow, index.ids.length)) {
    const top = ranked.filter(isActive).slice(0, LENGTHS.segment);
    lists.push({ kind: "segment", key: String(segment), productIds: top.map((i) => index.ids[i]!) });
  }
  return { lists, model: fitted.kind, items: index.ids.length };
}

/** The model with only active neighbours kept, their weights as stored. */
function activeNeighbours(model: ItemModel, isActive: (i: number) => boolean): ItemModel {
  const offsets = new Int32Array(model.items + 1);
  const neighbours: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < model.items; i++) {
    offsets[i] = neighbours.length;
    for (let k = model.offsets[i]!; k < model.offsets[i + 1]!; k++) {
      if (!isActive(model.neighbours[k]!)) continue;
      neighbours.push(model.neighbours[k]!);
      weights.push(stored(model.weights[k]!));
    }
  }
  offsets[model.items] = neighbours.length;
  return { items: model.items, offsets, neighbours: Int32Array.from(neighbours), weights: Float64Array.from(weights) };
}

export type StoredModel = {
  /** "Bought together" rows: product id -> neighbours and weights. */
  rows: ReadonlyMap<string, { ids: readonly string[]; weights: readonly number[] }>;
  popular: { ids: readonly string[]; counts: readonly number[] };
  gamma: number;
};

/**
 * One customer's personal list from the stored rows, for the per-event update: the same numbers the
 * full refresh used (rows already restricted to active neighbours, weights as stored), over an index of
 * just the products involved, numbered in the same id order, so ties break alike.
 */
export function personalFromStored(model: StoredModel, bought: readonly string[], n = LENGTHS.personal): string[] {
  const involved = new Set<string>([...bought, ...model.popular.ids]);
  for (const id of bought) for (const j of model.rows.get(id)?.ids ?? []) involved.add(j);
  const index = itemIndex(involved);
  const items = index.ids.length;
  const offsets = new Int32Array(items + 1);
  const neighbours: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < items; i++) {
    offsets[i] = neighbours.length;
    const row = model.rows.get(index.ids[i]!);
    if (!row) continue;
    for (let k = 0; k < row.ids.length; k++) {
      neighbours.push(index.of.get(row.ids[k]!)!);
      weights.push(row.weights[k]!);
    }
  }
  offsets[items] = neighbours.length;
  // Rows only for bought items are ever read (scoring walks the history): others were left empty.
  const itemModel = { items, offsets, neighbours: Int32Array.from(neighbours), weights: Float64Array.from(weights) };
  const counts = new Float64Array(items);
  const popular = model.popular.ids.map((id, r) => {
    const i = index.of.get(id)!;
    counts[i] = model.popular.counts[r]!;
    return i;
  });
  const scorer = personalScorer(itemModel, counts, popular, model.gamma);
  const history = [...new Set(bought.map((id) => index.of.get(id)!))].sort((a, b) => a - b);
  const had = new Set(history);
  // Stored rows and the popular list hold active products only: nothing else can come out.
  return personalList(scorer, history, n, (j) => had.has(j)).items.map((i) => index.ids[i]!);
}
