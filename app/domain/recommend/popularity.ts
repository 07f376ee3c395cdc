// Popularity: items ranked by how many customers (or baskets) bought them, ties by index (id order).
import type { Interactions } from "./interactions";
import { itemCounts } from "./interactions";

/** Item indices, most bought first; items nobody bought are left out. */
export function popularityRanking(x: Interactions): number[] {
  const counts = itemCounts(x);
  const ranked: number[] = [];
  for (let i = 0; i < x.items; i++) if (counts[i]! > 0) ranked.push(i);
  return ranked.sort((a, b) => counts[b]! - counts[a]! || a - b);
}
