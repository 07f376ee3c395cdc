// Campaign versus its holdout: the difference in conversion (share of exposed customers who ordered
// within the attribution window) and in revenue per exposed customer, each with a 95 % confidence
// interval, and a verdict in plain words. Pure: the counts come from app/models/campaigns/uplift.server.ts.
//
// The unit is the exposed customer, not the impression: a customer is in one arm for good (the arm is a
// stable hash), so customers are independent units; impressions of one customer are not.
// - Conversion: difference of two proportions, Newcombe's hybrid score interval (method 10 of
//   Newcombe 1998, "Interval estimation for the difference between independent proportions"), built from
//   Wilson intervals of each arm: unlike the Wald interval it keeps its coverage with few conversions.
// - Revenue per exposed customer: difference of means, Welch's standard error with a normal quantile
//   (the arms are large before any verdict is given), over every exposed customer (0 for those who did
//   not order).

export type ArmCounts = {
  impressions: number;
  /** Distinct logged-in customers the arm's decision reached. */
  exposed: number;
  /** Attributed orders' revenue per converting customer, in minor units (one entry per customer). */
  revenues: readonly number[];
  /** Attributed orders (a customer may have several). */
  orders: number;
};

export type Interval = { estimate: number; low: number; high: number };

export type Verdict = "not-enough-data" | "better" | "worse" | "no-clear-difference";

export type Uplift = {
  campaign: ArmSummary;
  holdout: ArmSummary;
  /** Conversion rate, campaign minus holdout (a fraction: 0.02 = two percentage points). */
  conversionDifference: Interval | null;
  /** Revenue per exposed customer, campaign minus holdout, in minor units. */
  revenueDifference: Interval | null;
  verdict: Verdict;
  /** The verdict in a sentence a merchant can read. */
  message: string;
};

export type ArmSummary = {
  impressions: number;
  exposed: number;
  converted: number;
  orders: number;
  revenueMinor: number;
  conversionRate: number | null;
  revenuePerExposedMinor: number | null;
};

/** Below these, no verdict: each arm needs this many exposed customers and converters. */
export const MIN_EXPOSED = 100;
export const MIN_CONVERTED = 10;

const Z95 = 1.959963984540054;

export function wilson(successes: number, n: number, z = Z95): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Newcombe's hybrid score interval for p1 − p2. */
export function proportionDifference(x1: number, n1: number, x2: number, n2: number): Interval | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1);
  const b = wilson(x2, n2);
  const d = p1 - p2;
  return {
    estimate: d,
    low: d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
    high: d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
  };
}

/** Mean and (sample) variance over `n` units, of which `values` are the non-zero ones. */
function moments(values: readonly number[], n: number): { mean: number; variance: number } {
  if (n <= 0) return { mean: 0, variance: 0 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = (n - values.length) * mean * mean;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, variance: n > 1 ? squares / (n - 1) : 0 };
}

/** Welch's difference of means (normal quantile) over exposed customers, zeros for non-converters. */
export function meanDifference(a: readonly number[], n1: number, b: readonly number[], n2: number): Interval | null {
  if (n1 <= 1 || n2 <= 1) return null;
  const x = moments(a, n1);
  const y = moments(b, n2);
  const d = x.mean - y.mean;
  const se = Math.sqrt(x.variance / n1 + y.variance / n2);
  return { estimate: d, low: d - Z95 * se, high: d + Z95 * se };
}

function summary(arm: ArmCounts): ArmSummary {
  const revenue = arm.revenues.reduce((s, v) => s + v, 0);
  return {
    impressions: arm.impressions,
    exposed: arm.exposed,
    converted: arm.revenues.length,
    orders: arm.orders,
    revenueMinor: revenue,
    conversionRate: arm.exposed > 0 ? arm.revenues.length / arm.exposed : null,
    revenuePerExposedMinor: arm.exposed > 0 ? revenue / arm.exposed : null,
  };
}

const pp = (fraction: number) => `${(fraction * 100).toFixed(1)} percentage points`;

export function uplift(arms: { campaign: ArmCounts; holdout: ArmCounts }): Uplift {
  const campaign = summary(arms.campaign);
  const holdout = summary(arms.holdout);
  const conversionDifference = proportionDifference(
    campaign.converted,
    campaign.exposed,
    holdout.converted,
    holdout.exposed,
  );
  const revenueDifference = meanDifference(
    arms.campaign.revenues,
    campaign.exposed,
    arms.holdout.revenues,
    holdout.exposed,
  );
  const enough =
    campaign.exposed >= MIN_EXPOSED &&
    holdout.exposed >= MIN_EXPOSED &&
    campaign.converted >= MIN_CONVERTED &&
    holdout.converted >= MIN_CONVERTED;
  if (!enough || !conversionDifference) {
    const need =
      holdout.exposed === 0 && campaign.exposed > 0
        ? "The campaign has no holdout customers yet (a holdout of 0 % cannot be measured)."
        : `Each side needs at least ${MIN_EXPOSED} customers shown the banner and ${MIN_CONVERTED} who ordered; so far ${campaign.exposed} and ${campaign.converted} with the campaign, ${holdout.exposed} and ${holdout.converted} in the holdout.`;
    return {
      campaign,
      holdout,
      conversionDifference,
      revenueDifference,
      verdict: "not-enough-data",
      message: `Not enough data yet. ${need}`,
    };
  }
  const { estimate, low, high } = conversionDifference;
  const range = `(95 % interval ${pp(low)} to ${pp(high)})`;
  if (low > 0) {
    return {
      campaign,
      holdout,
      conversionDifference,
      revenueDifference,
      verdict: "better",
      message: `The campaign is working: customers who saw it ordered more often than the holdout, by ${pp(estimate)} ${range}.`,
    };
  }
  if (high < 0) {
    return {
      campaign,
      holdout,
      conversionDifference,
      revenueDifference,
      verdict: "worse",
      message: `The campaign is doing harm: customers who saw it ordered less often than the holdout, by ${pp(-estimate)} ${range}.`,
    };
  }
  return {
    campaign,
    holdout,
    conversionDifference,
    revenueDifference,
    verdict: "no-clear-difference",
    message: `No clear difference yet: the campaign's customers ordered ${estimate >= 0 ? "more" : "less"} often by ${pp(Math.abs(estimate))}, but the holdout could be as good ${range}.`,
  };
}
