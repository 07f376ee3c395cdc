// How many of a shop's merchant-driven segment statements run at once, in this process: previews,
// counts and the computation of a segment being saved. Each is a statement over all the shop's
// customers; without a bound, one merchant's open tabs (or a script) could queue many of them against
// the shared database. A request past the bound is answered 429 with Retry-After, not queued.
import { SegmentBusyError } from "./errors";

/** Statements one shop may run at once, previews and saves together. */
export const MAX_COMPUTES_PER_SHOP = 2;
const running = new Map<string, number>();

/**
 * One of the shop's slots, or null when all are taken. The function returned gives it back (once,
 * however often it is called).
 */
export function acquireComputeSlot(shop: string): (() => void) | null {
  const now = running.get(shop) ?? 0;
  if (now >= MAX_COMPUTES_PER_SHOP) return null;
  running.set(shop, now + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (running.get(shop) ?? 1) - 1;
    if (left > 0) running.set(shop, left);
    else running.delete(shop);
  };
}

/** `fn` in one of the shop's slots; SegmentBusyError (saying `busy`) when none is free. */
export async function withComputeSlot<T>(shop: string, busy: string, fn: () => Promise<T>): Promise<T> {
  const release = acquireComputeSlot(shop);
  if (!release) throw new SegmentBusyError(busy);
  try {
    return await fn();
  } finally {
    release();
  }
}
