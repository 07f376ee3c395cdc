import { describe, expect, it } from "vitest";
import { createRandom, type Random } from "./random";

const N = 20_000;

function draws(random: Random, n: number, draw: (r: Random) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(draw(random));
  return out;
}

function meanAndVariance(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe("createRandom", () => {
  it("repeats the same sequence for the same seed", () => {
    expect(draws(createRandom(42), 1000, (r) => r.next())).toEqual(draws(createRandom(42), 1000, (r) => r.next()));
  });

  it.each([
    [1, 2],
    [0, -0.5],
    [1, 1.5],
    [2 ** 40, 2 ** 40 + 1],
  ])("gives seeds %s and %s different sequences", (a, b) => {
    expect(draws(createRandom(a), 10, (r) => r.next())).not.toEqual(draws(createRandom(b), 10, (r) => r.next()));
  });

  it("stays in [0, 1) with a mean near 1/2", () => {
    const xs = draws(createRandom(7), N, (r) => r.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const { mean, variance } = meanAndVariance(xs);
    expect(mean).toBeCloseTo(0.5, 1);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it.each([
    [1, 6],
    [-3, 3],
    [0, 0],
    [10, 11],
  ])("int(%i, %i) reaches both ends and nothing outside", (min, max) => {
    const seen = new Set(draws(createRandom(3), 2000, (r) => r.int(min, max)));
    expect(Math.min(...seen)).toBe(min);
    expect(Math.max(...seen)).toBe(max);
    expect(seen.size).toBe(max - min + 1);
  });

  it("int handles ranges wider than 32 bits", () => {
    const xs = draws(createRandom(3), 1000, (r) => r.int(0, 2 ** 40));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x <= 2 ** 40)).toBe(true);
    expect(new Set(xs.map((x) => x % 2)).size).toBe(2);
  });

  it.each([
    [1.5, 3],
    [3, 0],
    [Number.NaN, 1],
  ])("int(%s, %s) is rejected", (min, max) => {
    expect(() => createRandom(1).int(min, max)).toThrow(RangeError);
  });

  it("pick and weighted choose in proportion", () => {
    const random = createRandom(11);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < N; i++) counts[random.weighted(["a", "b", "c"] as const, [1, 0, 3])]++;
    expect(counts.b).toBe(0);
    expect(counts.c / N).toBeCloseTo(0.75, 1);
    const picked = new Set(draws(random, 500, (r) => r.pick([10, 20, 30])));
    expect([...picked].sort()).toEqual([10, 20, 30]);
    expect(() => random.pick([])).toThrow(RangeError);
    expect(() => random.weighted([1, 2], [0, 0])).toThrow(RangeError);
    expect(() => random.weighted([1, 2], [1])).toThrow(RangeError);
  });

  // Tolerances are about five standard errors for 20k draws, so a correct sampler fails rarely
  // and, the seed being fixed, never flakily.
  it.each([
    ["normal", (r: Random) => r.normal(), 0, 1],
    ["gamma(0.5, 2)", (r: Random) => r.gamma(0.5, 2), 1, 2],
    ["gamma(0.8, 1/60)", (r: Random) => r.gamma(0.8, 1 / 60), 0.8 / 60, 0.8 / 3600],
    ["gamma(4, 10)", (r: Random) => r.gamma(4, 10), 40, 400],
    ["beta(1, 3)", (r: Random) => r.beta(1, 3), 0.25, 3 / (16 * 5)],
    ["beta(2, 5)", (r: Random) => r.beta(2, 5), 2 / 7, 10 / (49 * 8)],
    ["poisson(0.7)", (r: Random) => r.poisson(0.7), 0.7, 0.7],
    ["poisson(4)", (r: Random) => r.poisson(4), 4, 4],
    ["poisson(35)", (r: Random) => r.poisson(35), 35, 35],
    ["poisson(1000)", (r: Random) => r.poisson(1000), 1000, 1000],
    ["exponential(0.25)", (r: Random) => r.exponential(0.25), 4, 16],
  ])("%s has the right mean and variance", (_name, draw, mean, variance) => {
    const stats = meanAndVariance(draws(createRandom(2024), N, draw));
    expect(Math.abs(stats.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / N));
    expect(Math.abs(stats.variance / variance - 1)).toBeLessThan(0.1);
  });

  it("poisson gives integers and bernoulli matches p", () => {
    const random = createRandom(5);
    expect(draws(random, 1000, (r) => r.poisson(50)).every(Number.isInteger)).toBe(true);
    const hits = draws(random, N, (r) => (r.bernoulli(0.3) ? 1 : 0)).reduce((s, x) => s + x, 0);
    expect(hits / N).toBeCloseTo(0.3, 1);
  });

  it.each([
    ["gamma", (r: Random) => r.gamma(0, 1)],
    ["beta", (r: Random) => r.beta(-1, 1)],
    ["poisson", (r: Random) => r.poisson(-1)],
    ["exponential", (r: Random) => r.exponential(0)],
  ])("%s rejects invalid parameters", (_name, draw) => {
    expect(() => draw(createRandom(1))).toThrow(RangeError);
  });
});

describe("fork", () => {
  it("depends only on the parent's key and the label, not on draws already taken", () => {
    const fresh = createRandom(9);
    const used = createRandom(9);
    draws(used, 137, (r) => r.normal());
    expect(draws(used.fork(17), 20, (r) => r.next())).toEqual(draws(fresh.fork(17), 20, (r) => r.next()));
  });

  it("gives different streams for different labels, label types and parents", () => {
    const root = createRandom(9);
    const first = (r: Random) => draws(r, 4, (x) => x.next()).join();
    const streams = [
      root.fork(1),
      root.fork(2),
      root.fork("1"),
      root.fork(-1),
      root.fork(1.5),
      root.fork("customers"),
      root.fork("customers").fork(1),
      createRandom(10).fork(1),
    ].map(first);
    expect(new Set(streams).size).toBe(streams.length);
  });

  it("does not disturb the parent's own sequence", () => {
    const a = createRandom(4);
    const b = createRandom(4);
    a.fork("x").next();
    expect(draws(a, 10, (r) => r.next())).toEqual(draws(b, 10, (r) => r.next()));
  });

  it("gives sibling streams that are uncorrelated", () => {
    const root = createRandom(123);
    const xs = draws(root.fork(0), N, (r) => r.next());
    const ys = draws(root.fork(1), N, (r) => r.next());
    const mx = xs.reduce((s, x) => s + x, 0) / N;
    const my = ys.reduce((s, y) => s + y, 0) / N;
    let cov = 0;
    for (let i = 0; i < N; i++) cov += (xs[i]! - mx) * (ys[i]! - my);
    const correlation = cov / (N - 1) / (1 / 12);
    expect(Math.abs(correlation)).toBeLessThan(5 / Math.sqrt(N));
  });

  it("gives a million forked streams a million distinct first draws (128-bit keys)", () => {
    const root = createRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1_000_000; i++) {
      const r = root.fork(i);
      seen.add(r.next() * 4294967296 + r.next());
    }
    expect(seen.size).toBe(1_000_000);
  });
});
