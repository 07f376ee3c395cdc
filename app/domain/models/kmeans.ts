// k-means: k-means++ seeding (Arthur & Vassilvitskii 2007) from a seeded random stream, Lloyd iterations,
// several initialisations with the lowest inertia kept — the same seed gives the same clusters. And the
// silhouette (Rousseeuw 1987) to choose k over 2..8, on a seeded sample for large shops since it is
// O(n²).
import { createRandom, type Random } from "~/demo/random";
import { centroidsOf, nearest, squaredDistance, type Points } from "./matrix";
import { sampleIndexes } from "./sample";

export type KMeansOptions = { seed?: number; inits?: number; maxIterations?: number };

export type KMeansResult = {
  k: number;
  labels: Int32Array;
  /** Flat k×d. */
  centroids: Float64Array;
  /** Sum of squared distances to the assigned centroid. */
  inertia: number;
  iterations: number;
  converged: boolean;
};

function seedPlusPlus(points: Points, k: number, random: Random): Float64Array {
  const { data, n, d } = points;
  const centroids = new Float64Array(k * d);
  const closest = new Float64Array(n).fill(Infinity);
  let chosen = random.int(0, n - 1);
  for (let c = 0; c < k; c++) {
    centroids.set(data.subarray(chosen * d, chosen * d + d), c * d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const dist = squaredDistance(data, i, centroids, c, d);
      if (dist < closest[i]!) closest[i] = dist;
      total += closest[i]!;
    }
    if (c + 1 < k) chosen = total > 0 ? random.weightedIndex(closest, total) : random.int(0, n - 1);
  }
  return centroids;
}

function lloyd(points: Points, k: number, start: Float64Array, maxIterations: number): KMeansResult {
  const { n, d } = points;
  const labels = new Int32Array(n).fill(-1);
  let centroids = start;
  let iterations = 0;
  let converged = false;
  let inertia = 0;
  while (iterations < maxIterations) {
    iterations++;
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      const { index, distance } = nearest(points, i, centroids, k);
      inertia += distance;
      if (labels[i] !== index) {
        labels[i] = index;
        changed++;
      }
    }
    if (changed === 0) {
      converged = true;
      break;
    }
    const next = centroidsOf(points, labels, k);
    // An emptied cluster takes the point farthest from its centroid, so k clusters stay k.
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) counts[labels[i]!]!++;
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) continue;
      let far = 0;
      let farDistance = -1;
      for (let i = 0; i < n; i++) {
        const dist = squaredDistance(points.data, i, next, labels[i]!, d);
        if (dist > farDistance) {
          farDistance = dist;
          far = i;
        }
      }
      next.set(points.data.subarray(far * d, far * d + d), c * d);
      labels[far] = c;
    }
    centroids = next;
  }
  return { k, labels, centroids, inertia, iterations, converged };
}

/** k-means with k-means++ seeding; the best of `inits` runs (default 5) by inertia. */
export function kmeans(points: Points, k: number, options: KMeansOptions = {}): KMeansResult {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number >= 1, got ${k}`);
  if (points.n < k) throw new RangeError(`k-means needs at least k = ${k} points, got ${points.n}`);
  const random = createRandom(options.seed ?? 42);
  let best: KMeansResult | undefined;
  for (let run = 0; run < (options.inits ?? 5); run++) {
    const result = lloyd(points, k, seedPlusPlus(points, k, random.fork(run)), options.maxIterations ?? 300);
    if (!best || result.inertia < best.inertia) best = result;
  }
  return canonical(best!);
}

/** Renumbers clusters by their first appearance, so equal partitions print equal labels. */
function canonical(result: KMeansResult): KMeansResult {
  const { k, labels, centroids } = result;
  const d = centroids.length / k;
  const order = new Int32Array(k).fill(-1);
  let next = 0;
  for (let i = 0; i < labels.length && next < k; i++) if (order[labels[i]!] === -1) order[labels[i]!] = next++;
  for (let c = 0; c < k; c++) if (order[c] === -1) order[c] = next++;
  const relabeled = labels.map((c) => order[c]!);
  const moved = new Float64Array(centroids.length);
  for (let c = 0; c < k; c++) moved.set(centroids.subarray(c * d, c * d + d), order[c]! * d);
  return { ...result, labels: relabeled, centroids: moved };
}

/**
 * Mean silhouette of a labelling: for each point (b − a) / max(a, b), a its mean distance to its own
 * cluster, b to the nearest other. Points of a singleton cluster score 0. On at most `sampleSize` points
 * (default 2,000, seeded) since it is O(n²).
 */
export function silhouette(
  points: Points,
  labels: ArrayLike<number>,
  k: number,
  options: { sampleSize?: number; seed?: number } = {},
): number {
  const idx = sampleIndexes(points.n, options.sampleSize ?? 2000, options.seed ?? 42);
  const m = idx.length;
  if (m < 2 || k < 2) return 0;
  const sums = new Float64Array(k);
  const counts = new Int32Array(k);
  for (let s = 0; s < m; s++) counts[labels[idx[s]!]!]!++;
  let total = 0;
  for (let s = 0; s < m; s++) {
    const i = idx[s]!;
    sums.fill(0);
    for (let t = 0; t < m; t++) {
      if (t === s) continue;
      const j = idx[t]!;
      sums[labels[j]!]! += Math.sqrt(squaredDistance(points.data, i, points.data, j, points.d));
    }
    const own = labels[i]!;
    if (counts[own]! <= 1) continue;
    const a = sums[own]! / (counts[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c]! > 0) b = Math.min(b, sums[c]! / counts[c]!);
    if (!Number.isFinite(b)) continue;
    const denominator = Math.max(a, b);
    total += denominator > 0 ? (b - a) / denominator : 0;
  }
  return total / m;
}

export type ChooseKResult = {
  k: number;
  result: KMeansResult;
  /** Silhouette and inertia of each k tried. */
  scores: { k: number; silhouette: number; inertia: number }[];
};

/** k over kMin..kMax (default 2..8, capped at n) with the highest silhouette; ties go to the smaller k. */
export function chooseK(
  points: Points,
  options: KMeansOptions & { kMin?: number; kMax?: number; sampleSize?: number } = {},
): ChooseKResult {
  const kMin = options.kMin ?? 2;
  const kMax = Math.min(options.kMax ?? 8, points.n);
  if (kMax < kMin) throw new RangeError(`choosing k needs at least ${kMin} points, got ${points.n}`);
  let best: KMeansResult | undefined;
  let bestScore = -Infinity;
  const scores: ChooseKResult["scores"] = [];
  for (let k = kMin; k <= kMax; k++) {
    const result = kmeans(points, k, options);
    const score = silhouette(points, result.labels, k, { sampleSize: options.sampleSize, seed: options.seed });
    scores.push({ k, silhouette: score, inertia: result.inertia });
    if (score > bestScore + 1e-12) {
      best = result;
      bestScore = score;
    }
  }
  return { k: best!.k, result: best!, scores };
}
