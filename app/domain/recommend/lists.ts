// The non-personal lists: top sellers within each segment, and what is trending shop-wide.
import type { Interactions } from "./interactions";
import { itemCounts } from "./interactions";

/**
 * Per segment, its members' most bought items (distinct buyers among the members), ties by the
 * item's shop-wide count and then its index. `segmentsOf(row)` names the segments a row's customer is in.
 */
export function segmentTopSellers(
  x: Interactions,
  segmentsOf: (row: number) => readonly number[],
  n: number,
): Map<number, number[]> {
  const overall = itemCounts(x);
  const counts = new Map<number, Float64Array>();
  for (let r = 0; r < x.rows; r++) {
    const segments = segmentsOf(r);
    if (segments.length === 0 || x.offsets[r + 1] === x.offsets[r]) continue;
    for (const s of segments) {
      let c = counts.get(s);
      if (!c) counts.set(s, (c = new Float64Array(x.items)));
      for (let k = x.offsets[r]!; k < x.offsets[r + 1]!; k++) c[x.indices[k]!]! += 1;
    }
  }
  const out = new Map<number, number[]>();
  for (const [s, c] of [...counts].sort((a, b) => a[0] - b[0])) {
    const ranked: number[] = [];
    for (let i = 0; i < x.items; i++) if (c[i]! > 0) ranked.push(i);
    ranked.sort((a, b) => c[b]! - c[a]! || overall[b]! - overall[a]! || a - b);
    out.set(s, ranked.slice(0, n));
  }
  return out;
}

export type TrendingParams = {
  /** The recent window, in days before now. */
  windowDays: number;
  /** The baseline: the days before the window. */
  baselineDays: number;
};

export const TRENDING: TrendingParams = { windowDays: 14, baselineDays: 84 };

const DAY_MS = 86_400_000;

/**
 * Items selling now more than they used to: for purchases `item[k]` at `at[k]` (ms), with r the count in
 * the recent window and e the count expected there from the baseline's rate, score = r² / (r + e): as r
 * when the item is new (e = 0), smaller when the window only repeats its usual sales. Items with no sale
 * in the window are not trending. Ties by recent count, then index.
 */
export function trending(
  purchases: { item: ArrayLike<number>; at: ArrayLike<number> },
  items: number,
  now: number,
  n: number,
  { windowDays, baselineDays }: TrendingParams = TRENDING,
): number[] {
  const windowStart = now - windowDays * DAY_MS;
  const baselineStart = windowStart - baselineDays * DAY_MS;
  const recent = new Float64Array(items);
  const before = new Float64Array(items);
  for (let k = 0; k < purchases.item.length; k++) {
    const t = purchases.at[k]!;
    if (t > now) continue;
    if (t >= windowStart) recent[purchases.item[k]!]! += 1;
    else if (t >= baselineStart) before[purchases.item[k]!]! += 1;
  }
  const score = new Float64Array(items);
  const ranked: number[] = [];
  for (let i = 0; i < items; i++) {
    if (recent[i] === 0) continue;
    const expected = (before[i]! * windowDays) / baselineDays;
    score[i] = (recent[i]! * recent[i]!) / (recent[i]! + expected);
    ranked.push(i);
  }
  return ranked.sort((a, b) => score[b]! - score[a]! || recent[b]! - recent[a]! || a - b).slice(0, n);
}
