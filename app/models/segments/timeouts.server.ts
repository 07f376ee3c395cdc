// Time bounds of the statements a merchant's rule shapes (decision 014). On PostgreSQL they are
// statement_timeout; SQLite has none, and there the rule's size caps (app/domain/segments/limits.ts)
// bound a statement instead.
import { isStatementCancelled, withStatementTimeout, type Executor } from "~/db/database.server";
import { sql } from "~/db/sql";
import { SegmentTimeoutError } from "./errors";

function positiveMs(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * How long a preview or a count may run on PostgreSQL before it is cancelled:
 * TAILORED_SEGMENT_QUERY_TIMEOUT_MS, 20 s unless set. (SQLite has no such bound: the rule's size caps
 * are what bound a statement there; docs/decisions/014-segment-limits.md.)
 */
export function segmentQueryTimeoutMs(): number {
  return positiveMs(process.env.TAILORED_SEGMENT_QUERY_TIMEOUT_MS, 20_000);
}

/**
 * How long a recompute's evaluating statement (one pass over the shop's customers for up to 90 rules)
 * may run on PostgreSQL: TAILORED_SEGMENT_RECOMPUTE_TIMEOUT_MS, 120 s unless set; a million customers
 * take about 10 s (docs/BENCHMARKS.md). Writing the changes is not bounded: it is ours, not the rule's.
 */
export function segmentRecomputeTimeoutMs(): number {
  return positiveMs(process.env.TAILORED_SEGMENT_RECOMPUTE_TIMEOUT_MS, 120_000);
}

/** "20", "0.2": a bound in seconds, for messages. */
export const seconds = (ms: number) => String(Math.round(ms / 100) / 10);

/**
 * No parallel workers for a rule's statement, until the transaction ends (PostgreSQL; nothing on
 * SQLite). A hashed subplan — a purchase or browsing set — is not shared between workers: each built
 * it again over the shop's lines or events, so a worker added the whole set's work again for little
 * gain on the customers' side (decision 039: 6.9 s with two workers, 3.9 s without, one purchase rule
 * over 1M customers on two cores).
 */
export async function withoutParallelWorkers(tx: Executor): Promise<void> {
  if (tx.dialect === "postgres") await tx.run(sql`SET LOCAL max_parallel_workers_per_gather = 0`);
}

/**
 * Memory for a preview's or count's sets (PostgreSQL, until the transaction ends). A purchase or
 * browsing set is hashed once only if the planner expects it to fit in work_mem; over 4 MB (the
 * default: some 100,000 ids) it searched the set again for every customer instead: a count of
 * "viewed a product in the last 7 days" over 10M events (486,000 matching) did not finish in 20 s. A
 * shop runs few previews at once (the per-shop limit); the recompute takes 256 MB for its one statement.
 */
export async function withSetMemory(tx: Executor): Promise<void> {
  if (tx.dialect === "postgres") await tx.run(sql`SET LOCAL work_mem = '64MB'`);
}

/** A merchant's query under the preview's time bound; a cancelled one becomes a SegmentTimeoutError. */
export async function bounded<T>(db: Executor, fn: (tx: Executor) => Promise<T>): Promise<T> {
  const ms = segmentQueryTimeoutMs();
  try {
    return await withStatementTimeout(db, ms, async (tx) => {
      await withoutParallelWorkers(tx);
      await withSetMemory(tx);
      return fn(tx);
    });
  } catch (error) {
    if (!isStatementCancelled(error)) throw error;
    throw new SegmentTimeoutError(
      `Counting the customers took longer than ${seconds(ms)} s and was stopped: try a simpler query (fewer products_purchased or orders_placed conditions), or again in a moment`,
    );
  }
}
