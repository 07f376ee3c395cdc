// The shop's item-item model: EASE while the catalogue's bought items fit its dense inverse, RP3beta
// past that (both with popularity damping). Parameters chosen on validation splits of the demo shop and
// the groceries baskets (bench/recommend.bench.ts; the figures in docs/BENCHMARKS.md).
import { ease, EASE_MAX_ITEMS, type EaseParams } from "./ease";
import type { Interactions } from "./interactions";
import type { ItemModel } from "./item-model";
import { rp3beta, type Rp3Params } from "./rp3beta";

/** gamma: the popularity prior of the personal lists (app/domain/recommend/personal.ts), per model. */
export type ModelConfig = {
  ease: EaseParams & { gamma: number };
  rp3: Rp3Params & { gamma: number };
  maxEaseItems: number;
};

// Chosen on the demo shop's validation split (50,000 customers; bench/recommend.bench.ts, the run in
// docs/BENCHMARKS.md).
export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  ease: { lambda: 0.5, beta: 0.3, k: 100, gamma: 3 },
  rp3: { alpha: 1, beta: 0, k: 20, gamma: 0.3 },
  maxEaseItems: EASE_MAX_ITEMS,
};

export type FittedModel = { kind: "ease" | "rp3beta"; model: ItemModel; gamma: number };

export function fitItemModel(x: Interactions, config: ModelConfig = DEFAULT_MODEL_CONFIG): FittedModel {
  if (x.items <= Math.min(config.maxEaseItems, EASE_MAX_ITEMS)) {
    return { kind: "ease", model: ease(x, config.ease), gamma: config.ease.gamma };
  }
  return { kind: "rp3beta", model: rp3beta(x, config.rp3), gamma: config.rp3.gamma };
}
