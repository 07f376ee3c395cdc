// Drains the webhook inbox: lease a batch, apply every event and mark it done in one transaction,
// then recompute the facts of the customers the batch touched. A crash anywhere rolls the batch back
// and its leases expire, so each event's effects are applied exactly once.
import type { Executor } from "~/db/database.server";
import { mentionsErasedCustomer, scrubStorage } from "~/models/erasure.server";
import { scoreRfm } from "~/models/rfm.server";
import { shopContext } from "~/models/segments/rules.server";
import { updateMemberships } from "~/models/segments/memberships.server";
import { lockShop, recomputeFacts } from "~/models/store.server";
import { updateCustomerRecommendations } from "~/models/recommendations-refresh.server";
import { applyOrderWebhooks, applyWebhook, ORDER_UPSERT_TOPICS } from "./apply.server";
import { claim, markDoneMany, markFailed, noteError, type InboxEvent, type MappedPayloads } from "./inbox.server";
import { mapOrderWebhook, type OrderMapping } from "./mappers/rest";
import type { MapResult } from "./mappers/shared";

export type ProcessorOptions = {
  batchSize?: number;
  /** How long a claimed event is ours; after that another processor may take it. */
  leaseMs?: number;
  /** After this many attempts that failed on something other than the payload, give up and mark failed. */
  maxAttempts?: number;
  now?: () => Date;
  /** A bulk operation finished (after commit). */
  onBulkOperationFinished?: (shop: string, operationId: string) => void;
  /**
   * Product tags changed in the shop (after commit). Who bought a product is known, but a popular one
   * may have been bought by most of the shop: the segments that read product tags are recomputed in the
   * background, chunk by chunk, rather than inside the event's transaction.
   */
  onProductTagsChanged?: (shop: string) => void;
  /** A shop's app/uninstalled was applied (after commit): it is no longer installed. */
  onShopUninstalled?: (shop: string) => void;
  /** A shop's shop/redact was applied (after commit): nothing of it is held, its row included. */
  onShopErased?: (shop: string) => void;
  onError?: (error: unknown) => void;
  /** Wait this long after a wake before draining (the server uses it; default 0). */
  coalesceMs?: number;
  /**
   * Order payloads already mapped by the server's HTTP thread (MappedPayloads): applied without
   * parsing and mapping them again.
   */
  mapped?: MappedPayloads;
  /** After each batch commits: how many events it held. */
  onBatch?: (events: number) => void;
  /**
   * Personal data was erased by a batch (a redact, or a delivery about someone erased), after the
   * commit and the storage scrub: the server's HTTP thread moves its webhook journal to a new file.
   */
  onErased?: () => void;
};

export class InboxProcessor {
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => Date;
  private draining: Promise<number> | null = null;
  private wokenWhileDraining = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Executor,
    private readonly options: ProcessorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Asks for a drain soon; cheap to call on every delivery. Wakes within `coalesceMs` coalesce, so a
   * burst of deliveries becomes a few large transactions rather than one per delivery.
   */
  wake(): void {
    if (this.draining) {
      this.wokenWhileDraining = true;
      return;
    }
    const delay = this.options.coalesceMs ?? 0;
    this.draining = (delay > 0 ? new Promise((r) => setTimeout(r, delay)) : Promise.resolve())
      .then(() => this.drain())
      .catch((error: unknown) => {
        this.options.onError?.(error);
        return 0;
      })
      .finally(() => {
        this.draining = null;
        if (this.wokenWhileDraining) {
          this.wokenWhileDraining = false;
          this.wake();
        }
      });
  }

  /** Polls as well, for events whose lease expired (a processor died) or that arrived elsewhere. */
  start(pollMs = 2_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.wake(), pollMs);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.draining;
  }

  /** Resolves once nothing is in flight and nothing claimable is left (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.draining) await this.draining;
    await this.drain();
  }

  /** Processes until the inbox has nothing claimable; returns how many events it handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.processBatch();
      if (handled === 0) return total;
      total += handled;
      // On SQLite a batch runs without giving the event loop a turn; between batches it gets two, so
      // that deliveries waiting to be stored in this thread (server.mjs) wait for one batch at most.
      // The HTTP thread's deliveries arrive as messages, read in the first turn's poll phase, and the
      // inbox writer commits them in a setImmediate of its own (InboxWriter.flush), queued behind
      // this loop's: with one turn the next batch ran first, and an acknowledgement held back for its
      // commit waited for two batches (the p99 of the ingest benchmark under back-pressure).
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async processBatch(): Promise<number> {
    const events = await claim(this.db, { limit: this.batchSize, leaseMs: this.leaseMs, now: this.now() });
    if (events.length === 0) return 0;
    try {
      await this.applyAll(events);
    } catch {
      // Something other than a payload failed (the database, a bug). Apply one by one so that one bad
      // event cannot hold the others back.
      for (const event of events) {
        try {
          await this.applyAll([event]);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (event.attempts >= this.maxAttempts) {
            await this.db.transaction((tx) =>
              markFailed(tx, event.seq, `after ${event.attempts} attempts: ${message}`, this.now()),
            );
          } else {
            await noteError(this.db, event.seq, message);
          }
          this.options.onError?.(error);
        }
      }
    }
    this.options.onBatch?.(events.length);
    return events.length;
  }

  private async applyAll(events: InboxEvent[]): Promise<void> {
    const now = this.now();
    const finished: [string, string][] = [];
    const retagged = new Set<string>();
    const uninstalled = new Set<string>();
    /** Tables an erasure in this batch changed (empty but present: a refused late delivery). */
    let erased: Set<string> | null = null;
    const noteErased = () => (erased ??= new Set());
    /** Shops erased in this batch (shop/redact). */
    const erasedShops = new Set<string>();
    await this.db.transaction(async (tx) => {
      // In a fixed order, so that two processors cannot deadlock on each other's shops.
      for (const shop of [...new Set(events.map((e) => e.shop))].sort()) await lockShop(tx, shop);
      const touched = new Map<string, Set<string>>();
      /** Customers erased in this batch: whatever else touched them, nothing is recomputed for them. */
      const forgotten = new Map<string, Set<string>>();
      const held = await markDoneMany(
        tx,
        events.map((e) => e.seq),
        now,
      );
      const byShop = new Map<string, InboxEvent[]>();
      for (const event of events) {
        // Another processor finished it after our lease ran out: apply nothing.
        if (!held.has(event.seq)) continue;
        const list = byShop.get(event.shop);
        if (list) list.push(event);
        else byShop.set(event.shop, [event]);
      }
      // Shops are independent; within one, events apply in the order received, and a run of whole-order
      // events goes through one set of multi-row statements.
      for (const [shop, list] of byShop) {
        for (let i = 0; i < list.length && !erasedShops.has(shop);) {
          let j = i + 1;
          const orders = ORDER_UPSERT_TOPICS.has(list[i]!.topic);
          if (orders) while (j < list.length && ORDER_UPSERT_TOPICS.has(list[j]!.topic)) j++;
          const run: { event: InboxEvent; payload?: unknown; mapped?: MapResult<OrderMapping> }[] = [];
          for (const event of list.slice(i, j)) {
            const mapped = orders ? this.options.mapped?.take(event.shop, event.eventId) : undefined;
            if (mapped) {
              run.push({ event, mapped });
              continue;
            }
            let payload: unknown;
            try {
              payload = JSON.parse(event.payload);
            } catch {
              await this.fail(tx, event, "payload: not JSON", now, noteErased);
              continue;
            }
            run.push(orders ? { event, mapped: mapOrderWebhook(payload) } : { event, payload });
          }
          i = j;
          if (run.length === 0) continue;
          const first = run[0]!.event;
          const results = orders
            ? await applyOrderWebhooks(tx, { shop, mapped: run.map((r) => r.mapped!), now })
            : [
                await applyWebhook(tx, {
                  shop,
                  topic: first.topic,
                  payload: run[0]!.payload,
                  now,
                  triggeredAt: first.triggeredAt,
                  seq: first.seq,
                }),
              ];
          for (const [k, result] of results.entries()) {
            const { event } = run[k]!;
            if (!result.ok) {
              if (result.discard) await markFailed(tx, event.seq, result.error, now);
              else await this.fail(tx, event, result.error, now, noteErased);
              continue;
            }
            if (result.erased) {
              erased ??= new Set();
              for (const table of result.erased) erased.add(table);
            }
            if (result.shopErased) {
              // shop/redact took the shop's inbox rows with it, the events after it in this batch
              // included: those are not applied (they would write the erased shop's rows again).
              erasedShops.add(shop);
              touched.delete(shop);
              retagged.delete(shop);
              for (let f = finished.length - 1; f >= 0; f--) if (finished[f]![0] === shop) finished.splice(f, 1);
              break;
            }
            if (result.forget) {
              const gone = forgotten.get(shop) ?? new Set<string>();
              for (const id of result.forget) gone.add(id);
              forgotten.set(shop, gone);
            }
            if (result.customersChanged.length > 0) {
              const set = touched.get(shop) ?? new Set<string>();
              for (const id of result.customersChanged) set.add(id);
              touched.set(shop, set);
            }
            if (result.bulkOperationFinished) finished.push([shop, result.bulkOperationFinished]);
            if (result.productTagsChanged) retagged.add(shop);
            if (event.topic === "app/uninstalled") uninstalled.add(shop);
          }
        }
      }
      for (const [shop, ids] of touched) {
        const gone = forgotten.get(shop);
        const customerIds = gone ? [...ids].filter((id) => !gone.has(id)) : [...ids];
        await recomputeFacts(tx, { shop, customerIds, now });
        await scoreRfm(tx, { shop, customerIds });
        // Every active segment, for these customers only: memberships stay current event by event.
        await updateMemberships(tx, { shop, customerIds, ctx: await shopContext(tx, { shop, now }) });
        // Their personal recommendations, re-scored from the stored model (the model itself: daily).
        await updateCustomerRecommendations(tx, { shop, customerIds, now });
      }
    });
    for (const [shop, id] of finished) this.options.onBulkOperationFinished?.(shop, id);
    for (const shop of retagged) this.options.onProductTagsChanged?.(shop);
    for (const shop of uninstalled) this.options.onShopUninstalled?.(shop);
    for (const shop of erasedShops) this.options.onShopErased?.(shop);
    if (erased) await this.scrub([...(erased as Set<string>)]);
  }

  /**
   * A payload that cannot be applied: failed, with its payload back (markDoneMany let it go) for the
   * merchant's retry — unless it names an erased customer; then it is not kept, and `erasedData` asks
   * for the storage scrub after the commit.
   */
  private async fail(tx: Executor, event: InboxEvent, error: string, now: Date, erasedData: () => void): Promise<void> {
    if (await mentionsErasedCustomer(tx, { shop: event.shop, payload: event.payload })) {
      erasedData();
      await markFailed(tx, event.seq, `${error} (payload not kept: it names an erased customer)`, now);
      return;
    }
    await markFailed(tx, event.seq, error, now, event.payload);
  }

  /** After an erasure committed: no copy of what went may stay in the database's files or samples. */
  private async scrub(tables: string[]): Promise<void> {
    try {
      if (!(await scrubStorage(this.db, { tables }))) {
        this.options.onError?.(
          new Error(
            "erasure: the WAL could not be checkpointed and truncated (readers held it); its frames go at its next restart",
          ),
        );
      }
    } catch (error) {
      // The erasure itself has committed; what is left is a copy in free space, cut at the next restart.
      this.options.onError?.(error);
    }
    this.options.onErased?.();
  }
}
