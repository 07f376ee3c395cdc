// Runs an export job to its end, batch by batch, each batch checkpointed (jobs.server.ts):
// - full: the segment's members in keyset order after the cursor; then the records of people no
//   longer members taken off the list; then the segment's sync cursor set to the job's `untilEvent`;
// - sync: the segment's membership events (SegmentEvent) after the cursor up to `untilEvent`, the last
//   event per customer deciding: entered -> added (unless already on the list), left -> taken off
//   (if they were on it); then, for an email tool, the shop's consent changes (ConsentEvent) after the
//   segment's consent cursor up to `untilConsent`, of customers who are members now: one who is now
//   SUBSCRIBED and not on the list is added, one on the list who no longer is is taken off (and, where
//   the service has it, unsubscribed). Deltas, never the whole list.
// An email tool receives only members with SUBSCRIBED email marketing consent and an e-mail; the
// others are counted as skipped (and taken off the list if a past run put them there).
// A batch is sent, then its records and the cursor commit: a runner killed in between resends that
// one batch (the destinations' upserts make that harmless); one killed between batches resends nothing.
import type { Executor } from "~/db/database.server";
import { decoder, int, sql, text, bool } from "~/db/sql";
import type { ExportMember } from "./csv";
import { exportContext } from "./csv-stream.server";
import type { Adapter } from "./destinations.server";
import { DestinationError } from "./http.server";
import {
  checkpoint,
  finishJob,
  LeaseLost,
  recordsFor,
  saveSegmentSync,
  segmentSync,
  type ExportJob,
  type JobError,
  type RecordChange,
} from "./jobs.server";
import { consentChangesPage } from "./consent.server";
import { customersById, memberPage, segmentRef } from "./members.server";

export type RunOptions = {
  now: () => Date;
  leaseMs: number;
  /** After each checkpoint (progress, tests that stop a run halfway). */
  onBatch?: (job: ExportJob) => void | Promise<void>;
  /** A failed attempt is retried (the lease left to expire) until this many attempts. */
  maxAttempts?: number;
};

export const consented = (m: ExportMember) =>
  m.email !== null && m.email.trim() !== "" && m.emailMarketingState === "SUBSCRIBED";

/** Runs the job (leased by the caller); returns it as it ended. */
export async function runJob(
  db: Executor,
  leased: ExportJob,
  adapter: Adapter,
  options: RunOptions,
): Promise<ExportJob> {
  let job = leased;
  try {
    const segment = await segmentRef(db, { shop: job.shop, id: job.segmentId });
    if (!segment) {
      await finishJob(db, job, {
        status: "failed",
        now: options.now(),
        error: { customerId: null, code: "segment", message: "the segment was deleted" },
      });
      return { ...job, status: "failed" };
    }
    const sync = await segmentSync(db, job);
    const remote = await adapter.prepare(segment, sync?.remoteId ?? null, job.mode);
    if (remote !== sync?.remoteId) {
      // Moved (another Mailchimp audience): what was recorded there says nothing of the new place.
      if (sync?.remoteId) await forgetRecords(db, job);
      await saveSegmentSync(db, { ...job, remoteId: remote, now: options.now() });
    }
    const ctx = await exportContext(db, { shop: job.shop, now: options.now() });
    const step = async (cursor: string, changes: Changes) => {
      job = await checkpoint(db, job, { cursor, ...changes, now: options.now(), leaseMs: options.leaseMs });
      await options.onBatch?.(job);
    };

    if (job.mode === "full") {
      // The cursor is "m:<customer id>" while members are sent, then "x:<customer id>" while former members go.
      if (!job.cursor.startsWith("x:")) {
        let after = job.cursor.startsWith("m:") ? job.cursor.slice(2) : "";
        for (;;) {
          const page = await memberPage(db, {
            shop: job.shop,
            segmentId: job.segmentId,
            after,
            limit: adapter.batchSize,
          });
          if (page.length === 0) break;
          const changes = await sendMembers(db, job, adapter, remote, page, ctx);
          after = page[page.length - 1]!.id;
          await step(`m:${after}`, changes);
          if (page.length < adapter.batchSize) break;
        }
        await step("x:", none());
      }
      let after = job.cursor.slice(2);
      for (;;) {
        const gone = await formerMembers(db, job, after, adapter.batchSize);
        if (gone.length === 0) break;
        const changes = await removeRecords(adapter, remote, gone);
        after = gone[gone.length - 1]!.customerId;
        await step(`x:${after}`, changes);
      }
    } else {
      // The cursor is the last SegmentEvent id pushed, then "c:<ConsentEvent id>" while consent changes go.
      let after = job.cursor.startsWith("c:") ? job.untilEvent : Number(job.cursor || 0);
      for (;;) {
        const events = await db.all(
          sql`SELECT "id", "customerId", "entered" FROM "SegmentEvent"
           WHERE "shop" = ${job.shop} AND "segmentId" = ${job.segmentId} AND "id" > ${after} AND "id" <= ${job.untilEvent}
           ORDER BY "id" LIMIT ${adapter.batchSize}`,
          decoder({ id: int, customerId: text, entered: bool }),
        );
        if (events.length === 0) break;
        const last = new Map<string, boolean>();
        for (const e of events) last.set(e.customerId, e.entered);
        const changes = await applyDeltas(db, job, adapter, remote, last, ctx);
        after = events[events.length - 1]!.id;
        await step(String(after), changes);
      }
      if (adapter.emailTool) {
        if (!job.cursor.startsWith("c:")) await step(`c:${sync?.consentCursor ?? 0}`, none());
        let consentAfter = Number(job.cursor.slice(2));
        while (consentAfter < job.untilConsent) {
          const page = await consentChangesPage(db, {
            shop: job.shop,
            segmentId: job.segmentId,
            after: consentAfter,
            until: job.untilConsent,
            limit: adapter.batchSize,
          });
          const changes = await applyConsentChanges(db, job, adapter, remote, page.customerIds, ctx);
          consentAfter = page.last;
          await step(`c:${consentAfter}`, changes);
        }
      }
    }
    const current = await segmentSync(db, job);
    const consentCursor =
      adapter.emailTool && (current?.consentCursor ?? 0) < job.untilConsent ? job.untilConsent : undefined;
    if (!current || current.eventCursor < job.untilEvent || consentCursor !== undefined)
      await saveSegmentSync(db, {
        ...job,
        eventCursor: Math.max(current?.eventCursor ?? 0, job.untilEvent),
        consentCursor,
        now: options.now(),
      });
    await finishJob(db, job, { status: "done", now: options.now() });
    return { ...job, status: "done" };
  } catch (error) {
    if (error instanceof LeaseLost) return job;
    const retryable = error instanceof DestinationError ? error.details.retryable !== false : false;
    const failure: JobError = {
      customerId: null,
      code: error instanceof DestinationError ? (error.details.code ?? "error") : "error",
      message: error instanceof Error ? error.message : String(error),
    };
    if (retryable && job.attempts < (options.maxAttempts ?? 5)) {
      // The lease runs out and the next claim resumes from the cursor; the error is kept meanwhile.
      await checkpoint(db, job, {
        cursor: job.cursor,
        ...none(),
        errors: [failure],
        now: options.now(),
        leaseMs: 60_000,
      }).catch(() => undefined);
      return job;
    }
    await finishJob(db, job, { status: "failed", now: options.now(), error: failure });
    return { ...job, status: "failed" };
  }
}

type Changes = { records: RecordChange[]; sent: number; skipped: number; failed: number; errors: JobError[] };

const none = (): Changes => ({ records: [], sent: 0, skipped: 0, failed: 0, errors: [] });

/** A page of members: the consenting ones added; the others skipped, and taken off if they were on. */
async function sendMembers(
  db: Executor,
  job: ExportJob,
  adapter: Adapter,
  remote: string,
  page: readonly ExportMember[],
  ctx: Awaited<ReturnType<typeof exportContext>>,
): Promise<Changes> {
  const eligible = adapter.emailTool ? page.filter(consented) : [...page];
  const skippedIds = adapter.emailTool ? page.filter((m) => !consented(m)).map((m) => m.id) : [];
  const changes = none();
  changes.skipped = skippedIds.length;
  if (eligible.length > 0) {
    const { added, failed } = await adapter.add(remote, eligible, ctx);
    changes.sent += added.length;
    changes.failed += failed.length;
    changes.errors.push(...failed);
    for (const a of added) changes.records.push({ customerId: a.customerId, inList: true, remoteId: a.remoteId });
  }
  if (skippedIds.length > 0) {
    const held = await recordsFor(db, { ...job, customerIds: skippedIds });
    const onList = [...held]
      .filter(([, r]) => r.inList)
      .map(([customerId, r]) => ({ customerId, remoteId: r.remoteId }));
    if (onList.length > 0) {
      // Consent withdrawn since we sent them: unsubscribed there too where the service has it.
      if (adapter.withdraw) {
        const ids = new Set(onList.map((r) => r.customerId));
        const failed = await adapter.withdraw(
          remote,
          page.filter((m) => ids.has(m.id)),
        );
        changes.failed += failed.length;
        changes.errors.push(...failed);
      }
      merge(changes, await removeRecords(adapter, remote, onList), false);
    }
  }
  return changes;
}

async function applyDeltas(
  db: Executor,
  job: ExportJob,
  adapter: Adapter,
  remote: string,
  last: Map<string, boolean>,
  ctx: Awaited<ReturnType<typeof exportContext>>,
): Promise<Changes> {
  const held = await recordsFor(db, { ...job, customerIds: [...last.keys()] });
  const entering = [...last].filter(([id, entered]) => entered && !held.get(id)?.inList).map(([id]) => id);
  const leaving = [...last]
    .filter(([id, entered]) => !entered && held.get(id)?.inList)
    .map(([customerId]) => ({ customerId, remoteId: held.get(customerId)!.remoteId }));
  const changes = none();
  if (entering.length > 0) {
    // Customers gone since (deleted, erased) are not sent.
    const people = await customersById(db, { shop: job.shop, ids: entering });
    merge(changes, await sendMembers(db, job, adapter, remote, people, ctx), true);
  }
  if (leaving.length > 0) merge(changes, await removeRecords(adapter, remote, leaving), true);
  return changes;
}

/**
 * Consent changed for these members (and not their membership): now SUBSCRIBED and not on the list ->
 * added; on the list and no longer SUBSCRIBED -> taken off. The others (already as they should be) are
 * not sent again.
 */
async function applyConsentChanges(
  db: Executor,
  job: ExportJob,
  adapter: Adapter,
  remote: string,
  customerIds: readonly string[],
  ctx: Awaited<ReturnType<typeof exportContext>>,
): Promise<Changes> {
  const changes = none();
  if (customerIds.length === 0) return changes;
  const held = await recordsFor(db, { ...job, customerIds });
  const people = await customersById(db, { shop: job.shop, ids: customerIds });
  const moved = people.filter((m) => consented(m) !== (held.get(m.id)?.inList ?? false));
  if (moved.length > 0) merge(changes, await sendMembers(db, job, adapter, remote, moved, ctx), false);
  return changes;
}

async function removeRecords(
  adapter: Adapter,
  remote: string,
  records: readonly { customerId: string; remoteId: string | null }[],
): Promise<Changes> {
  const { removed, failed } = await adapter.remove(remote, records);
  return {
    records: removed.map((customerId) => ({ customerId, inList: false, remoteId: null })),
    sent: removed.length,
    skipped: 0,
    failed: failed.length,
    errors: failed,
  };
}

function merge(into: Changes, from: Changes, countSkipped: boolean): void {
  into.records.push(...from.records);
  into.sent += from.sent;
  if (countSkipped) into.skipped += from.skipped;
  into.failed += from.failed;
  into.errors.push(...from.errors);
}

async function forgetRecords(db: Executor, job: ExportJob): Promise<void> {
  await db.run(
    sql`DELETE FROM "ExportRecord" WHERE "shop" = ${job.shop} AND "target" = ${job.target} AND "segmentId" = ${job.segmentId}`,
  );
}

/** Records on the list whose customer is no longer a member, in customer order after `after`. */
async function formerMembers(db: Executor, job: ExportJob, after: string, limit: number) {
  return db.all(
    sql`SELECT r."customerId", r."remoteId" FROM "ExportRecord" r
     WHERE r."shop" = ${job.shop} AND r."target" = ${job.target} AND r."segmentId" = ${job.segmentId} AND r."inList" = ${true}
       AND r."customerId" > ${after}
       AND NOT EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."shop" = r."shop" AND m."segmentId" = r."segmentId" AND m."customerId" = r."customerId")
     ORDER BY r."customerId" LIMIT ${limit}`,
    decoder({ customerId: text, remoteId: (v) => (v === null || v === undefined ? null : String(v)) }),
  );
}
