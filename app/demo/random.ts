// A small seeded random source for the demo shop. Math.random cannot be seeded, and the demo must be
// byte-for-byte reproducible from (seed, now), so every draw goes through here.
//
// The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state,
// passes PractRand, and is a handful of 32-bit integer operations, which matters when a million
// customers each take a few hundred draws. Its counter word rules out the all-zero trap that
// xorshift-style generators have, so any key is a valid state.
//
// A stream is named by a 128-bit key. fork(label) derives a child key by hashing (parent key, label):
// it never looks at the parent's position, so customer 17's stream is the same whether customer 16
// took ten draws or ten thousand. 128 bits (four differently seeded 32-bit hashes) rather than 32
// because a million forks into a 32-bit key space would give about a hundred pairs of customers with
// identical streams.

export type Random = {
  /** Uniform on [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer with both ends included. */
  int(min: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** One of `items`, with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weights: ArrayLike<number>): T;
  /** The index chosen with probability proportional to weights[i]; `total` saves a pass if known. */
  weightedIndex(weights: ArrayLike<number>, total?: number): number;
  /** Standard normal. */
  normal(): number;
  /** Gamma with the given shape and scale (mean shape * scale). */
  gamma(shape: number, scale?: number): number;
  beta(a: number, b: number): number;
  poisson(lambda: number): number;
  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number;
  bernoulli(p: number): boolean;
  /** An independent stream determined only by this stream's key and `label`, not by its position. */
  fork(label: string | number): Random;
};

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

// Lane seeds for the four 32-bit hashes that make up a 128-bit key (arbitrary odd constants).
const LANE_SEEDS = [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f] as const;

// Shared scratch for reading a double's bits; only used synchronously inside keyWords.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// One MurmurHash3 (x86, 32-bit) block step.
function murmurStep(h: number, word: number): number {
  let k = Math.imul(word | 0, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * A label as 32-bit words, with a type tag first so that fork(1) and fork("1") are different streams.
 * Safe integers (the common case: customer indexes) are split into high and low halves exactly; other
 * numbers go in by their IEEE-754 bits.
 */
function keyWords(label: string | number): number[] {
  if (typeof label === "string") {
    const words = [3, label.length];
    for (let i = 0; i < label.length; i++) words.push(label.charCodeAt(i));
    return words;
  }
  if (!Number.isFinite(label)) throw new RangeError(`random label must be finite, got ${label}`);
  if (Number.isSafeInteger(label)) {
    const negative = label < 0;
    const magnitude = Math.abs(label);
    return [negative ? 2 : 1, magnitude >>> 0, Math.floor(magnitude / TWO_POW_32) >>> 0];
  }
  f64[0] = label;
  return [4, u32[0]!, u32[1]!];
}

/** MurmurHash3 of (parent key, label words), once per lane seed. */
function deriveKey(parent: readonly number[], label: string | number): number[] {
  const words = keyWords(label);
  const length = (parent.length + words.length) * 4;
  const key: number[] = [];
  for (const seed of LANE_SEEDS) {
    let h = seed | 0;
    for (const word of parent) h = murmurStep(h, word);
    for (const word of words) h = murmurStep(h, word);
    key.push(fmix32(h ^ length));
  }
  return key;
}

// numpy's log-gamma for the Poisson PTRS acceptance test: Stirling series, shifted up for small x.
const LOGGAM_COEFFS = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
] as const;

function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const n = x < 7 ? Math.floor(7 - x) : 0;
  let x0 = x + n;
  const x2 = 1 / (x0 * x0);
  let gl0 = LOGGAM_COEFFS[9];
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + LOGGAM_COEFFS[k]!;
  let gl = gl0 / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= n; k++) {
    gl -= Math.log(x0 - 1);
    x0 -= 1;
  }
  return gl;
}

class Sfc32 implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  // The second value of the last polar-method pair; NaN when there is none.
  private spare = Number.NaN;

  constructor(private readonly key: readonly number[]) {
    this.a = key[0]! | 0;
    this.b = key[1]! | 0;
    this.c = key[2]! | 0;
    this.d = key[3]! | 0;
    // Related keys (hashes differ in few bits only by chance, but cheaply guarded) start far apart.
    for (let i = 0; i < 12; i++) this.u32();
  }

  private u32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / TWO_POW_32;
  }

  // (0, 1]: safe under Math.log.
  private open(): number {
    return 1 - this.u32() / TWO_POW_32;
  }

  int(min: number, maxInclusive: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(maxInclusive) || maxInclusive < min) {
      throw new RangeError(`int(${min}, ${maxInclusive}) needs integers with min <= max`);
    }
    const span = maxInclusive - min + 1;
    if (span <= TWO_POW_32) return min + Math.floor(this.next() * span);
    // 32 bits would leave most values of a wide range unreachable.
    const u = (this.u32() * 2097152 + (this.u32() >>> 11)) / TWO_POW_53;
    return min + Math.floor(u * span);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty array");
    return items[Math.floor(this.next() * items.length)]!;
  }

  weighted<T>(items: readonly T[], weights: ArrayLike<number>): T {
    if (items.length !== weights.length) {
      throw new RangeError(`weighted: ${items.length} items but ${weights.length} weights`);
    }
    return items[this.weightedIndex(weights)]!;
  }

  weightedIndex(weights: ArrayLike<number>, total?: number): number {
    let sum = total;
    if (sum === undefined) {
      sum = 0;
      for (let i = 0; i < weights.length; i++) {
        const w = weights[i]!;
        if (!(w >= 0) || w === Infinity) throw new RangeError(`weight ${i} is ${w}`);
        sum += w;
      }
    }
    if (!(sum > 0)) throw new RangeError("weights must have a positive sum");
    let x = this.next() * sum;
    let last = -1;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (w <= 0) continue;
      last = i;
      x -= w;
      if (x < 0) return i;
    }
    // Rounding in the running sum can leave x a hair above zero at the end.
    return last;
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    // Marsaglia's polar method: no trigonometry, and each accepted pair gives two values.
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * m;
        return u * m;
      }
    }
  }

  gamma(shape: number, scale = 1): number {
    if (!(shape > 0) || !(scale > 0) || !Number.isFinite(shape) || !Number.isFinite(scale)) {
      throw new RangeError(`gamma(${shape}, ${scale}) needs positive finite shape and scale`);
    }
    if (shape < 1) {
      // Marsaglia–Tsang needs shape >= 1; boost: Gamma(k) = Gamma(k + 1) * U^(1/k).
      return this.gamma(shape + 1, scale) * Math.pow(this.open(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.open();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v * scale;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    const sum = x + y;
    // Both can underflow to 0 for tiny shapes; the limit puts all mass on the ends in ratio a : b.
    if (sum === 0) return this.next() < a / (a + b) ? 1 : 0;
    return x / sum;
  }

  poisson(lambda: number): number {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) {
      throw new RangeError(`poisson(${lambda}) needs a finite non-negative mean`);
    }
    if (lambda === 0) return 0;
    if (lambda < 10) {
      // Knuth: multiply uniforms until the product drops below e^-lambda; O(lambda) draws.
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    // Hörmann's PTRS (transformed rejection with squeeze), as in numpy: exact, O(1) expected draws.
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) {
        return k;
      }
    }
  }

  exponential(rate: number): number {
    if (!(rate > 0) || !Number.isFinite(rate)) {
      throw new RangeError(`exponential(${rate}) needs a positive finite rate`);
    }
    return -Math.log(this.open()) / rate;
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  fork(label: string | number): Random {
    return new Sfc32(deriveKey(this.key, label));
  }
}

/** A stream determined by `seed` alone. Any finite number is a seed; 1 and 1.5 are different seeds. */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
  return new Sfc32(deriveKey([0x5eed], seed));
}
