// RFM: recency, frequency and monetary scores 1–5 by quintile within the shop, and the group names
// Shopify uses (CustomerRfmGroup). Pure: values in, cut points and scores out.
//
// Scores: the four cut points of each measure are its values at the 20th, 40th, 60th and 80th
// percentile among customers with an order; a customer's score is 1 + the number of cut points their
// value reaches (ties land together). Recency is measured by the last order's instant, so more recent
// scores higher. The same cut points score one customer between full recomputes.
//
// Groups, from recency R and the rounded mean of frequency and monetary FM (Shopify describes each
// group in those terms: "very recent purchases, many orders, the most spend"…):
//
//          FM=1             FM=2             FM=3             FM=4               FM=5
//   R=5    NEW              PROMISING        ACTIVE           CHAMPIONS          CHAMPIONS
//   R=4    PROMISING        PROMISING        ACTIVE           LOYAL              LOYAL
//   R=3    ALMOST_LOST      NEEDS_ATTENTION  NEEDS_ATTENTION  NEEDS_ATTENTION    LOYAL
//   R=2    ALMOST_LOST      ALMOST_LOST      AT_RISK          AT_RISK            PREVIOUSLY_LOYAL
//   R=1    DORMANT          DORMANT          AT_RISK          AT_RISK            PREVIOUSLY_LOYAL
//
// and PROSPECTS for customers without an order.

export type RfmCuts = { r: number[]; f: number[]; m: string[] }; // m in minor units, as decimal strings

export const RFM_TABLE: readonly (readonly string[])[] = [
  // index [5 - R][FM - 1]
  ["NEW", "PROMISING", "ACTIVE", "CHAMPIONS", "CHAMPIONS"],
  ["PROMISING", "PROMISING", "ACTIVE", "LOYAL", "LOYAL"],
  ["ALMOST_LOST", "NEEDS_ATTENTION", "NEEDS_ATTENTION", "NEEDS_ATTENTION", "LOYAL"],
  ["ALMOST_LOST", "ALMOST_LOST", "AT_RISK", "AT_RISK", "PREVIOUSLY_LOYAL"],
  ["DORMANT", "DORMANT", "AT_RISK", "AT_RISK", "PREVIOUSLY_LOYAL"],
];

/** Rounded half up, as the SQL does with integer division. */
export function fmScore(f: number, m: number): number {
  return Math.floor((f + m + 1) / 2);
}

export function rfmGroup(r: number, f: number, m: number): string {
  return RFM_TABLE[5 - r]![fmScore(f, m) - 1]!;
}

/**
 * Where the cut points of n sorted values are: the 0-based positions of the 20/40/60/80th percentile
 * (none for no values). The database picks the values at these positions (app/models/rfm.server.ts).
 */
export function cutPositions(n: number): number[] {
  if (n <= 0) return [];
  return [1, 2, 3, 4].map((k) => Math.min(n - 1, Math.floor((k * n) / 5)));
}

/** Cut points of sorted values: the values at the 20/40/60/80th percentile positions. */
export function cutPoints<T>(sortedAscending: readonly T[]): T[] {
  return cutPositions(sortedAscending.length).map((p) => sortedAscending[p]!);
}

export function scoreAgainst<T extends number | bigint>(value: T, cuts: readonly T[]): number {
  let score = 1;
  for (const cut of cuts) if (value >= cut) score += 1;
  return score;
}
