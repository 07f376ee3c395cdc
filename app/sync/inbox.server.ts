// The durable webhook inbox (WebhookEvent): store a verified delivery once per event id, hand out
// leases on pending events to processors, and record the outcome. The row is the event's history:
// pending -> done, or -> failed with its error, and back to pending on a merchant's retry. The raw
// payload (personal data, often) is kept only while it may still be needed: it is blanked in the
// transaction that applies the event, a failed event keeps it for KEEP_FAILED_MS (to be retried), and
// the rows themselves go after a while (pruneInbox). docs/PRIVACY.md.
import type { Executor } from "~/db/database.server";
import { date, decoder, int, nullable, raw, sql, sqlIn, text } from "~/db/sql";
import type { OrderMapping } from "./mappers/rest";
import type { MapResult } from "./mappers/shared";

export type IncomingWebhook = {
  shop: string;
  topic: string;
  eventId: string;
  webhookId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
  payload: string;
};

export type InboxEvent = {
  seq: number;
  shop: string;
  topic: string;
  eventId: string;
  payload: string;
  attempts: number;
  /** X-Shopify-Triggered-At: when Shopify raised the event (decides order where the payload cannot). */
  triggeredAt: Date | null;
};

/** Returns false when the event was already in the inbox (a redelivery): the caller still answers 200. */
export async function storeEvent(db: Executor, event: IncomingWebhook, now: Date): Promise<boolean> {
  const changed = await db.run(
    sql`INSERT INTO "WebhookEvent" ("shop", "eventId", "webhookId", "topic", "apiVersion", "payload", "triggeredAt",
       "receivedAt", "status", "attempts")
     VALUES (${event.shop}, ${event.eventId}, ${event.webhookId}, ${event.topic},
       ${event.apiVersion}, ${event.payload}, ${event.triggeredAt}, ${now}, 'pending', 0)
     ON CONFLICT ("shop", "eventId") DO NOTHING`,
  );
  return changed > 0;
}

/**
 * Order payloads mapped by the production server's HTTP thread, kept until the processor applies their
 * event. That thread parses every body anyway (to refuse one that is not JSON) and is mostly idle; the
 * thread that owns the writes is the one that limits ingest. So once a delivery is handed over, the
 * HTTP thread maps it (zod and all) and sends the rows after it (background-thread.server.ts). Only a
 * shortcut: an event without an entry (stored by another process or before a restart, claimed before
 * its rows came, or past the bound) is mapped from its stored payload, by the same pure mapper.
 */
export class MappedPayloads {
  private readonly entries = new Map<string, MapResult<OrderMapping>>();

  /**
   * `limit` bounds memory (an entry is about a kilobyte): the oldest go first. An entry the processor
   * never takes (a redelivery's, or one that came after its event was applied) waits for that.
   */
  constructor(private readonly limit = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  put(shop: string, eventId: string, mapped: MapResult<OrderMapping>): void {
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(`${shop}\n${eventId}`, mapped);
  }

  /** The event's mapped payload, once: the processor applies an event once. */
  take(shop: string, eventId: string): MapResult<OrderMapping> | undefined {
    const key = `${shop}\n${eventId}`;
    const mapped = this.entries.get(key);
    if (mapped) this.entries.delete(key);
    return mapped;
  }
}

type Waiting = {
  event: IncomingWebhook;
  now: Date;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
};

/**
 * Group commit for the receiving path. Every delivery that arrives while a commit is being prepared
 * joins the next one: the inserts of many requests share one transaction, and each request is
 * acknowledged only after the commit that holds its row (durability is that of `storeEvent`). A single
 * commit costs more than the insert it carries, so under load this is most of the receiving cost
 * (docs/decisions/008-ingest-single-writer-thread.md).
 */
export class InboxWriter {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly db: Executor) {}

  /** Resolves once the event is committed: true if stored, false if it was already in the inbox. */
  store(event: IncomingWebhook, now: Date): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ event, now, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current turn of the event loop: every request whose body arrived in it joins.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    let results: boolean[];
    try {
      results = await this.db.transaction(async (tx) => {
        const stored: boolean[] = [];
        for (const { event, now } of batch) stored.push(await storeEvent(tx, event, now));
        return stored;
      });
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // Nothing of the batch was committed: each on its own, so one bad row cannot fail the others.
      for (const w of batch) storeEvent(this.db, w.event, w.now).then(w.resolve, w.reject);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  }
}

/**
 * Leases up to `limit` pending events, oldest first, for `leaseMs`. A processor that dies leaves its
 * lease to expire, and the events go to the next claim. On PostgreSQL concurrent claimers skip each
 * other's rows (FOR UPDATE SKIP LOCKED); SQLite serialises writers, so a claim is already exclusive.
 */
export async function claim(
  db: Executor,
  { limit, leaseMs, now }: { limit: number; leaseMs: number; now: Date },
): Promise<InboxEvent[]> {
  const until = new Date(now.getTime() + leaseMs);
  return db.transaction(async (tx) => {
    const pick = sql`SELECT "seq" FROM "WebhookEvent"
      WHERE "status" = 'pending' AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
      ORDER BY "seq" LIMIT ${limit}${raw(tx.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "")}`;
    const rows = await tx.all(
      sql`UPDATE "WebhookEvent" SET "lockedUntil" = ${until}, "attempts" = "attempts" + 1
       WHERE "seq" IN (${pick})
       RETURNING "seq", "shop", "topic", "eventId", "payload", "attempts", "triggeredAt"`,
      decoder({
        seq: int,
        shop: text,
        topic: text,
        eventId: text,
        payload: text,
        attempts: int,
        triggeredAt: date,
      }),
    );
    return rows.sort((a, b) => a.seq - b.seq);
  });
}

/**
 * Marks leased events done, inside the transaction that applies their effects, and lets go of their
 * payloads (the processor holds them in memory; one that fails gets its own back from markFailed).
 * Returns the seqs this transaction now holds: one no longer pending (another processor finished it
 * after our lease ran out) must not be applied. The UPDATE holds the rows' locks until commit, so two
 * processors cannot both win.
 */
export async function markDoneMany(tx: Executor, seqs: readonly number[], now: Date): Promise<Set<number>> {
  if (seqs.length === 0) return new Set();
  const rows = await tx.all(
    sql`UPDATE "WebhookEvent" SET "status" = 'done', "processedAt" = ${now}, "lockedUntil" = NULL, "error" = NULL, "payload" = ''
     WHERE ${sqlIn(`"seq"`, seqs)} AND "status" = 'pending'
     RETURNING "seq"`,
    decoder({ seq: int }),
  );
  return new Set(rows.map((row) => row.seq));
}

/**
 * An event that cannot be applied: kept with its error for the merchant to see and retry, for
 * KEEP_FAILED_MS. `payload` is written back when given (markDoneMany blanked it in this transaction);
 * without it the row keeps whatever it holds — nothing, after markDoneMany, for a delivery that no
 * retry can fix and whose payload is personal data (a compliance delivery naming another shop).
 */
export async function markFailed(tx: Executor, seq: number, error: string, now: Date, payload?: string): Promise<void> {
  await tx.run(
    sql`UPDATE "WebhookEvent" SET "status" = 'failed', "processedAt" = ${now}, "lockedUntil" = NULL,
       "error" = ${error.slice(0, 2000)}${payload === undefined ? raw("") : sql`, "payload" = ${payload}`}
     WHERE "seq" = ${seq}`,
  );
}

/** A transient failure (the database, say): the event stays pending and is retried after its lease. */
export async function noteError(db: Executor, seq: number, error: string): Promise<void> {
  await db.run(sql`UPDATE "WebhookEvent" SET "error" = ${error.slice(0, 2000)} WHERE "seq" = ${seq}`);
}

/** The merchant's retry: failed events of a shop go back to pending. */
export async function retryFailed(db: Executor, { shop, seqs }: { shop: string; seqs?: number[] }): Promise<number> {
  return db.run(
    sql`UPDATE "WebhookEvent" SET "status" = 'pending', "attempts" = 0, "lockedUntil" = NULL
     WHERE "shop" = ${shop} AND "status" = 'failed'${seqs ? sql` AND ${sqlIn(`"seq"`, seqs)}` : raw("")}`,
  );
}

export type TopicActivity = {
  topic: string;
  lastReceivedAt: Date | null;
  received: number;
  failed: number;
  pending: number;
};

export async function topicActivity(db: Executor, { shop }: { shop: string }): Promise<TopicActivity[]> {
  return db.all(
    sql`SELECT "topic", MAX("receivedAt") AS "lastReceivedAt", COUNT(*) AS "received",
       SUM(CASE WHEN "status" = 'failed' THEN 1 ELSE 0 END) AS "failed",
       SUM(CASE WHEN "status" = 'pending' THEN 1 ELSE 0 END) AS "pending"
     FROM "WebhookEvent" WHERE "shop" = ${shop} GROUP BY "topic" ORDER BY "topic"`,
    decoder({ topic: text, lastReceivedAt: date, received: int, failed: int, pending: int }),
  );
}

export type FailedEvent = {
  seq: number;
  topic: string;
  eventId: string;
  error: string | null;
  receivedAt: Date | null;
  attempts: number;
};

export async function failedEvents(
  db: Executor,
  { shop, limit = 50 }: { shop: string; limit?: number },
): Promise<FailedEvent[]> {
  return db.all(
    sql`SELECT "seq", "topic", "eventId", "error", "receivedAt", "attempts" FROM "WebhookEvent"
     WHERE "shop" = ${shop} AND "status" = 'failed' ORDER BY "seq" DESC LIMIT ${limit}`,
    decoder({ seq: int, topic: text, eventId: text, error: nullable(text), receivedAt: date, attempts: int }),
  );
}

/** Applied events (without their payloads) are kept this long: the Sync page's "last received", and
 * duplicate detection for Shopify's retries, which stop after 4 hours. */
export const KEEP_DONE_MS = 7 * 24 * 60 * 60_000;
/** Failed events keep their payloads this long, for the merchant to retry; then they go. */
export const KEEP_FAILED_MS = 14 * 24 * 60 * 60_000;

/** Deletes applied events older than KEEP_DONE_MS and failed ones older than KEEP_FAILED_MS. */
export async function pruneInbox(db: Executor, { now }: { now: Date }): Promise<number> {
  return db.run(
    sql`DELETE FROM "WebhookEvent"
     WHERE ("status" = 'done' AND "processedAt" < ${new Date(now.getTime() - KEEP_DONE_MS)})
        OR ("status" = 'failed' AND "processedAt" < ${new Date(now.getTime() - KEEP_FAILED_MS)})`,
  );
}
