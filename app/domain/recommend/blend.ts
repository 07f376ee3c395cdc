// The blend and the fallback chain: what the storefront is shown, from the precomputed lists
// (docs/decisions/020-recommendations.md). Pure: the lists, what the customer bought and which
// products are active come in; an ordered list of product ids goes out.
//
// Lists are fused by weighted reciprocal rank (Cormack, Clarke & Buettcher 2009, RRF with per-list
// weights): an item's score is the sum over the lists that hold it of weight / (RRF_K + rank). The
// context of the page (bought together with this product) and the customer's own list weigh most; the
// customer's segments' top sellers next; trending and popular last, and since they hold many items
// they are also the first fallbacks. Past them, any active product (the caller's `fallback`, in id
// order), so that a shop with any active product never shows an empty block. Only when the customer
// has bought every active product does the chain give back something they bought (most popular first):
// a block is never empty, and that is the only exclusion ever relaxed (never the ACTIVE one).

export type BlendLists = {
  /** The customer's personal list (empty for an anonymous visitor). */
  personal: readonly string[];
  /** Bought together with the product the page shows (empty without one). */
  boughtTogether: readonly string[];
  /** Top sellers of each of the customer's segments. */
  segments: readonly (readonly string[])[];
  trending: readonly string[];
  popular: readonly string[];
};

export type BlendInput = BlendLists & {
  /** What the customer bought: never recommended (but as the very last resort). */
  exclude: ReadonlySet<string>;
  /** Which products may be shown at all (ACTIVE). */
  isActive: (id: string) => boolean;
  /** Active products in a fixed order (by id), for shops whose lists are missing or too short. */
  fallback?: readonly string[];
  /** The product the page shows: never recommended on its own page. */
  productId?: string | null;
  limit: number;
};

export const BLEND_WEIGHTS = {
  boughtTogether: 1.2,
  personal: 1,
  segments: 0.6, // shared among the customer's segments
  trending: 0.25,
  popular: 0.2,
} as const;

/** RRF's damping of rank: 1/(K + rank); 10 keeps the first few places of each list decisive. */
export const RRF_K = 10;

export function blend(input: BlendInput): string[] {
  const limit = Math.max(0, Math.floor(input.limit));
  if (limit === 0) return [];
  const scores = new Map<string, number>();
  const add = (list: readonly string[], weight: number) => {
    for (let rank = 0; rank < list.length; rank++) {
      const id = list[rank]!;
      scores.set(id, (scores.get(id) ?? 0) + weight / (RRF_K + rank + 1));
    }
  };
  add(input.boughtTogether, BLEND_WEIGHTS.boughtTogether);
  add(input.personal, BLEND_WEIGHTS.personal);
  const segments = input.segments.filter((s) => s.length > 0);
  for (const list of segments) add(list, BLEND_WEIGHTS.segments / segments.length);
  add(input.trending, BLEND_WEIGHTS.trending);
  add(input.popular, BLEND_WEIGHTS.popular);

  const allowed = (id: string) => id !== input.productId && input.isActive(id);
  const ranked = [...scores]
    .filter(([id]) => allowed(id) && !input.exclude.has(id))
    .sort((a, b) => b[1] - a[1] || compareIds(a[0], b[0]))
    .map(([id]) => id);
  const out = ranked.slice(0, limit);
  if (out.length >= limit) return out;
  const taken = new Set(out);
  for (const id of input.fallback ?? []) {
    if (out.length >= limit) return out;
    if (!taken.has(id) && allowed(id) && !input.exclude.has(id)) {
      out.push(id);
      taken.add(id);
    }
  }
  if (out.length > 0) return out;
  // The customer has bought everything there is: better something they know than an empty block.
  for (const id of [...input.popular, ...(input.fallback ?? [])]) {
    if (out.length >= limit) break;
    if (!taken.has(id) && allowed(id)) {
      out.push(id);
      taken.add(id);
    }
  }
  return out;
}

/**
 * Shopify ids are numeric strings: ordered as numbers (shorter first), then as text, so that ties
 * break the same way in every list and every run.
 */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
