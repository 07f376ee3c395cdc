// The SQLite single-node extras (docs/decisions/017-sqlite-single-node.md): what the production server
// adds when its database is one SQLite file, which it alone writes (one writer thread, decision 008).
// PostgreSQL uses none of them.
//
// - The webhook journal (journal.server.ts, decision 012): the HTTP thread appends each verified
//   delivery to a file beside the database and acknowledges it once written, rather than waiting for
//   the inbox commit of the one thread that also applies events. On PostgreSQL commits do not queue
//   behind that thread, and are fsync'd: there the 200 follows the commit.
// - The run lock (run-lock.server.ts): which journal files belong to a server still running, on this
//   host or another sharing the volume — a lock the OS lets go of when its owner dies, not a PID.
// - The checkpoint thread (checkpointer.server.ts, decision 009): WAL checkpoints off the writer's
//   thread. PostgreSQL checkpoints in its own server.
//
// The rest of the app imports this module, never the files behind it, and only in two places: the
// writer's SQLite connection (app/db/database.server.ts, `checkpointThread`) and the HTTP thread's side
// of the background thread (app/sync/background-thread.server.ts); tests/architecture/single-node.test.ts
// holds it to that. Not here: `MappedPayloads` (order payloads mapped in the HTTP thread, inbox.server.ts),
// which the production server uses on PostgreSQL as well.
import type { DatabaseConfig } from "~/db/config";
import { Journal } from "./journal.server";

export { startCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from "./checkpointer.server";
export { Journal, type Appended, type JournalRecord } from "./journal.server";

type SqliteFile = Extract<DatabaseConfig, { dialect: "sqlite" }>;

/**
 * Whether the production server acknowledges webhooks from the journal: on SQLite with a file (not
 * `:memory:`), unless TAILORED_WEBHOOK_JOURNAL=off. Never on PostgreSQL.
 */
export function usesWebhookJournal(config: DatabaseConfig, env = process.env): config is SqliteFile {
  return config.dialect === "sqlite" && config.file !== ":memory:" && env.TAILORED_WEBHOOK_JOURNAL !== "off";
}

/**
 * Opens the webhook journal of the SQLite database `dbFile`: files `<dbFile>-webhooks.<run>-<n>.journal`
 * beside it, and the run's lock `<dbFile>-webhooks.<run>.lock`, held until `journal.close()`. Returns it
 * with the records of earlier runs whose server has gone, to be stored.
 */
export function journalFor(dbFile: string, options?: { rotateBytes?: number }): ReturnType<typeof Journal.open> {
  return Journal.open(`${dbFile}-webhooks`, options);
}

/**
 * The environment the production server gives its writer thread: on SQLite, that thread's connection
 * leaves WAL checkpoints to a thread of their own (app/db.server.ts turns this into `checkpointThread`).
 */
export function writerThreadEnv(config: DatabaseConfig): Record<string, string> {
  return config.dialect === "sqlite" ? { TAILORED_SQLITE_CHECKPOINTS: "thread" } : {};
}
