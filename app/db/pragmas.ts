// Set on every SQLite connection Tailored opens (the executor's, Prisma's, the checkpoint thread's, the
// migration runner's). secure_delete: deleted or overwritten content is zeroed in the database file
// instead of lingering in free space (an erased customer, an applied webhook's payload).
// journal_size_limit = 0: each time the WAL starts over, it is cut back to what its newest transaction
// needs, so frames of earlier cycles (rows as they were before a delete) do not stay at its end.
// docs/decisions/013-erasure.md.
export const SQLITE_PRIVACY_PRAGMAS = ["secure_delete = ON", "journal_size_limit = 0"] as const;
