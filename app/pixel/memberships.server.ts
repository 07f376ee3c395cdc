// Memberships follow browsing: after a batch is stored, the customers it belongs to are re-evaluated
// against every active segment, as the webhook processor does for an order (updateMemberships). Runs
// after the answer, coalesced per shop (a burst of batches costs at most two runs at a time), so it
// adds nothing to the ingest's latency and lands well within a second.
import type { Executor } from "~/db/database.server";
import { updateMemberships } from "~/models/segments/memberships.server";
import { shopContext } from "~/models/segments/rules.server";
import { keyedRuns } from "~/sync/keyed-runs";

const runs = keyedRuns((error) => console.error("[pixel] memberships not updated:", error));
const pending = new Map<string, Set<string>>();
const idle = new Map<string, (() => void)[]>();
const running = new Set<string>();

async function drain(db: Executor, shop: string, now: () => Date): Promise<void> {
  running.add(shop);
  try {
    await drainPending(db, shop, now);
  } finally {
    running.delete(shop);
    if (!pending.has(shop)) {
      for (const resolve of idle.get(shop) ?? []) resolve();
      idle.delete(shop);
    }
  }
}

async function drainPending(db: Executor, shop: string, now: () => Date): Promise<void> {
  for (;;) {
    const ids = pending.get(shop);
    if (!ids || ids.size === 0) break;
    pending.delete(shop);
    const at = now();
    await db.transaction(async (tx) => {
      const ctx = await shopContext(tx, { shop, now: at });
      await updateMemberships(tx, { shop, customerIds: [...ids], ctx });
    });
  }
}

/** The ingest's `onStored`: these customers' memberships are re-evaluated shortly. */
export function behaviourChanged(
  db: Executor,
  shop: string,
  customerIds: readonly string[],
  now: () => Date = () => new Date(),
): void {
  const ids = pending.get(shop) ?? new Set<string>();
  for (const id of customerIds) ids.add(id);
  pending.set(shop, ids);
  runs.coalesced(shop, () => drain(db, shop, now));
}

/** Resolves once no update for the shop is waiting (tests, the bench). */
export function membershipsSettled(shop: string): Promise<void> {
  if (!pending.has(shop) && !running.has(shop)) return Promise.resolve();
  return new Promise((resolve) => idle.set(shop, [...(idle.get(shop) ?? []), resolve]));
}
