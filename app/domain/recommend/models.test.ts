// The models on baskets small enough to check by hand, and their invariants.
import { describe, expect, it } from "vitest";
import { ease, gram, invertSpd } from "./ease";
import { interactions, itemCounts, itemIndex, transpose } from "./interactions";
import { neighboursOf, scoreHistory, type ItemModel } from "./item-model";
import { cosineKnn } from "./knn";
import { segmentTopSellers, trending } from "./lists";
import { personalList, personalScorer } from "./personal";
import { popularityRanking } from "./popularity";
import { rp3beta } from "./rp3beta";

// Items 0..4. 0-1 bought together often, 0-2 sometimes, 3-4 a pair of their own; 1 is the best seller.
const BASKETS = [[0, 1], [0, 1], [0, 1, 2], [0, 2], [1], [1], [1, 3], [3, 4], [3, 4]];
const X = interactions(BASKETS, 5);

const neighbours = (m: ItemModel, i: number) => neighboursOf(m, i).items;

describe("interactions", () => {
  it("keeps distinct items per row, sorted; transposes; counts", () => {
    const x = interactions([[2, 0, 2], [1]], 3);
    expect(Array.from(x.indices)).toEqual([0, 2, 1]);
    expect(Array.from(x.offsets)).toEqual([0, 2, 3]);
    const t = transpose(x);
    expect(Array.from(t.offsets)).toEqual([0, 1, 2, 3]);
    expect(Array.from(t.indices)).toEqual([0, 1, 0]);
    expect(Array.from(itemCounts(x))).toEqual([1, 1, 1]);
  });

  it("refuses an item index out of range", () => {
    expect(() => interactions([[3]], 3)).toThrow(RangeError);
  });

  it("numbers product ids in id order, whatever the input order", () => {
    expect(itemIndex(["10", "9", "100", "9"]).ids).toEqual(["9", "10", "100"]);
  });
});

describe("popularity", () => {
  it("ranks by buyers, ties by index, leaving out items nobody bought", () => {
    expect(popularityRanking(X)).toEqual([1, 0, 3, 2, 4]);
    expect(popularityRanking(interactions([[2], [0]], 4))).toEqual([0, 2]);
  });
});

describe("cosine item-kNN", () => {
  it("computes co-counts over the buyers' norms", () => {
    const m = cosineKnn(X, { k: 10, shrink: 0 });
    // 0 and 2: 2 shared buyers of 4 and 2: 2 / sqrt(8) = 0.707; 0 and 1: 3 shared of 4 and 6: 3 / sqrt(24) = 0.612.
    const row = neighboursOf(m, 0);
    expect(row.items).toEqual([2, 1]);
    expect(row.weights[0]).toBeCloseTo(2 / Math.sqrt(8), 12);
    expect(row.weights[1]).toBeCloseTo(3 / Math.sqrt(24), 12);
    expect(neighbours(m, 3)).toEqual([4, 1]);
    expect(neighbours(m, 4)).toEqual([3]);
  });

  it("keeps K neighbours", () => {
    expect(neighbours(cosineKnn(X, { k: 1, shrink: 0 }), 0)).toEqual([2]);
  });
});

describe("RP3beta", () => {
  it("walks item -> buyer -> item, rows summing to 1", () => {
    const m = rp3beta(X, { alpha: 1, beta: 0, k: 10 });
    for (const i of [0, 1, 3]) {
      const row = neighboursOf(m, i);
      expect(row.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    expect(neighbours(m, 0)[0]).toBe(1);
    expect(neighbours(m, 4)).toEqual([3]);
  });

  it("damps popular items with beta", () => {
    // From 2 (bought with 0 once, and with 0 and 1 once), 0 and 1 compete; beta pushes the best seller down.
    const plain = neighboursOf(rp3beta(X, { alpha: 1, beta: 0, k: 10 }), 2);
    const damped = neighboursOf(rp3beta(X, { alpha: 1, beta: 1, k: 10 }), 2);
    const share = (row: typeof plain) => row.weights[row.items.indexOf(1)]! / row.weights[row.items.indexOf(0)]!;
    expect(share(damped)).toBeLessThan(share(plain));
  });
});

describe("EASE", () => {
  it("inverts a symmetric positive definite matrix", () => {
    const a = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const copy = a.slice();
    invertSpd(a, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += copy[i * 3 + k]! * a[k * 3 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    expect(() => invertSpd(Float64Array.from([0, 1, 1, 0]), 2)).toThrow(RangeError);
  });

  it("builds XᵀX", () => {
    const g = gram(interactions([[0, 1], [1]], 2));
    expect(Array.from(g)).toEqual([1, 1, 1, 2]);
  });

  it("matches the closed form on a two-item case", () => {
    // X = [[1,1],[1,0]]: G = [[2,1],[1,1]]; mean diagonal 1.5, lambda 1 (relative) -> 1.5 absolute.
    // P = inv([[3.5,1],[1,2.5]]) = [[2.5,-1],[-1,3.5]] / 7.75; B_01 = -P_01/P_11 = 1/3.5.
    const m = ease(interactions([[0, 1], [0]], 2), { lambda: 1, beta: 0, k: 5 });
    expect(neighboursOf(m, 0).weights[0]).toBeCloseTo(1 / 3.5, 12);
    expect(neighboursOf(m, 1).weights[0]).toBeCloseTo(1 / 2.5, 12);
  });

  it("finds the pairs, with no self-links", () => {
    const m = ease(X, { lambda: 0.5, beta: 0, k: 10 });
    expect(neighbours(m, 4)[0]).toBe(3);
    expect(neighbours(m, 0)[0]).toBe(1);
    for (let i = 0; i < 5; i++) expect(neighbours(m, i)).not.toContain(i);
  });

  it("refuses lambda <= 0", () => {
    expect(() => ease(X, { lambda: 0, beta: 0, k: 10 })).toThrow(RangeError);
  });
});

describe.each([
  ["knn", () => cosineKnn(X, { k: 10, shrink: 1 })],
  ["rp3beta", () => rp3beta(X, { alpha: 0.8, beta: 0.3, k: 10 })],
  ["ease", () => ease(X, { lambda: 0.5, beta: 0.3, k: 10 })],
])("%s", (_, fit) => {
  it("is deterministic: the same model from the same baskets", () => {
    const a = fit();
    const b = fit();
    expect(Array.from(a.neighbours)).toEqual(Array.from(b.neighbours));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  });

  it("scores a history without what it excludes", () => {
    const got = scoreHistory(fit(), [0], 10, (j) => j === 0 || j === 2).items;
    expect(got).not.toContain(0);
    expect(got).not.toContain(2);
    expect(got[0]).toBe(1);
    expect(scoreHistory(fit(), [3], 10, (j) => j === 3).items[0]).toBe(4);
  });
});

describe("personal lists", () => {
  it("adds the popularity prior: with no model signal, best sellers first", () => {
    const m = ease(X, { lambda: 0.5, beta: 0, k: 10 });
    const scorer = personalScorer(m, itemCounts(X), popularityRanking(X), 1);
    const had = new Set([4]);
    const got = personalList(scorer, [4], 3, (j) => had.has(j)).items;
    expect(got[0]).toBe(3); // the model's pick
    expect(got).toContain(1); // the best seller, from the prior
    const cold = personalList(personalScorer(m, itemCounts(X), popularityRanking(X), 1), [], 2, () => false).items;
    expect(cold).toEqual([1, 0]);
  });
});

describe("segment top sellers and trending", () => {
  it("ranks each segment's members' purchases", () => {
    const segments = (row: number) => (row < 4 ? [7] : row >= 7 ? [8] : []);
    const got = segmentTopSellers(X, segments, 3);
    expect([...got.keys()]).toEqual([7, 8]);
    expect(got.get(7)).toEqual([0, 1, 2]);
    expect(got.get(8)).toEqual([3, 4]);
  });

  it("ranks what sells now over what always sold", () => {
    const day = 86_400_000;
    const now = 200 * day;
    // Item 0 sells steadily (2 a week for 14 weeks); item 1 only in the last week (3 sales).
    const item: number[] = [];
    const at: number[] = [];
    const sale = (it: number, daysAgo: number) => {
      item.push(it);
      at.push(now - daysAgo * day);
    };
    for (let w = 0; w < 14; w++) for (const d of [1, 4]) sale(0, w * 7 + d);
    for (const d of [1, 2, 3]) sale(1, d);
    item.push(2);
    at.push(now - 100 * day); // too old
    expect(trending({ item, at }, 3, now, 10)).toEqual([1, 0]);
  });
});
