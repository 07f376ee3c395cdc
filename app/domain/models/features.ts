// The clustering features of each customer, from plain per-customer inputs: recency, frequency,
// monetary, average order value and tenure, log-scaled (spend and counts are heavy-tailed: without the
// log, a handful of big spenders would be the whole first axis) then standardized; and the shares of
// spend in the shop's main product types, the block scaled by 1/√(types) so that the category mix
// weighs like one feature, not five.
import type { Points } from "./matrix";

export type CustomerActivity = {
  daysSinceLastOrder: number;
  orders: number;
  /** Total spent, in the shop's currency (any unit, used in logs and ratios). */
  totalSpent: number;
  /** Days since the first order. */
  tenureDays: number;
  /** Spend per product type, same unit as totalSpent. */
  categorySpend?: Readonly<Record<string, number>>;
};

export type Features = {
  points: Points;
  names: string[];
  /** Product types with a share column, by total spend. */
  categories: string[];
  means: Float64Array;
  stds: Float64Array;
};

const BASE = ["recency", "frequency", "monetary", "aov", "tenure"] as const;

/** The shop's product types by total spend, most first. */
export function topCategories(customers: readonly CustomerActivity[], limit = 5): string[] {
  const totals = new Map<string, number>();
  for (const c of customers) {
    for (const [name, spend] of Object.entries(c.categorySpend ?? {})) {
      if (spend > 0) totals.set(name, (totals.get(name) ?? 0) + spend);
    }
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([name]) => name);
}

const log1pSafe = (v: number) => Math.log1p(Number.isFinite(v) && v > 0 ? v : 0);

export function buildFeatures(
  customers: readonly CustomerActivity[],
  options: { categories?: string[] } = {},
): Features {
  const categories = options.categories ?? topCategories(customers);
  const n = customers.length;
  const d = BASE.length + categories.length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = customers[i]!;
    const row = i * d;
    data[row] = log1pSafe(c.daysSinceLastOrder);
    data[row + 1] = log1pSafe(c.orders);
    data[row + 2] = log1pSafe(c.totalSpent);
    data[row + 3] = log1pSafe(c.orders > 0 ? c.totalSpent / c.orders : 0);
    data[row + 4] = log1pSafe(c.tenureDays);
    let total = 0;
    for (const spend of Object.values(c.categorySpend ?? {})) if (spend > 0) total += spend;
    for (let k = 0; k < categories.length; k++) {
      const spend = c.categorySpend?.[categories[k]!] ?? 0;
      data[row + BASE.length + k] = total > 0 && spend > 0 ? spend / total : 0;
    }
  }
  const means = new Float64Array(d);
  const stds = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[i * d + j]!;
    const mean = n > 0 ? sum / n : 0;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (data[i * d + j]! - mean) ** 2;
    const std = n > 1 ? Math.sqrt(sq / n) : 0;
    means[j] = mean;
    stds[j] = std;
    const weight = j >= BASE.length ? 1 / Math.sqrt(categories.length) : 1;
    for (let i = 0; i < n; i++) data[i * d + j] = std > 0 ? ((data[i * d + j]! - mean) / std) * weight : 0;
  }
  return {
    points: { data, n, d },
    names: [...BASE, ...categories.map((c) => `share:${c}`)],
    categories,
    means,
    stds,
  };
}
