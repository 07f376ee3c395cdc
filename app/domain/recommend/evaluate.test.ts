import { describe, expect, it } from "vitest";
import { basketSplit, evaluate, grid, lastOrderSplit, popularityMethod, tune, type Split } from "./evaluate";
import { interactions } from "./interactions";

const split = (cases: Split["cases"]): Split => ({ train: interactions([], 10), cases });

describe("evaluate", () => {
  it.each([
    ["a hit at the top", [5], [5, 1, 2], 1, 1],
    ["a hit in second place", [5], [1, 5, 2], 1, 1 / Math.log2(3)],
    ["no hit", [5], [1, 2, 3], 0, 0],
    ["two targets, one found first", [5, 6], [5, 1], 1, 1 / (1 + 1 / Math.log2(3))],
  ])("scores %s", (_, targets, list, hit, ndcg) => {
    const m = evaluate(split([{ history: [0], targets }]), () => list, 10);
    expect(m.hitRate).toBe(hit);
    expect(m.ndcg).toBeCloseTo(ndcg, 12);
  });

  it("counts only the first K", () => {
    const list = Array.from({ length: 12 }, (_, i) => i);
    expect(evaluate(split([{ history: [], targets: [11] }]), () => list, 10).hitRate).toBe(0);
  });
});

describe("splits", () => {
  const customers = [
    [[0, 1], [1, 2], [3]], // test: history {0,1,2}, target {3}; validation: history {0,1}, target {2}
    [[4], [4]], // nothing new in the last order: trained on, never a case
    [[5]], // one order: trained on
  ];

  it("holds out each customer's last order, only new products counting", () => {
    const s = lastOrderSplit(customers, 6, 1);
    expect(s.cases).toEqual([{ history: [0, 1, 2], targets: [3] }]);
    expect(s.train.rows).toBe(3);
    expect(Array.from(s.train.indices)).not.toContain(3);
  });

  it("validates on the second-to-last order, never seeing the last", () => {
    const s = lastOrderSplit(customers, 6, 2);
    expect(s.cases).toEqual([{ history: [0, 1], targets: [2] }]);
    expect(Array.from(s.train.indices)).not.toContain(3);
  });

  it("splits baskets the same way every run, hiding one item of each evaluated basket", () => {
    const baskets = Array.from({ length: 400 }, (_, i) => [i % 7, (i + 1) % 7, (i + 3) % 7]);
    const a = basketSplit(baskets, 7, "test");
    expect(basketSplit(baskets, 7, "test")).toEqual(a);
    expect(a.cases.length).toBeGreaterThan(20);
    for (const c of a.cases) {
      expect(c.targets).toHaveLength(1);
      expect(c.history).toHaveLength(2);
      expect(c.history).not.toContain(c.targets[0]);
    }
    const v = basketSplit(baskets, 7, "validation");
    expect(v.train.rows).toBeLessThan(a.train.rows);
  });
});

describe("tune", () => {
  it("keeps the grid's best on validation, the first on a tie", () => {
    const s: Split = { train: interactions([[1], [1], [2]], 3), cases: [{ history: [0], targets: [2] }] };
    const tuned = tune(grid({ pick: [1, 2] }), ({ pick }) => ({ name: "x", fit: () => () => [pick] }), s);
    expect(tuned.params).toEqual({ pick: 2 });
    expect(tuned.validation.hitRate).toBe(1);
    expect(evaluate(s, popularityMethod.fit(s.train)).hitRate).toBe(1);
  });

  it("builds every combination in order", () => {
    expect(grid({ a: [1, 2], b: ["x"] })).toEqual([
      { a: 1, b: "x" },
      { a: 2, b: "x" },
    ]);
  });
});
