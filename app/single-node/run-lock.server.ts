// Which webhook journal files belong to a server that is still running
// (docs/decisions/017-sqlite-single-node.md). Each run of the journal — one start of the production
// server — holds a lock on a small SQLite database beside it, `<base>.<run>.lock`, for as long as it
// lives: an open `BEGIN EXCLUSIVE` transaction, which SQLite takes as POSIX advisory locks (fcntl) on
// that file. The OS lets go of them when the process ends, however it ends, and they hold across
// processes, containers and hosts that share the filesystem the way SQLite itself needs (the database
// beside it relies on the same locks). A starting server reads back a run's journal files only once it
// holds that run's lock itself: SQLITE_BUSY (busy timeout 0) means the owner is alive. A process id
// could not say that: containers sharing a volume have PID namespaces of their own, so a live server in
// another container looked dead (or like some unrelated live process) and its files were read back and
// deleted under it.
//
// The lock writes nothing (no rollback journal: journal_mode = MEMORY), so its file stays empty.
// POSIX locks belong to the process, and closing any descriptor of the file drops them: in a process
// that holds one, nothing may open a lock file except through SQLite, which keeps a file's descriptors
// open while it holds locks on it. Here the journal only lists and deletes them.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import Database from "better-sqlite3";

const RUN = /^[0-9a-z]+$/;

export function isRunId(text: string): boolean {
  return RUN.test(text);
}

export function lockFile(base: string, run: string): string {
  return `${base}.${run}.lock`;
}

/** The start time (base 36, so that runs sort in the order they started), then 8 random hex digits. */
function newRun(): string {
  return `${Date.now().toString(36).padStart(9, "0")}${randomBytes(4).toString("hex")}`;
}

/**
 * The lock of the database at `file`, taken and held (its connection), or null when another
 * connection holds it — or, with `mustExist`, when there is no such file.
 */
function take(file: string, mustExist: boolean): Database.Database | null {
  let conn: Database.Database;
  try {
    conn = new Database(file, { timeout: 0, fileMustExist: mustExist });
  } catch (error) {
    if (mustExist && (error as { code?: string }).code === "SQLITE_CANTOPEN") return null;
    throw error;
  }
  try {
    conn.pragma("journal_mode = MEMORY");
    conn.exec("BEGIN EXCLUSIVE");
    return conn;
  } catch (error) {
    conn.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") return null;
    throw error;
  }
}

export class RunLock {
  private constructor(
    readonly run: string,
    readonly file: string,
    private conn: Database.Database | null,
  ) {}

  /** A new run, its lock held by this process until `release` (or its end). */
  static acquire(base: string): RunLock {
    for (let attempt = 1; ; attempt++) {
      const run = newRun();
      const file = lockFile(base, run);
      const conn = take(file, false);
      // Another server starting at this moment may have taken the new file before this one did, seen no
      // journal of the run, and deleted it: then this lock is on a file no one else can find. So the
      // file at the path must be the one held here (busy to a second connection of this process; a
      // journal file is created only after this). Otherwise, a new run.
      if (conn && heldHere(file)) return new RunLock(run, file, conn);
      conn?.close();
      if (attempt === 5) throw new Error(`webhook journal: could not hold a lock beside ${base}`);
    }
  }

  /**
   * The lock of an earlier `run`, taken if its owner has gone (held by this process from now on), or
   * null while the owner holds it. `create`: its journal files were seen, so the lock file is made if
   * it is missing (a live owner's never is); without, a missing file is a run already gone.
   */
  static adopt(base: string, run: string, { create }: { create: boolean }): RunLock | null {
    const file = lockFile(base, run);
    const conn = take(file, !create);
    return conn ? new RunLock(run, file, conn) : null;
  }

  get held(): boolean {
    return this.conn !== null;
  }

  /**
   * Lets go of the lock. `remove`: its file is deleted first, once no journal file of the run is left
   * (otherwise it stays beside them, free, for the next start to take).
   */
  release({ remove }: { remove: boolean }): void {
    if (!this.conn) return;
    if (remove) {
      try {
        fs.rmSync(this.file, { force: true });
      } catch (error) {
        // An empty, unlocked file: the next start takes it and deletes it.
        console.error("[journal]", error);
      }
    }
    this.conn.close(); // rolls the transaction back: the lock goes
    this.conn = null;
  }
}

/** Whether the file at `file` is the one whose lock this process holds. */
function heldHere(file: string): boolean {
  const other = take(file, true);
  if (other) {
    other.close();
    return false;
  }
  return fs.existsSync(file);
}
