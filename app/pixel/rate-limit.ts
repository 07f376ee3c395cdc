// Per-client token buckets for the pixel ingest: each batch costs one token per event plus one, a
// bucket holds `capacity` and refills `perSecond`. Pure, the clock passed in; held in memory only (the
// key names a visitor of a shop, never an address, and is never stored).

export type RateLimiter = {
  /** Takes `cost` tokens from `key`'s bucket; false (and nothing taken) when it has fewer. */
  take(key: string, cost: number, nowMs: number): boolean;
  /** Seconds until `cost` tokens would be there (Retry-After). */
  retryAfter(key: string, cost: number, nowMs: number): number;
  size(): number;
};

export function rateLimiter({
  capacity,
  perSecond,
  maxKeys = 100_000,
}: {
  capacity: number;
  perSecond: number;
  maxKeys?: number;
}): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const level = (key: string, nowMs: number) => {
    const bucket = buckets.get(key);
    if (!bucket) return capacity;
    return Math.min(capacity, bucket.tokens + ((nowMs - bucket.at) / 1000) * perSecond);
  };
  return {
    take(key, cost, nowMs) {
      const tokens = level(key, nowMs);
      if (tokens < cost) return false;
      // A full map drops its oldest buckets first (Map keeps insertion order; a taken key is re-added):
      // a dropped bucket is a full one again, which is the worst a flood of new keys can buy.
      buckets.delete(key);
      if (buckets.size >= maxKeys) {
        for (const old of buckets.keys()) {
          buckets.delete(old);
          if (buckets.size < maxKeys * 0.9) break;
        }
      }
      buckets.set(key, { tokens: tokens - cost, at: nowMs });
      return true;
    },
    retryAfter(key, cost, nowMs) {
      const missing = cost - level(key, nowMs);
      return missing <= 0 ? 0 : Math.ceil(missing / perSecond);
    },
    size: () => buckets.size,
  };
}
