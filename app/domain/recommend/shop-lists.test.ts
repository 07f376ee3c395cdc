// The refresh's lists, and the per-event update matching them.
import { describe, expect, it } from "vitest";
import { computeShopLists, personalFromStored, type Purchases, type StoredList } from "./shop-lists";

const DAY = 86_400_000;
const NOW = 1_000 * DAY;

/** A seeded shop: 300 buyers (and some guests) over 40 products in 4 clusters, product 39 archived. */
function shop(): { purchases: Purchases; active: Set<string> } {
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const buyer: string[] = [];
  const product: string[] = [];
  const at: number[] = [];
  for (let c = 0; c < 300; c++) {
    const cluster = c % 4;
    const n = 1 + Math.floor(next() * 5);
    for (let k = 0; k < n; k++) {
      const p = next() < 0.8 ? cluster * 10 + Math.floor(next() * 10) : Math.floor(next() * 40);
      buyer.push(c % 17 === 0 ? `order:${c}-${k}` : String(5000 + c));
      product.push(String(100 + p));
      at.push(NOW - Math.floor(next() * 200) * DAY);
    }
  }
  const active = new Set(Array.from({ length: 39 }, (_, i) => String(100 + i)));
  return { purchases: { buyer, product, at }, active };
}

const byKind = (lists: StoredList[], kind: StoredList["kind"]) => lists.filter((l) => l.kind === kind);

describe("computeShopLists", () => {
  const { purchases, active } = shop();
  const result = computeShopLists({ purchases, active, segmentsOf: new Map([["5001", [3]]]), now: NOW });

  it("is deterministic", () => {
    expect(computeShopLists({ purchases, active, segmentsOf: new Map([["5001", [3]]]), now: NOW })).toEqual(result);
  });

  it("keeps inactive products out of every list, and customers' purchases out of their own", () => {
    for (const list of result.lists) expect(list.productIds).not.toContain("139");
    for (const list of byKind(result.lists, "customer")) {
      for (const id of list.productIds) expect(list.excludeIds).not.toContain(id);
      expect(list.productIds.length).toBeGreaterThan(0);
    }
  });

  it("has no list for guests, one per customer, a segment's and the shop's", () => {
    const customers = byKind(result.lists, "customer").map((l) => l.key);
    expect(customers.every((k) => /^\d+$/.test(k))).toBe(true);
    expect(byKind(result.lists, "segment").map((l) => l.key)).toEqual(["3"]);
    expect(byKind(result.lists, "shop").map((l) => l.key)).toEqual(["popular", "model", "trending"]);
  });

  it("finds each cluster's products together", () => {
    const row = byKind(result.lists, "product").find((l) => l.key === "101")!;
    const sameCluster = row.productIds.slice(0, 5).filter((id) => Number(id) < 110).length;
    // By chance about 1 of 5 would be.
    expect(sameCluster).toBeGreaterThanOrEqual(3);
  });

  it("gives per event, from the stored rows, the list the full refresh gave", () => {
    const rows = new Map(
      byKind(result.lists, "product").map((l) => [l.key, { ids: l.productIds, weights: l.scores! }] as const),
    );
    const popular = byKind(result.lists, "shop").find((l) => l.key === "popular")!;
    const gamma = byKind(result.lists, "shop").find((l) => l.key === "model")!.scores![0]!;
    const model = { rows, popular: { ids: popular.productIds, counts: popular.scores! }, gamma };
    const customers = byKind(result.lists, "customer");
    expect(customers.length).toBeGreaterThan(200);
    for (const c of customers) expect(personalFromStored(model, c.excludeIds!)).toEqual(c.productIds);
  });

  it("copes with a shop without purchases", () => {
    const empty = computeShopLists({
      purchases: { buyer: [], product: [], at: [] },
      active,
      segmentsOf: new Map(),
      now: NOW,
    });
    expect(empty.lists).toEqual([{ kind: "shop", key: "popular", productIds: [], scores: [] }]);
  });
});
