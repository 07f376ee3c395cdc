// Customers drawn from the models' own generative stories, seeded: for the parameter-recovery tests and
// the benchmark (plain data, no database).
import type { Random } from "~/demo/random";
import type { BgNbdParams, BgNbdRow } from "./bgnbd";
import type { GammaGammaParams } from "./gamma-gamma";

/**
 * One BG/NBD customer observed for T time units after a first purchase at 0: λ ~ Gamma(r, scale 1/α),
 * p ~ Beta(a, b); purchases arrive at rate λ, and after each repeat purchase she leaves with
 * probability p. With `wholeUnits`, times are floored to whole units and purchases on the same unit
 * count once, as a summary built from days does.
 */
export function simulateBgNbdCustomer(params: BgNbdParams, T: number, random: Random, wholeUnits = false): BgNbdRow {
  const lambda = random.gamma(params.r, 1 / params.alpha);
  const p = random.beta(params.a, params.b);
  let t = 0;
  let x = 0;
  let tx = 0;
  let lastUnit = 0;
  for (;;) {
    t += lambda > 0 ? random.exponential(lambda) : Infinity;
    if (!(t <= T)) break;
    if (wholeUnits) {
      const unit = Math.floor(t);
      if (unit > lastUnit) {
        x++;
        tx = unit;
        lastUnit = unit;
      }
    } else {
      x++;
      tx = t;
    }
    if (random.bernoulli(p)) break;
  }
  return { x, tx, T };
}

/**
 * Mean value of a repeat buyer's x transactions under Gamma-Gamma: ν ~ Gamma(q, scale 1/γ), each
 * transaction's value ~ Gamma(p, scale 1/ν).
 */
export function simulateMeanValue(params: GammaGammaParams, x: number, random: Random): number {
  const nu = random.gamma(params.q, 1 / params.gamma);
  let total = 0;
  for (let i = 0; i < x; i++) total += random.gamma(params.p, 1 / nu);
  return total / x;
}
