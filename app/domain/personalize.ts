// What the storefront blocks show a visitor: (visitor, memberships, campaigns, now) -> a decision.
// Pure: plain data in and out, `now` passed in, nothing thrown for ordinary bad data. The proxy routes
// gather the facts (app/models/campaigns/decide.server.ts) and call `decide`.
//
// - A campaign matches when it is active, `now` is within [startsAt, endsAt), and the visitor is in its
//   audience: members of its segment (logged-in customers only), or, without a segment, any visitor in
//   one of its countries (any country when none are named) and, if it says so, a new visitor.
// - Among matches, the highest priority wins; ties go to the older campaign (lower id), so the answer
//   never depends on the order the rows came in.
// - Holdout: a stable hash of (campaign, customer or visitor id) puts `holdoutPercent` % of the audience
//   in the control arm, which sees the block's own fallback. Without any id (no customer, no visitor
//   id: a script-less request) there is nothing stable to hash, so the visitor sees the campaign and is
//   not counted in either arm's exposure.

export type Arm = "campaign" | "holdout";

export type Strategy = "personal" | "segment" | "bestsellers";
export const STRATEGIES: readonly Strategy[] = ["personal", "segment", "bestsellers"];

export type CampaignRule = {
  id: number;
  status: "draft" | "active" | "paused";
  segmentId: number | null;
  /** ISO 3166-1 alpha-2 codes, upper case; empty: any country. */
  countries: readonly string[];
  newVisitorsOnly: boolean;
  priority: number;
  startsAt: Date | null;
  endsAt: Date | null;
  holdoutPercent: number;
  strategy: Strategy;
};

export type Visitor = {
  /** A customer of this shop (checked by the caller); null for anonymous visitors. */
  customerId: string | null;
  /** The segments the customer is a member of (empty when anonymous). */
  segmentIds: readonly number[];
  /** From the storefront's localization, upper case, or null. */
  country: string | null;
  /** The block's own random id for this browser, or null. Used only to assign an arm. */
  visitorId: string | null;
  newVisitor: boolean;
};

export type Decision<C extends CampaignRule = CampaignRule> =
  | { kind: "fallback"; campaign: null; arm: null }
  | { kind: "campaign"; campaign: C; arm: "campaign" }
  | { kind: "holdout"; campaign: C; arm: "holdout" };

export function isLive(campaign: CampaignRule, now: Date): boolean {
  if (campaign.status !== "active") return false;
  const t = now.getTime();
  if (campaign.startsAt && t < campaign.startsAt.getTime()) return false;
  if (campaign.endsAt && t >= campaign.endsAt.getTime()) return false;
  return true;
}

export function inAudience(campaign: CampaignRule, visitor: Visitor): boolean {
  if (campaign.segmentId !== null) {
    return visitor.customerId !== null && visitor.segmentIds.includes(campaign.segmentId);
  }
  if (campaign.countries.length > 0 && (!visitor.country || !campaign.countries.includes(visitor.country))) {
    return false;
  }
  if (campaign.newVisitorsOnly && (visitor.customerId !== null || !visitor.newVisitor)) return false;
  return true;
}

/** The campaigns a visitor matches, best first. */
export function matching<C extends CampaignRule>(campaigns: readonly C[], visitor: Visitor, now: Date): C[] {
  return campaigns
    .filter((c) => isLive(c, now) && inAudience(c, visitor))
    .sort((a, b) => b.priority - a.priority || a.id - b.id);
}

export function decide<C extends CampaignRule>(campaigns: readonly C[], visitor: Visitor, now: Date): Decision<C> {
  const [best] = matching(campaigns, visitor, now);
  if (!best) return { kind: "fallback", campaign: null, arm: null };
  const subject =
    visitor.customerId !== null ? `c:${visitor.customerId}` : visitor.visitorId ? `v:${visitor.visitorId}` : null;
  if (subject !== null && armOf(best.id, subject, best.holdoutPercent) === "holdout") {
    return { kind: "holdout", campaign: best, arm: "holdout" };
  }
  return { kind: "campaign", campaign: best, arm: "campaign" };
}

/**
 * The arm of `subject` in `campaign`: a bucket 0..9999 from a 32-bit FNV-1a hash of
 * "campaign:subject", in the holdout when below holdoutPercent × 100. Stable across processes and
 * restarts (no seed, no state); a new campaign reshuffles, since its id is part of the key.
 */
export function armOf(campaignId: number, subject: string, holdoutPercent: number): Arm {
  const pct = Math.max(0, Math.min(100, holdoutPercent));
  return bucket(`${campaignId}:${subject}`) < pct * 100 ? "holdout" : "campaign";
}

export function bucket(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche (murmur3's fmix32): FNV's low bits alone are poorly spread for short keys.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % 10_000;
}

/** What the recommendation model is asked for, per strategy (the model itself: h/recommend). */
export function recommendationInputs(
  strategy: Strategy | null,
  visitor: Visitor,
  campaignSegmentId: number | null,
): { customerId: string | null; segmentIds: number[] } {
  switch (strategy) {
    case "segment":
      return { customerId: null, segmentIds: campaignSegmentId !== null ? [campaignSegmentId] : [] };
    case "bestsellers":
      return { customerId: null, segmentIds: [] };
    default:
      // "personal", and the fallback (no campaign): the visitor's own history and segments.
      return { customerId: visitor.customerId, segmentIds: [...visitor.segmentIds] };
  }
}

// ---------------------------------------------------------------------------------------------------
// Query parameters the blocks send, read leniently: junk becomes "absent", never an error.

/** An ISO 3166-1 alpha-2 code from the storefront's localization, or null. */
export function parseCountry(value: string | null): string | null {
  const v = (value ?? "").trim().toUpperCase();
  return /^[A-Z]{2}$/.test(v) ? v : null;
}

/** The block's random visitor id (its own, made in the browser): 8–64 of [A-Za-z0-9_-], or null. */
export function parseVisitorId(value: string | null): string | null {
  const v = (value ?? "").trim();
  return /^[A-Za-z0-9_-]{8,64}$/.test(v) ? v : null;
}

/** A Shopify numeric id (customer, product), or null. */
export function parseNumericId(value: string | null): string | null {
  const v = (value ?? "").trim();
  return /^[1-9][0-9]{0,19}$/.test(v) ? v : null;
}

/** How many products to show: 1..12, default 4. */
export function parseLimit(value: string | null): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 12 ? n : 4;
}
