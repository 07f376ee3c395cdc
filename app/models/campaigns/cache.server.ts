// The per-shop cache the storefront's decisions read (docs/decisions/021-storefront-personalization.md):
// the shop's active campaigns and currency, and the non-personal product lists (anonymous visitors,
// a segment's top sellers, best sellers), so that a proxy request costs one indexed read of the
// customer's memberships (Customer.segmentIds, precomputed) plus the personal list when it has one.
//
// Invalidation: a campaign written in this process clears its shop's entry at once
// (`campaignsChanged`, called by store.server.ts); `membershipsChanged` clears the shop's product lists.
// Writes by other processes or threads (the CLI, the production server's background thread that applies
// membership changes) are seen by revalidation: an entry older than REVALIDATE_MS is read again before
// use (campaigns: one small query), product lists live at most PRODUCTS_TTL_MS.

export const REVALIDATE_MS = 2_000;
export const PRODUCTS_TTL_MS = 30_000;
const MAX_PRODUCT_LISTS = 500; // per shop

type Entry<T> = { value: T; at: number };

type ShopEntry<C> = {
  campaigns: Entry<{ campaigns: C[]; currencyCode: string }> | null;
  loading: Promise<{ campaigns: C[]; currencyCode: string }> | null;
  products: Map<string, Entry<unknown>>;
  generation: number;
};

const shops = new Map<string, ShopEntry<unknown>>();

function entry<C>(shop: string): ShopEntry<C> {
  let e = shops.get(shop) as ShopEntry<C> | undefined;
  if (!e) {
    e = { campaigns: null, loading: null, products: new Map(), generation: 0 };
    shops.set(shop, e as ShopEntry<unknown>);
  }
  return e;
}

export function campaignsChanged(shop: string): void {
  const e = shops.get(shop);
  if (!e) return;
  e.campaigns = null;
  e.products.clear();
  e.generation += 1;
}

export function membershipsChanged(shop: string): void {
  shops.get(shop)?.products.clear();
}

/** Forgets every shop (tests; shop/redact). */
export function clearDecisionCache(): void {
  shops.clear();
}

/** The shop's campaigns and currency, read through `load` when absent or older than REVALIDATE_MS. */
export async function cachedCampaigns<C>(
  shop: string,
  nowMs: number,
  load: () => Promise<{ campaigns: C[]; currencyCode: string }>,
): Promise<{ campaigns: C[]; currencyCode: string }> {
  const e = entry<C>(shop);
  if (e.campaigns && nowMs - e.campaigns.at < REVALIDATE_MS) return e.campaigns.value;
  // One load per shop at a time; concurrent requests share it.
  if (!e.loading) {
    const generation = e.generation;
    e.loading = load()
      .then((value) => {
        // A write during the load may have been read before it: keep the value only if none came.
        if (e.generation === generation) {
          const changed = e.campaigns !== null && JSON.stringify(e.campaigns.value) !== JSON.stringify(value);
          if (changed) e.products.clear();
          e.campaigns = { value, at: nowMs };
        }
        return value;
      })
      .finally(() => {
        e.loading = null;
      });
  }
  return e.loading;
}

/** A non-personal product list, from the cache or `load`. */
export async function cachedProducts<T>(shop: string, key: string, nowMs: number, load: () => Promise<T>): Promise<T> {
  const e = entry(shop);
  const hit = e.products.get(key);
  if (hit && nowMs - hit.at < PRODUCTS_TTL_MS) return hit.value as T;
  const generation = e.generation;
  const value = await load();
  if (e.generation === generation) {
    if (e.products.size >= MAX_PRODUCT_LISTS) e.products.delete(e.products.keys().next().value!);
    e.products.set(key, { value, at: nowMs });
  }
  return value;
}
