// What each cluster is, in the merchant's units: size, median spend, orders, days since the last order,
// average order value, top product types — and a plain-language name made from how the cluster's
// medians compare with the whole shop's ("frequent, high spend", "one-time, low spend, lapsed"), unique
// within one result.
import type { CustomerActivity } from "./features";

export type ClusterProfile = {
  cluster: number;
  name: string;
  size: number;
  /** Of all customers, 0..1. */
  share: number;
  medianSpend: number;
  medianOrders: number;
  medianDaysSinceLastOrder: number;
  medianOrderValue: number;
  /** Up to three product types with the largest share of the cluster's spend. */
  topProductTypes: string[];
};

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type Medians = { spend: number; orders: number; recency: number };

/** The shop-wide figures a cluster is named against. */
export type ShopQuantiles = {
  spend: { p25: number; p75: number };
  orders: { median: number };
  recency: { p25: number; median: number };
};

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function shopQuantiles(customers: readonly CustomerActivity[]): ShopQuantiles {
  const spend = customers.map((c) => c.totalSpent).sort((a, b) => a - b);
  const recency = customers.map((c) => c.daysSinceLastOrder).sort((a, b) => a - b);
  return {
    spend: { p25: quantile(spend, 0.25), p75: quantile(spend, 0.75) },
    orders: { median: median(customers.map((c) => c.orders)) },
    recency: { p25: quantile(recency, 0.25), median: median(recency) },
  };
}

/**
 * The words, from the cluster's medians against the shop's customers (quartiles, so that a shop where
 * most customers bought once still tells its clusters apart):
 * - orders: "one-time" when the cluster's median customer ordered once, "frequent" at >= max(3, twice
 *   the shop's median), otherwise "repeat";
 * - spend: "high spend" at or above the shop's upper quartile, "low spend" at or below its lower
 *   quartile, else "mid spend";
 * - recency, only when it stands out: "lapsed" at or above the shop's median days since the last order
 *   and at least 90 days, "recent" at or below the shop's lower quartile.
 */
export function clusterName(cluster: Medians, shop: ShopQuantiles): string {
  const frequency =
    cluster.orders <= 1 ? "one-time" : cluster.orders >= Math.max(3, 2 * shop.orders.median) ? "frequent" : "repeat";
  const spend =
    cluster.spend >= shop.spend.p75 ? "high spend" : cluster.spend <= shop.spend.p25 ? "low spend" : "mid spend";
  const words = [frequency, spend];
  if (cluster.recency >= Math.max(90, shop.recency.median)) words.push("lapsed");
  else if (cluster.recency <= shop.recency.p25) words.push("recent");
  return words.join(", ");
}

export function profileClusters(
  customers: readonly CustomerActivity[],
  labels: ArrayLike<number>,
  k: number,
): ClusterProfile[] {
  const n = customers.length;
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) members[labels[i]!]!.push(i);
  const shop = shopQuantiles(customers);
  const profiles = members.map((idx, cluster) => {
    const pick = (f: (c: CustomerActivity) => number) => median(idx.map((i) => f(customers[i]!)));
    const categories = new Map<string, number>();
    for (const i of idx) {
      for (const [name, spend] of Object.entries(customers[i]!.categorySpend ?? {})) {
        if (spend > 0) categories.set(name, (categories.get(name) ?? 0) + spend);
      }
    }
    const medians: Medians = {
      spend: pick((c) => c.totalSpent),
      orders: pick((c) => c.orders),
      recency: pick((c) => c.daysSinceLastOrder),
    };
    return {
      cluster,
      name: clusterName(medians, shop),
      size: idx.length,
      share: n > 0 ? idx.length / n : 0,
      medianSpend: medians.spend,
      medianOrders: medians.orders,
      medianDaysSinceLastOrder: medians.recency,
      medianOrderValue: pick((c) => (c.orders > 0 ? c.totalSpent / c.orders : 0)),
      topProductTypes: [...categories]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3)
        .map(([name]) => name),
    };
  });
  return uniqueNames(profiles);
}

/** Same names get their main product type ("…, mostly Shoes"), then a number, largest cluster first. */
function uniqueNames(profiles: ClusterProfile[]): ClusterProfile[] {
  const bySize = profiles.slice().sort((a, b) => b.size - a.size || a.cluster - b.cluster);
  const count = (name: string) => profiles.filter((p) => p.name === name).length;
  for (const p of bySize) {
    if (count(p.name) > 1 && p.topProductTypes[0]) {
      const candidate = `${p.name}, mostly ${p.topProductTypes[0]}`;
      if (!profiles.some((q) => q.name === candidate)) p.name = candidate;
    }
  }
  const seen = new Map<string, number>();
  for (const p of bySize) {
    const n = (seen.get(p.name) ?? 0) + 1;
    seen.set(p.name, n);
    if (n > 1) p.name = `${p.name} (${n})`;
  }
  return profiles;
}
