// Export jobs (ExportJob): made, leased, checkpointed, finished. The lease is the webhook inbox's
// pattern (app/sync/inbox.server.ts `claim`): a row is claimed by setting lockedUntil, on PostgreSQL
// with FOR UPDATE SKIP LOCKED so concurrent runners skip each other's rows; a runner that dies leaves
// its lease to expire and the next claim resumes the job from its cursor. Each batch's records and the
// cursor commit together (`checkpoint`), only while the lease is still ours (decision 022).
import type { Executor } from "~/db/database.server";
import { bool, date, decoder, int, join, nullable, raw, sql, sqlIn, text } from "~/db/sql";

import { lastConsentEvent } from "./consent.server";
import { isService, isTarget, SERVICES, TARGETS, type Target } from "./targets";

export { isTarget, TARGETS, type Target };

export type JobMode = "full" | "sync";

export type JobError = { customerId: string | null; code: string; message: string };

export type ExportJob = {
  id: number;
  shop: string;
  segmentId: number;
  target: Target;
  mode: JobMode;
  status: string;
  cursor: string;
  untilEvent: number;
  /** The shop's last ConsentEvent id when the job was made (email tools; 0 otherwise). */
  untilConsent: number;
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  errors: JobError[];
  attempts: number;
  lockedUntil: Date | null;
  createdAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
};

const COLUMNS =
  raw(`"id", "shop", "segmentId", "target", "mode", "status", "cursor", "untilEvent", "untilConsent", "total", "sent",
  "skipped", "failed", "errors", "attempts", "lockedUntil", "createdAt", "startedAt", "finishedAt"`);

const rowDecoder = decoder({
  id: int,
  shop: text,
  segmentId: int,
  target: text,
  mode: text,
  status: text,
  cursor: text,
  untilEvent: int,
  untilConsent: int,
  total: int,
  sent: int,
  skipped: int,
  failed: int,
  errors: text,
  attempts: int,
  lockedUntil: date,
  createdAt: date,
  startedAt: date,
  finishedAt: date,
});

function toJob(row: ReturnType<typeof rowDecoder>): ExportJob {
  let errors: JobError[] = [];
  try {
    errors = JSON.parse(row.errors) as JobError[];
  } catch {
    errors = [];
  }
  return { ...row, target: row.target as Target, mode: row.mode as JobMode, errors };
}

/** E-mail addresses out of a service's message before it is kept (Mailchimp's name the address). */
export function scrubMessage(message: string): string {
  return message.replace(/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/gi, "<e-mail>").slice(0, 300);
}

export const KEEP_ERRORS = 20;

/** The newest SegmentEvent id of a segment (0 without events). */
export async function lastSegmentEvent(
  db: Executor,
  { shop, segmentId }: { shop: string; segmentId: number },
): Promise<number> {
  const [row] = await db.all(
    sql`SELECT MAX("id") AS id FROM "SegmentEvent" WHERE "shop" = ${shop} AND "segmentId" = ${segmentId}`,
    decoder({ id: int }),
  );
  return row?.id ?? 0;
}

export class JobInputError extends Error {
  override name = "JobInputError";
}

/**
 * A new job, queued; or the one already open for this segment and target (queued or running), so that
 * two clicks make one job. A sync job needs the segment to have been exported once (SegmentSync).
 */
export async function queueJob(
  db: Executor,
  {
    shop,
    segmentId,
    target,
    mode,
    now,
    keepInSync,
  }: { shop: string; segmentId: number; target: Target; mode: JobMode; now: Date; keepInSync?: boolean },
): Promise<{ job: ExportJob; created: boolean }> {
  return db.transaction(async (tx) => {
    if (keepInSync !== undefined) {
      const [segment] = await tx.all(sql`SELECT 1 AS x FROM "Segment" WHERE "shop" = ${shop} AND "id" = ${segmentId}`);
      if (!segment) throw new JobInputError("No such segment");
      await saveSegmentSync(tx, { shop, segmentId, target, now });
      await tx.run(
        sql`UPDATE "SegmentSync" SET "keepInSync" = ${keepInSync} WHERE "shop" = ${shop} AND "segmentId" = ${segmentId} AND "target" = ${target}`,
      );
    }
    const [open] = await tx.all(
      sql`SELECT ${COLUMNS} FROM "ExportJob" WHERE "shop" = ${shop} AND "segmentId" = ${segmentId} AND "target" = ${target}
       AND "status" IN ('queued', 'running') ORDER BY "id" LIMIT 1`,
      rowDecoder,
    );
    if (open) return { job: toJob(open), created: false };
    const [segment] = await tx.all(
      sql`SELECT "memberCount" FROM "Segment" WHERE "shop" = ${shop} AND "id" = ${segmentId}`,
      decoder({ memberCount: int }),
    );
    if (!segment) throw new JobInputError("No such segment");
    let cursor = "";
    if (mode === "sync") {
      const sync = await segmentSync(tx, { shop, segmentId, target });
      if (!sync?.remoteId)
        throw new JobInputError("This segment has not been exported there yet: export it in full first");
      cursor = String(sync.eventCursor);
    }
    const untilEvent = await lastSegmentEvent(tx, { shop, segmentId });
    // Email tools also follow consent-only changes (decision 024); a full run sends the state as it is.
    const untilConsent = isService(target) ? await lastConsentEvent(tx, { shop }) : 0;
    const [row] = await tx.all(
      sql`INSERT INTO "ExportJob" ("shop", "segmentId", "target", "mode", "status", "cursor", "untilEvent", "untilConsent",
         "total", "createdAt", "updatedAt")
       VALUES (${shop}, ${segmentId}, ${target}, ${mode}, 'queued', ${cursor}, ${untilEvent}, ${untilConsent},
         ${mode === "full" ? segment.memberCount : Math.max(0, untilEvent - Number(cursor || 0))}, ${now}, ${now})
       RETURNING ${COLUMNS}`,
      rowDecoder,
    );
    return { job: toJob(row!), created: true };
  });
}

/** Leases the oldest claimable job (queued, or running with an expired lease), or null. */
export async function claimJob(
  db: Executor,
  { now, leaseMs, shop }: { now: Date; leaseMs: number; shop?: string },
): Promise<ExportJob | null> {
  const until = new Date(now.getTime() + leaseMs);
  return db.transaction(async (tx) => {
    const pick = sql`SELECT "id" FROM "ExportJob"
      WHERE "status" IN ('queued', 'running') AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
      ${shop ? sql`AND "shop" = ${shop}` : raw("")}
      ORDER BY "id" LIMIT 1${raw(tx.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "")}`;
    const [row] = await tx.all(
      sql`UPDATE "ExportJob" SET "lockedUntil" = ${until}, "attempts" = "attempts" + 1, "status" = 'running',
         "startedAt" = COALESCE("startedAt", ${now}), "updatedAt" = ${now}
       WHERE "id" IN (${pick}) RETURNING ${COLUMNS}`,
      rowDecoder,
    );
    return row ? toJob(row) : null;
  });
}

/** The lease is ours while lockedUntil is what we set; a new term is set in the same statement. */
export async function renewLease(
  tx: Executor,
  job: Pick<ExportJob, "id" | "lockedUntil">,
  { now, leaseMs }: { now: Date; leaseMs: number },
): Promise<Date | null> {
  const until = new Date(now.getTime() + leaseMs);
  const changed = await tx.run(
    sql`UPDATE "ExportJob" SET "lockedUntil" = ${until}, "updatedAt" = ${now}
     WHERE "id" = ${job.id} AND "status" = 'running' AND "lockedUntil" = ${job.lockedUntil}`,
  );
  return changed > 0 ? until : null;
}

export class LeaseLost extends Error {
  override name = "LeaseLost";
}

export type RecordChange = { customerId: string; inList: boolean; remoteId: string | null };

/**
 * One batch done: its records, the job's cursor and counts, in one transaction, and only while the
 * lease is ours (LeaseLost otherwise: another runner has the job, and this batch's state is not kept).
 */
export async function checkpoint(
  db: Executor,
  job: ExportJob,
  {
    cursor,
    records,
    sent,
    skipped,
    failed,
    errors,
    now,
    leaseMs,
  }: {
    cursor: string;
    records: readonly RecordChange[];
    sent: number;
    skipped: number;
    failed: number;
    errors: readonly JobError[];
    now: Date;
    leaseMs: number;
  },
): Promise<ExportJob> {
  return db.transaction(async (tx) => {
    const until = await renewLease(tx, job, { now, leaseMs });
    if (!until) throw new LeaseLost(`export job ${job.id}: the lease was lost`);
    await writeRecords(tx, { shop: job.shop, target: job.target, segmentId: job.segmentId, records, now });
    const kept = [...job.errors, ...errors.map((e) => ({ ...e, message: scrubMessage(e.message) }))].slice(
      -KEEP_ERRORS,
    );
    await tx.run(
      sql`UPDATE "ExportJob" SET "cursor" = ${cursor}, "sent" = "sent" + ${sent}, "skipped" = "skipped" + ${skipped},
         "failed" = "failed" + ${failed}, "errors" = ${JSON.stringify(kept)}, "updatedAt" = ${now}
       WHERE "id" = ${job.id}`,
    );
    return {
      ...job,
      cursor,
      lockedUntil: until,
      sent: job.sent + sent,
      skipped: job.skipped + skipped,
      failed: job.failed + failed,
      errors: kept,
    };
  });
}

async function writeRecords(
  tx: Executor,
  {
    shop,
    target,
    segmentId,
    records,
    now,
  }: { shop: string; target: string; segmentId: number; records: readonly RecordChange[]; now: Date },
): Promise<void> {
  // One row per customer (the last change wins: PostgreSQL refuses to update a row twice in a statement);
  // 200 rows a statement (7 parameters each): far inside SQLite's limit, a few round trips on PostgreSQL.
  const last = [...new Map(records.map((r) => [r.customerId, r])).values()];
  for (let i = 0; i < last.length; i += 200) {
    const rows = last
      .slice(i, i + 200)
      .map((r) => sql`(${shop}, ${target}, ${segmentId}, ${r.customerId}, ${r.inList}, ${r.remoteId}, ${now})`);
    await tx.run(
      sql`INSERT INTO "ExportRecord" ("shop", "target", "segmentId", "customerId", "inList", "remoteId", "at")
       VALUES ${join(rows)}
       ON CONFLICT ("shop", "target", "segmentId", "customerId") DO UPDATE SET "inList" = excluded."inList",
         "remoteId" = COALESCE(excluded."remoteId", "ExportRecord"."remoteId"), "at" = excluded."at"`,
    );
  }
}

export async function finishJob(
  db: Executor,
  job: ExportJob,
  { status, now, error }: { status: "done" | "failed"; now: Date; error?: JobError },
): Promise<void> {
  const errors = error
    ? [...job.errors, { ...error, message: scrubMessage(error.message) }].slice(-KEEP_ERRORS)
    : job.errors;
  await db.run(
    sql`UPDATE "ExportJob" SET "status" = ${status}, "finishedAt" = ${now}, "lockedUntil" = NULL,
       "errors" = ${JSON.stringify(errors)}, "updatedAt" = ${now}
     WHERE "id" = ${job.id} AND "lockedUntil" = ${job.lockedUntil}`,
  );
}

/** The records of these customers for a job's segment and target (what was sent, and their remote ids). */
export async function recordsFor(
  db: Executor,
  {
    shop,
    target,
    segmentId,
    customerIds,
  }: { shop: string; target: string; segmentId: number; customerIds: readonly string[] },
): Promise<Map<string, { inList: boolean; remoteId: string | null }>> {
  const rows = await db.all(
    sql`SELECT "customerId", "inList", "remoteId" FROM "ExportRecord"
     WHERE "shop" = ${shop} AND "target" = ${target} AND "segmentId" = ${segmentId} AND ${sqlIn(`"customerId"`, customerIds)}`,
    decoder({ customerId: text, inList: bool, remoteId: nullable(text) }),
  );
  return new Map(rows.map((r) => [r.customerId, { inList: r.inList, remoteId: r.remoteId }]));
}

export type SegmentSyncRow = {
  remoteId: string | null;
  eventCursor: number;
  consentCursor: number;
  keepInSync: boolean;
};

export async function segmentSync(
  db: Executor,
  { shop, segmentId, target }: { shop: string; segmentId: number; target: string },
): Promise<SegmentSyncRow | null> {
  const [row] = await db.all(
    sql`SELECT "remoteId", "eventCursor", "consentCursor", "keepInSync" FROM "SegmentSync" WHERE "shop" = ${shop} AND "segmentId" = ${segmentId} AND "target" = ${target}`,
    decoder({ remoteId: nullable(text), eventCursor: int, consentCursor: int, keepInSync: bool }),
  );
  return row ?? null;
}

export async function saveSegmentSync(
  db: Executor,
  {
    shop,
    segmentId,
    target,
    remoteId,
    eventCursor,
    consentCursor,
    now,
  }: {
    shop: string;
    segmentId: number;
    target: string;
    remoteId?: string | null;
    eventCursor?: number;
    consentCursor?: number;
    now: Date;
  },
): Promise<void> {
  await db.run(
    sql`INSERT INTO "SegmentSync" ("shop", "segmentId", "target", "remoteId", "eventCursor", "createdAt", "updatedAt")
     VALUES (${shop}, ${segmentId}, ${target}, ${remoteId ?? null}, ${eventCursor ?? 0}, ${now}, ${now})
     ON CONFLICT ("shop", "segmentId", "target") DO UPDATE SET
       "remoteId" = COALESCE(excluded."remoteId", "SegmentSync"."remoteId"),
       "eventCursor" = ${eventCursor === undefined ? raw(`"SegmentSync"."eventCursor"`) : sql`${eventCursor}`},
       "consentCursor" = ${consentCursor === undefined ? raw(`"SegmentSync"."consentCursor"`) : sql`${consentCursor}`},
       "updatedAt" = excluded."updatedAt"`,
  );
}

/** Lists made on a destination for this shop since `since` (Klaviyo's daily list-creation cap). */
export async function listsCreatedSince(
  db: Executor,
  { shop, target, since }: { shop: string; target: string; since: Date },
): Promise<number> {
  const [row] = await db.all(
    sql`SELECT COUNT(*) AS n FROM "SegmentSync" WHERE "shop" = ${shop} AND "target" = ${target} AND "createdAt" >= ${since} AND "remoteId" IS NOT NULL`,
    decoder({ n: int }),
  );
  return row?.n ?? 0;
}

export async function getJob(db: Executor, { shop, id }: { shop: string; id: number }): Promise<ExportJob | null> {
  const [row] = await db.all(
    sql`SELECT ${COLUMNS} FROM "ExportJob" WHERE "shop" = ${shop} AND "id" = ${id}`,
    rowDecoder,
  );
  return row ? toJob(row) : null;
}

export async function listJobs(
  db: Executor,
  { shop, limit = 50 }: { shop: string; limit?: number },
): Promise<ExportJob[]> {
  const rows = await db.all(
    sql`SELECT ${COLUMNS} FROM "ExportJob" WHERE "shop" = ${shop} ORDER BY "id" DESC LIMIT ${limit}`,
    rowDecoder,
  );
  return rows.map(toJob);
}

/**
 * Segments kept in sync, with membership events past their cursor (or, for an email tool, consent
 * changes of a member past its consent cursor) and no open job: the scheduler queues them.
 */
export async function syncsDue(db: Executor): Promise<{ shop: string; segmentId: number; target: Target }[]> {
  const rows = await db.all(
    sql`SELECT s."shop", s."segmentId", s."target" FROM "SegmentSync" s
     WHERE s."keepInSync" = ${true}
       AND (EXISTS (SELECT 1 FROM "SegmentEvent" e WHERE e."shop" = s."shop" AND e."segmentId" = s."segmentId" AND e."id" > s."eventCursor")
         OR (${sqlIn(`s."target"`, SERVICES)} AND EXISTS (SELECT 1 FROM "ConsentEvent" c
           JOIN "SegmentMember" m ON m."shop" = c."shop" AND m."segmentId" = s."segmentId" AND m."customerId" = c."customerId"
           WHERE c."shop" = s."shop" AND c."id" > s."consentCursor")))
       AND NOT EXISTS (SELECT 1 FROM "ExportJob" j WHERE j."shop" = s."shop" AND j."segmentId" = s."segmentId"
         AND j."target" = s."target" AND j."status" IN ('queued', 'running'))`,
    decoder({ shop: text, segmentId: int, target: text }),
  );
  return rows.filter((r): r is typeof r & { target: Target } => isTarget(r.target));
}
