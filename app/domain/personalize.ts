// What the storefront blocks show a visitor: (visitor, memberships, campaigns, now) -> a decision.
// Pure: plain data in and out, `now` passed in, nothing thrown for ordinary bad data. The proxy routes
// gather the facts (app/models/campaigns/decide.server.ts) and call `decide`.
//
// - A campaign matches when it is active, `now` is within [startsAt, endsAt), and the visitor is in its
//   audience: members of its segment (logged-in customers only), or, without a segment, any visitor in
//   one of its countries (any country when none are named) and, if it says so, a new visitor. A
//   campaign with an interest (a product type) further needs the visitor to have viewed products of
//   that type at least `interestViews` times in the current visit (`visitInterest`), logged in or not.
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
  /** A product type (as the merchant wrote it), or null: no interest needed. */
  interestProductType: string | null;
  /** How many views of that type in the visit make the interest (1..50). */
  interestViews: number;
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
  /** Product views in the current visit per product type (keys `interestKey`-folded); empty if unknown. */
  interest: ReadonlyMap<string, number>;
};

/** Views of products in one visit, newest last, as the pixel stored them (product_viewed events). */
export type VisitView = { productType: string | null; at: Date };

/** How long without a view ends a visit (the usual web-analytics session timeout). */
export const VISIT_GAP_MS = 30 * 60_000;

/** A product type as compared: trimmed, ASCII case-folded (as the segment engines fold text). */
export function interestKey(productType: string): string {
  return productType.trim().replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * The visit's interest: product views per product type, counting back from the newest view while
 * views are less than VISIT_GAP_MS apart, and only if the newest is less than that before `now` (a
 * visit that ended is no interest). Views without a type count for nothing.
 */
export function visitInterest(views: readonly VisitView[], now: Date): Map<string, number> {
  const sorted = [...views].sort((a, b) => b.at.getTime() - a.at.getTime());
  const interest = new Map<string, number>();
  let last = now.getTime();
  for (const view of sorted) {
    const t = view.at.getTime();
    if (t > now.getTime() + VISIT_GAP_MS) continue; // a browser clock far ahead: not this visit
    if (last - t >= VISIT_GAP_MS) break;
    last = Math.min(last, t);
    if (view.productType === null || view.productType.trim() === "") continue;
    const key = interestKey(view.productType);
    interest.set(key, (interest.get(key) ?? 0) + 1);
  }
  return interest;
}

/** The visit's product types, most viewed first (ties by name): what recommendations lean toward. */
export function interestOrder(interest: ReadonlyMap<string, number>): string[] {
  return [...interest.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key);
}

/**
 * Products re-ranked toward the visit's interest: those of an interesting type first (the most
 * viewed type first), each group in the model's order; the others after, in the model's order.
 */
export function biasTowardInterest<P extends { productType: string | null }>(
  products: readonly P[],
  interest: ReadonlyMap<string, number>,
): P[] {
  if (interest.size === 0) return [...products];
  const rank = new Map(interestOrder(interest).map((key, i) => [key, i]));
  const rankOf = (p: P) => (p.productType === null ? Infinity : (rank.get(interestKey(p.productType)) ?? Infinity));
  return products
    .map((p, i) => ({ p, i, r: rankOf(p) }))
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r < b.r ? -1 : 1))
    .map(({ p }) => p);
}

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
  if (campaign.interestProductType !== null) {
    const views = visitor.interest.get(interestKey(campaign.interestProductType)) ?? 0;
    if (views < Math.max(1, campaign.interestViews)) return false;
  }
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

/**
 * The Web Pixel's clientId as the blocks pass it (`cid`, from the pixel's first-party cookie):
 * 8–100 of [A-Za-z0-9._:-] (Shopify's visitor ids are UUID-like), or null.
 */
export function parseClientId(value: string | null): string | null {
  const v = (value ?? "").trim();
  return /^[A-Za-z0-9._:-]{8,100}$/.test(v) ? v : null;
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
