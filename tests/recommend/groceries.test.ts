// The real groceries baskets (../shared/datasets/groceries, arules' Groceries): with the parameters the
// benchmark's validation split chose, RP3beta and EASE beat popularity and cosine item-kNN on the test
// split (one item left out per basket). The full tuned comparison is bench/recommend.bench.ts.
import { describe, expect, it } from "vitest";
import { ease } from "~/domain/recommend/ease";
import { basketSplit, evaluate, itemModelMethod, popularityMethod } from "~/domain/recommend/evaluate";
import { cosineKnn } from "~/domain/recommend/knn";
import { rp3beta } from "~/domain/recommend/rp3beta";
import { groceriesBaskets } from "../../bench/recommend-quality";
import { GROCERIES_DIR } from "../helpers/env";

describe("groceries baskets", () => {
  const { baskets, items } = groceriesBaskets(GROCERIES_DIR);

  it("reads the data set's published figures", () => {
    expect(baskets).toHaveLength(9835);
    expect(items).toBe(169);
    expect(baskets.reduce((n, b) => n + b.length, 0)).toBe(43367);
  });

  it("RP3beta and EASE beat popularity and cosine item-kNN on held-out items", () => {
    const test = basketSplit(baskets, items, "test");
    const score = (fit: Parameters<typeof itemModelMethod>[1]) =>
      evaluate(test, itemModelMethod("m", fit).fit(test.train));
    const popularity = evaluate(test, popularityMethod.fit(test.train));
    const knn = score((x) => cosineKnn(x, { k: 50, shrink: 5 }));
    for (const ours of [
      score((x) => rp3beta(x, { alpha: 1, beta: 0.4, k: 50 })),
      score((x) => ease(x, { lambda: 20, beta: 0.3, k: 100 })),
    ]) {
      for (const baseline of [popularity, knn]) {
        expect(ours.ndcg).toBeGreaterThan(baseline.ndcg);
        expect(ours.hitRate).toBeGreaterThan(baseline.hitRate);
      }
    }
  });
});
