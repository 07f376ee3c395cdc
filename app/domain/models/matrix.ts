// Points for the clustering code: n rows of d numbers in one flat Float64Array (row i at i·d), so that
// the inner loops touch contiguous memory and a million customers cost 8·n·d bytes, not n arrays.

export type Points = { data: Float64Array; n: number; d: number };

export function pointsFrom(rows: readonly (readonly number[])[]): Points {
  const n = rows.length;
  const d = n > 0 ? rows[0]!.length : 0;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row.length !== d) throw new RangeError(`row ${i} has ${row.length} values, expected ${d}`);
    for (let j = 0; j < d; j++) data[i * d + j] = row[j]!;
  }
  return { data, n, d };
}

/** Squared Euclidean distance between row i of `a` and row j of `b` (same d). */
export function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  const ai = i * d;
  const bj = j * d;
  for (let k = 0; k < d; k++) {
    const diff = a[ai + k]! - b[bj + k]!;
    s += diff * diff;
  }
  return s;
}

/** Index of the nearest of k centroids (flat k×d) to row i of `points`, and its squared distance. */
export function nearest(
  points: Points,
  i: number,
  centroids: Float64Array,
  k: number,
): { index: number; distance: number } {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const dist = squaredDistance(points.data, i, centroids, c, points.d);
    if (dist < bestDistance) {
      bestDistance = dist;
      best = c;
    }
  }
  return { index: best, distance: bestDistance };
}

/** Means of the points in each of k labels (flat k×d); an empty label's mean is left at 0. */
export function centroidsOf(points: Points, labels: ArrayLike<number>, k: number): Float64Array {
  const { data, n, d } = points;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    counts[c]!++;
    for (let j = 0; j < d; j++) sums[c * d + j]! += data[i * d + j]!;
  }
  for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let j = 0; j < d; j++) sums[c * d + j]! /= counts[c]!;
  return sums;
}
