// Group commit for the pixel ingest: the batches that arrive while a write is under way are stitched
// and stored together, in one transaction, by the next one. A busy server then pays one commit (a WAL
// flush on PostgreSQL) and a few statements for many batches instead of for each; an idle one writes
// a batch at once. Each batch is answered when the transaction holding it has committed, with how
// many of its events were new. Should a group fail, its batches are written one by one, so that one
// bad batch cannot fail the others.
import type { Executor } from "~/db/database.server";
import { lockActivity, refreshActivity } from "./activity.server";
import type { PixelEventRow } from "./events";
import { stitch } from "./identity.server";
import { insertEvents } from "./store.server";

export type Written = { stored: number; customers: string[] };

type Pending = {
  shop: string;
  rows: PixelEventRow[];
  now: Date;
  resolve: (written: Written) => void;
  reject: (error: unknown) => void;
};

/** Batches per transaction at most (a burst is split into groups of this many). */
const GROUP = 256;

async function writeGroup(db: Executor, group: readonly Pending[]): Promise<Written[]> {
  return db.transaction(async (tx) => {
    const byShop = new Map<string, Pending[]>();
    for (const p of group) byShop.set(p.shop, [...(byShop.get(p.shop) ?? []), p]);
    // Before any change: see activity.server.ts (PostgreSQL; the refresh below needs it).
    await lockActivity(tx, [...byShop.keys()]);
    const results = new Map<Pending, Written>();
    for (const [shop, pendings] of byShop) {
      const now = pendings[pendings.length - 1]!.now;
      const stitched = await stitch(tx, { shop, rows: pendings.flatMap((p) => p.rows), now });
      const fresh = await insertEvents(tx, { rows: stitched.rows, receivedAt: now });
      // The customers the rows name include every one whose earlier events the stitching rewrote.
      await refreshActivity(tx, { shop, customerIds: stitched.customers });
      let at = 0;
      for (const p of pendings) {
        const mine = stitched.rows.slice(at, at + p.rows.length);
        at += p.rows.length;
        let stored = 0;
        for (const row of mine) {
          // An event named twice in the group is new for the first batch that holds it only.
          if (fresh.delete(`${row.shop} ${row.eventId}`)) stored += 1;
        }
        const customers = [...new Set(mine.map((r) => r.customerId).filter((id): id is string => id !== null))];
        results.set(p, { stored, customers });
      }
    }
    return group.map((p) => results.get(p)!);
  });
}

export class PixelWriter {
  private queue: Pending[] = [];
  private running = false;

  constructor(private readonly db: Executor) {}

  write(shop: string, rows: PixelEventRow[], now: Date): Promise<Written> {
    return new Promise((resolve, reject) => {
      this.queue.push({ shop, rows, now, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, GROUP);
        try {
          const written = await writeGroup(this.db, group);
          group.forEach((p, i) => p.resolve(written[i]!));
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          for (const p of group) {
            await writeGroup(this.db, [p]).then(
              ([written]) => p.resolve(written!),
              (alone: unknown) => p.reject(alone),
            );
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}

const writers = new WeakMap<Executor, PixelWriter>();

/** The one writer of a database handle (a process has one per database). */
export function pixelWriter(db: Executor): PixelWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = new PixelWriter(db);
    writers.set(db, writer);
  }
  return writer;
}
