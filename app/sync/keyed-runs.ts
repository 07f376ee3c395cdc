// Background work keyed by what it is about (a shop's backfill, its product-tag recompute): at most one
// run per key at a time. Pure scheduling, no I/O: the background worker (worker.server.ts) uses it.

export type KeyedRuns = {
  /** Runs `work` unless a run for `key` is under way, in which case the kick is a no-op (it joins it). */
  once(key: string, work: () => Promise<void>): Promise<void>;
  /**
   * Like `once`, but a kick while the work runs is remembered: the work runs once more after, so a
   * change made during a run is never missed, and a burst of kicks costs at most two runs.
   */
  coalesced(key: string, work: () => Promise<void>): void;
};

/** `onError`: a run that throws is reported here and counts as finished. */
export function keyedRuns(onError: (error: unknown) => void): KeyedRuns {
  const busy = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const once = (key: string, work: () => Promise<void>): Promise<void> => {
    const running = busy.get(key);
    if (running) return running;
    const promise = work()
      .catch(onError)
      .finally(() => busy.delete(key));
    busy.set(key, promise);
    return promise;
  };
  const coalesced = (key: string, work: () => Promise<void>): void => {
    if (busy.has(key)) {
      again.add(key);
      return;
    }
    void once(key, work).then(() => {
      if (again.delete(key)) coalesced(key, work);
    });
  };
  return { once, coalesced };
}
