// The recommendation quality comparison (bench/recommend.bench.ts writes it into docs/BENCHMARKS.md):
// popularity, cosine item-kNN, RP3beta and EASE, each tuned on the validation split and reported on
// the test split, on the demo shop (held-out last orders) and the groceries baskets (leave one out).
import fs from "node:fs";
import path from "node:path";
import { demoCustomers, demoProducts, type DemoOptions } from "~/demo/generator";
import { ease } from "~/domain/recommend/ease";
import {
  basketSplit,
  evaluate,
  grid,
  itemModelMethod,
  lastOrderSplit,
  popularityMethod,
  tune,
  type Method,
  type Metrics,
  type Split,
} from "~/domain/recommend/evaluate";
import { itemIndex } from "~/domain/recommend/interactions";
import { cosineKnn, type KnnParams } from "~/domain/recommend/knn";
import { rp3beta, type Rp3Params } from "~/domain/recommend/rp3beta";
import type { EaseParams } from "~/domain/recommend/ease";
import { ROOT } from "./lib";

export const GROCERIES = process.env.GROCERIES_DIR ?? path.join(ROOT, "..", "shared", "datasets", "groceries");

export function groceriesBaskets(dir = GROCERIES): { baskets: number[][]; items: number } {
  const lines = fs
    .readFileSync(path.join(dir, "groceries_baskets.csv"), "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const names = new Map<string, number>();
  const baskets = lines.map((line) =>
    line.split(",").map((name) => {
      let i = names.get(name);
      if (i === undefined) names.set(name, (i = names.size));
      return i;
    }),
  );
  return { baskets, items: names.size };
}

export function demoOrders(options: DemoOptions): { customers: number[][][]; items: number } {
  const index = itemIndex(demoProducts(options).map((p) => p.id));
  const customers: number[][][] = [];
  for (const { orders } of demoCustomers(options)) {
    const kept = orders
      .filter((o) => o.cancelledAt === null && !o.test)
      .sort((a, b) => a.processedAt.getTime() - b.processedAt.getTime())
      .map((o) =>
        o.lines.flatMap((l) => (l.productId && index.of.has(l.productId) ? [index.of.get(l.productId)!] : [])),
      )
      .filter((items) => items.length > 0);
    if (kept.length > 0) customers.push(kept);
  }
  return { customers, items: index.ids.length };
}

type Family<P> = { name: string; grid: P[]; make: (p: P) => Method };

export const FAMILIES = {
  knn: {
    name: "cosine item-kNN",
    grid: grid({ k: [10, 20, 50, 100], shrink: [0, 5, 20] }),
    make: (p: KnnParams) => itemModelMethod("knn", (x) => cosineKnn(x, p)),
  } satisfies Family<KnnParams>,
  knnPrior: {
    name: "cosine item-kNN + popularity prior",
    grid: grid({ k: [20, 50, 100], shrink: [0, 20], gamma: [0.3, 1, 3] }),
    make: (p: KnnParams & { gamma: number }) => itemModelMethod("knn+", (x) => cosineKnn(x, p), p.gamma),
  } satisfies Family<KnnParams & { gamma: number }>,
  rp3: {
    name: "RP3beta",
    grid: grid({ alpha: [0.5, 1], beta: [-0.2, 0, 0.2, 0.4], k: [20, 50, 100], gamma: [0, 0.3, 1, 3] }),
    make: (p: Rp3Params & { gamma: number }) => itemModelMethod("rp3", (x) => rp3beta(x, p), p.gamma),
  } satisfies Family<Rp3Params & { gamma: number }>,
  ease: {
    name: "EASE",
    grid: grid({ lambda: [0.5, 2, 5, 20, 50], beta: [-0.3, 0, 0.15, 0.3], k: [100], gamma: [0, 0.3, 1, 3] }),
    make: (p: EaseParams & { gamma: number }) => itemModelMethod("ease", (x) => ease(x, p), p.gamma),
  } satisfies Family<EaseParams & { gamma: number }>,
};

export type Row = { method: string; params: string; validation: Metrics | null; test: Metrics };

export function compare(validation: Split, test: Split): Row[] {
  const rows: Row[] = [
    {
      method: "popularity",
      params: "",
      validation: evaluate(validation, popularityMethod.fit(validation.train)),
      test: evaluate(test, popularityMethod.fit(test.train)),
    },
  ];
  for (const family of [FAMILIES.knn, FAMILIES.knnPrior, FAMILIES.rp3, FAMILIES.ease] as Family<unknown>[]) {
    const tuned = tune(family.grid, family.make, validation);
    rows.push({
      method: family.name,
      params: JSON.stringify(tuned.params).replace(/"/g, ""),
      validation: tuned.validation,
      test: evaluate(test, family.make(tuned.params).fit(test.train)),
    });
  }
  return rows;
}

export function demoComparison(options: DemoOptions): Row[] {
  const { customers, items } = demoOrders(options);
  return compare(lastOrderSplit(customers, items, 2), lastOrderSplit(customers, items, 1));
}

export function groceriesComparison(dir = GROCERIES): Row[] {
  const { baskets, items } = groceriesBaskets(dir);
  return compare(basketSplit(baskets, items, "validation"), basketSplit(baskets, items, "test"));
}
