// A seeded random sample of row indexes, so that fits of very large shops stay fast and reproducible.
import { createRandom } from "~/demo/random";

/** Indexes 0..n−1 when n <= size, else `size` of them drawn without replacement (sorted), seeded. */
export function sampleIndexes(n: number, size: number, seed: number): Int32Array {
  if (n <= size) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  // Partial Fisher–Yates over an index array: O(n) memory, O(size) draws.
  const random = createRandom(seed);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < size; i++) {
    const j = random.int(i, n - 1);
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return pool.subarray(0, size).sort();
}
