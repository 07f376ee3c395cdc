// Full recompute in the database: up to 90 segments per pass over the shop's customers, each rule a
// bit of a mask compared with the customer's current memberships (decisions 007 and 010), failures
// isolated to the segment to blame (decision 014).
import {
  isStatementCancelled,
  isStatementFailure,
  setStatementTimeout,
  type Db,
  type Executor,
} from "~/db/database.server";
import { decoder, int, join, raw, sql, text } from "~/db/sql";
import type { EngineContext, Prepared } from "~/domain/segments/engine";
import { lockShop, refreshPlannerStatistics } from "~/models/store.server";
import { compileSql, CUSTOMERS_FROM } from "./compile-sql";
import { SegmentRuleError, SegmentTimeoutError } from "./errors";
import { writeMembershipChanges, type MembershipChange } from "./memberships.server";
import { preparedStored, readsProductTags, shopContext, storedRuleOrNull } from "./rules.server";
import { seconds, segmentRecomputeTimeoutMs, withoutParallelWorkers } from "./timeouts.server";

/**
 * One segment's outcome of a full recompute. `error` says why it could not be computed (its stored
 * rule is invalid, or the database refused or stopped its statement); the others were computed.
 */
export type RecomputeResult = {
  segmentId: number;
  name: string;
  entered: number;
  left: number;
  members: number;
  error?: string;
  errorKind?: "rule" | "timeout" | "database";
};

/**
 * Full recompute of one segment (after it is created or its rule changes). Throws when it cannot be
 * computed: SegmentTimeoutError past its time bound, SegmentRuleError otherwise.
 */
export async function recomputeSegment(
  db: Db,
  { shop, segmentId, ctx }: { shop: string; segmentId: number; ctx: EngineContext },
): Promise<{ entered: number; left: number; members: number }> {
  const [result] = await recomputeSegments(db, { shop, ctx, segmentIds: [segmentId] });
  if (!result) throw new SegmentRuleError(`no segment ${segmentId} in ${shop}`);
  if (result.error)
    throw result.errorKind === "timeout" ? new SegmentTimeoutError(result.error) : new SegmentRuleError(result.error);
  return { entered: result.entered, left: result.left, members: result.members };
}

/** Customers read per transaction: between chunks the webhook processor gets the database back. */
const RECOMPUTE_CHUNK = 50_000;
/** Segments per mask column: each one is a bit of a 32-bit integer on both databases. */
const MASK_BITS = 30;
/**
 * Segments evaluated per pass over the customers, in MASK_BITS-wide mask columns. A pass pays for
 * reading the customers with their facts and predictions once (about a second at 1M), whatever the
 * number of rules in it; a pass that fails is split in two (decision 014).
 */
const PASS_SEGMENTS = 3 * MASK_BITS;
/**
 * Statements one recompute may see fail before it stops looking for the segment to blame: each
 * failed batch is split in two and tried again, which finds one bad segment among 30 in about ten
 * statements; past this many (a database where everything times out), what is left fails whole.
 */
const MAX_FAILED_STATEMENTS = 8;

type Failure = { kind: "rule" | "timeout" | "database"; message: string };

function statementFailure(error: unknown): Failure {
  if (isStatementCancelled(error)) {
    return {
      kind: "timeout",
      message: `Computing this segment took longer than ${seconds(segmentRecomputeTimeoutMs())} s and was stopped: simplify its query (fewer products_purchased or orders_placed conditions)`,
    };
  }
  return {
    kind: "database",
    message: `The database could not compute this segment: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/**
 * Full recompute, in the database, in one pass over the shop's customers for up to 90 segments at a
 * time. Each customer's new memberships are a bit mask of the compiled rules; the old ones the same
 * mask summed from SegmentMember; only the customers whose masks differ come back, and only their
 * changes are written (members, enter/leave events, the segment's count), chunk by chunk, each chunk
 * one transaction under the shop's lock. A nightly pass over an unchanged shop therefore writes
 * nothing, and a customer the webhook processor updates between two chunks is never half-counted.
 * Customers who were deleted left their segments on the per-event path (deleteRecords runs there).
 *
 * One segment cannot stop the others (decision 014): a stored rule that is invalid or will not
 * prepare is left out; a statement the database refuses or stops at its time bound is split in two
 * and each half tried again from the chunk that failed, down to the one segment to blame. Those left
 * out keep their members, get `computeError` (shown on the list) and an `error` in the result; the
 * others are computed and their mark cleared.
 */
export async function recomputeSegments(
  db: Db,
  {
    shop,
    ctx,
    segmentIds,
    onProgress,
    chunkSize = db.dialect === "sqlite" ? RECOMPUTE_CHUNK : Number.POSITIVE_INFINITY,
  }: {
    shop: string;
    ctx: EngineContext;
    segmentIds?: readonly number[];
    onProgress?: (done: number, total: number) => void;
    chunkSize?: number;
  },
): Promise<RecomputeResult[]> {
  const segments = await db.prisma.segment.findMany({
    where: { shop, ...(segmentIds ? { id: { in: [...segmentIds] } } : { active: true }) },
    orderBy: { id: "asc" },
    select: { id: true, name: true, rule: true },
  });
  const failures = new Map<number, Failure>();
  const rules: { id: number; prepared: Prepared }[] = [];
  for (const s of segments) {
    const prepared = preparedStored(s.rule, ctx);
    if (prepared.ok) rules.push({ id: s.id, prepared: prepared.prepared });
    else failures.set(s.id, { kind: "rule", message: prepared.error });
  }
  if (segments.length === 0) return [];
  const tally = new Map(rules.map((r) => [r.id, { entered: 0, left: 0 }]));
  if (rules.length > 0) {
    const [counted] = await db.all(
      sql`SELECT COUNT(*) AS n FROM "Customer" WHERE "shop" = ${shop}`,
      decoder({ n: int }),
    );
    const customers = counted?.n ?? 0;
    const batches = Math.ceil(rules.length / PASS_SEGMENTS);
    const total = customers * batches;
    let done = 0;
    let failedStatements = 0;
    /**
     * `batch` over the customers after `after`, chunk by chunk; `chunk` counts the chunks done before.
     * Only the last piece of a split batch reports progress, so progress never goes back.
     */
    const pass = async (
      b: number,
      batch: typeof rules,
      after: string | null,
      chunk: number,
      reports: boolean,
    ): Promise<void> => {
      for (;;) {
        // The chunk's last customer, found on the primary key alone.
        const [bound] = Number.isFinite(chunkSize)
          ? await db.all(
              sql`SELECT "id" FROM "Customer" WHERE "shop" = ${shop}${after === null ? raw("") : sql` AND "id" > ${after}`}
               ORDER BY "id" LIMIT 1 OFFSET ${chunkSize - 1}`,
              decoder({ id: text }),
            )
          : [];
        const upTo: string | null = bound ? bound.id : null;
        try {
          // The tally is the chunk's only once it has committed.
          const chunkTally = new Map(batch.map((r) => [r.id, { entered: 0, left: 0 }]));
          // eslint-disable-next-line no-loop-func -- awaited here, before `after` moves on
          await db.transaction(async (tx) => {
            await lockShop(tx, shop);
            await recomputeChunk(tx, { shop, batch, ctx, after, upTo, tally: chunkTally });
          });
          for (const [id, t] of chunkTally) {
            const sum = tally.get(id)!;
            sum.entered += t.entered;
            sum.left += t.left;
          }
        } catch (error) {
          if (!isStatementFailure(error)) throw error;
          failedStatements += 1;
          if (batch.length === 1 || failedStatements >= MAX_FAILED_STATEMENTS) {
            for (const r of batch) failures.set(r.id, statementFailure(error));
            return;
          }
          const half = Math.ceil(batch.length / 2);
          await pass(b, batch.slice(0, half), after, chunk, false);
          await pass(b, batch.slice(half), after, chunk, reports);
          return;
        }
        chunk += 1;
        if (reports) {
          const reached =
            upTo === null ? (b + 1) * customers : Math.min(b * customers + chunk * chunkSize, (b + 1) * customers);
          if (reached > done) onProgress?.(Math.min(reached, total), total);
          done = Math.max(done, reached);
        }
        if (upTo === null) return;
        after = upTo;
      }
    };
    for (let b = 0; b < batches; b++)
      await pass(b, rules.slice(b * PASS_SEGMENTS, (b + 1) * PASS_SEGMENTS), null, 0, true);
  }
  const computed = rules.filter((r) => !failures.has(r.id)).map((r) => r.id);
  if (computed.length > 0) {
    await db.prisma.segment.updateMany({
      where: { id: { in: computed } },
      data: { lastComputedAt: ctx.now, computeError: null },
    });
  }
  for (const [id, failure] of failures)
    await db.prisma.segment.updateMany({ where: { id }, data: { computeError: failure.message } });
  const ids = segments.map((s) => s.id);
  const counts = new Map(
    (await db.prisma.segment.findMany({ where: { id: { in: ids } }, select: { id: true, memberCount: true } })).map(
      (s) => [s.id, s.memberCount],
    ),
  );
  return segments.map((s) => {
    const failure = failures.get(s.id);
    return {
      segmentId: s.id,
      name: s.name,
      ...(tally.get(s.id) ?? { entered: 0, left: 0 }),
      members: counts.get(s.id) ?? 0,
      ...(failure ? { error: failure.message, errorKind: failure.kind } : {}),
    };
  });
}

async function recomputeChunk(
  tx: Executor,
  {
    shop,
    batch,
    ctx,
    after,
    upTo,
    tally,
  }: {
    shop: string;
    batch: { id: number; prepared: Prepared }[];
    ctx: EngineContext;
    after: string | null;
    upTo: string | null;
    tally: Map<number, { entered: number; left: number }>;
  },
): Promise<void> {
  // Segment i is bit i % MASK_BITS of mask column i / MASK_BITS; the numbers are ours, never input.
  const masks: (typeof batch)[] = [];
  for (let i = 0; i < batch.length; i += MASK_BITS) masks.push(batch.slice(i, i + MASK_BITS));
  const fresh = masks.map((mask) =>
    join(
      mask.map(
        (s, i) =>
          sql`(CASE WHEN ${compileSql(s.prepared, tx.dialect, { after, upTo })} THEN ${raw(String(2 ** i))} ELSE 0 END)`,
      ),
      " + ",
    ),
  );
  // What the customer holds now, from the same row: Customer.segmentIds lists them as ",3,7,". The
  // ids are the database's integers, never input.
  const position = tx.dialect === "postgres" ? "strpos" : "instr";
  const held = masks.map((mask) =>
    raw(
      mask
        .map((s, i) => `(CASE WHEN ${position}(c."segmentIds", ',${s.id},') > 0 THEN ${2 ** i} ELSE 0 END)`)
        .join(" + "),
    ),
  );
  const columns = join(
    masks.map((_, k) => sql`${fresh[k]!} AS ${raw(`"fresh${k}"`)}, ${held[k]!} AS ${raw(`"held${k}"`)}`),
    ", ",
  );
  const differs = raw(masks.map((_, k) => `t."fresh${k}" <> t."held${k}"`).join(" OR "));
  const range = (column: string) =>
    sql`${after === null ? raw("") : sql` AND ${raw(column)} > ${after}`}${upTo === null ? raw("") : sql` AND ${raw(column)} <= ${upTo}`}`;
  if (tx.dialect === "postgres") {
    // No JIT: its compile time (about a second) exceeds the work it saves here. The app's connections
    // start without it (POSTGRES_CONNECTION_OPTIONS); said again here in case a URL's options win.
    await tx.run(sql`SET LOCAL jit = off`);
    await tx.run(sql`SET LOCAL work_mem = '256MB'`);
    // Purchase rules: the planner cannot estimate a filter on a line's type or vendor and, guessing a
    // few rows, looks each matching line's order up by index; over a shop's millions of lines hash
    // joins (one pass over orders, one over lines) are what work.
    await tx.run(sql`SET LOCAL enable_nestloop = off`);
  }
  await withoutParallelWorkers(tx);
  // The fence (LIMIT -1 / OFFSET 0) keeps the subquery from being flattened into the outer one, which
  // would evaluate both masks twice per customer: once to filter, once to return them.
  const fence = raw(tx.dialect === "sqlite" ? "LIMIT -1" : "OFFSET 0");
  // The merchants' rules are bounded in time (after the shop's lock is held: waiting for it is not
  // theirs); writing what changed is not.
  await setStatementTimeout(tx, segmentRecomputeTimeoutMs());
  const rows = await tx.all(
    sql`SELECT * FROM (
       SELECT c."id", ${columns}
       ${CUSTOMERS_FROM} WHERE c."shop" = ${shop}${range(`c."id"`)} ${fence}
     ) t WHERE ${differs}`,
    (row) => row,
  );
  await setStatementTimeout(tx, "default");
  const changes: MembershipChange[] = [];
  for (const row of rows) {
    const customerId = text(row.id);
    masks.forEach((mask, k) => {
      const now = int(row[`fresh${k}`]);
      const before = int(row[`held${k}`]);
      if (now === before) return;
      mask.forEach((s, i) => {
        const bit = 2 ** i;
        const should = (now & bit) !== 0;
        if (should === ((before & bit) !== 0)) return;
        changes.push({ segmentId: s.id, customerId, entered: should });
      });
    });
  }
  await writeMembershipChanges(tx, { shop, at: ctx.now, changes });
  for (const c of changes) {
    const t = tally.get(c.segmentId)!;
    if (c.entered) t.entered += 1;
    else t.left += 1;
  }
}

/**
 * After products' tags changed: every active segment that tests product tags, recomputed in the
 * database (a product's buyers can be most of the shop, so not on the per-event path). None, nothing.
 */
export async function recomputeProductTagSegments(
  db: Db,
  { shop, now }: { shop: string; now: Date },
): Promise<RecomputeResult[]> {
  const segments = await db.prisma.segment.findMany({
    where: { shop, active: true },
    select: { id: true, rule: true },
  });
  // An invalid stored rule tests nothing: the next full recompute marks it (recomputeSegments).
  const ids = segments
    .filter((s) => {
      const rule = storedRuleOrNull(s.rule);
      return rule !== null && readsProductTags(rule);
    })
    .map((s) => s.id);
  if (ids.length === 0) return [];
  return recomputeSegments(db, { shop, ctx: await shopContext(db, { shop, now }), segmentIds: ids });
}

/** Every active segment of a shop, recomputed in the database (on demand, and nightly for dates). */
export async function recomputeAll(
  db: Db,
  { shop, now, onProgress }: { shop: string; now: Date; onProgress?: (done: number, total: number) => void },
): Promise<RecomputeResult[]> {
  const ctx = await shopContext(db, { shop, now });
  const results = await recomputeSegments(db, { shop, ctx, onProgress });
  // Memberships may have grown by orders of magnitude: keep the lookups of members on their indexes.
  // Only the tables a recompute writes many rows to (a whole-database ANALYZE costs a second at 1M).
  await refreshPlannerStatistics(db, { tables: ["SegmentMember", "SegmentEvent"] });
  return results;
}
