// Set on every SQLite connection Tailored opens (the executor's, Prisma's, the checkpoint thread's, the
// migration runner's). secure_delete: deleted or overwritten content is zeroed in the database file
// instead of lingering in free space (an erased customer, an applied webhook's payload).
// The WAL's size is left to SQLite (journal_size_limit -1): cutting it back at every restart
// (journal_size_limit = 0) raised the webhook path's p99 acknowledgement from ~20 to ~60 ms
// (docs/BENCHMARKS.md, 2026-12-01). What erasure needs is done after each erasure instead: a TRUNCATE
// checkpoint empties the WAL (Executor.truncateWal). docs/decisions/013-erasure.md.
export const SQLITE_PRIVACY_PRAGMAS = ["secure_delete = ON"] as const;
