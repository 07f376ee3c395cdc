// The webhook journal: where the production server's HTTP thread puts a verified delivery before it
// acknowledges it, when the inbox is on SQLite (docs/decisions/012-webhook-journal.md). The inbox
// commit happens in the background thread, which also applies events; waiting for it tied every
// acknowledgement to whatever that thread was doing. An append to this file is as durable as a SQLite
// commit in WAL mode with synchronous=NORMAL (a write to the OS, no fsync: a process crash loses
// nothing, an OS crash may lose the last writes), so the HTTP thread acknowledges once the delivery is
// here, and the background thread moves it into the inbox (ON CONFLICT DO NOTHING) moments later. A
// file whose records are all in the inbox is deleted: the current one too, which is closed (and the
// next record starts a new one) as soon as everything in it is stored, so that no delivery — personal
// data, often — stays on disk longer than it takes to reach the inbox; after an erasure the current file
// is closed at once (`retire`). Files left by a server that stopped before storing them are read back
// at the next start and their records stored then; which ones those are, a lock beside the journal says
// (run-lock.server.ts), not a process id.
//
// Format: per record, a line of JSON (the delivery without its body, plus the body's length in bytes),
// then the body as received, then "\n". A record cut short (the machine stopped mid-write) ends the
// file: it was never acknowledged.
import fs from "node:fs";
import path from "node:path";
import { isRunId, RunLock } from "./run-lock.server";

export type JournalRecord = {
  shop: string;
  topic: string;
  eventId: string;
  webhookId: string | null;
  apiVersion: string | null;
  /** ms since the epoch */
  triggeredAt: number | null;
  /** ms since the epoch: when the delivery arrived (the inbox's receivedAt) */
  receivedAt: number;
  payload: string;
};

type Header = Omit<JournalRecord, "payload"> & { bytes: number };

export function encodeRecord(record: JournalRecord): Buffer {
  const body = Buffer.from(record.payload, "utf8");
  const { payload: _, ...rest } = record;
  const header: Header = { ...rest, bytes: body.length };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, "utf8"), body, Buffer.from("\n")]);
}

/**
 * The records of a journal file, up to the first one that is incomplete or unreadable, and how many
 * bytes were left unread after them (a record cut short by a crash; anything else is damage).
 */
export function decodeRecords(data: Buffer): { records: JournalRecord[]; unread: number } {
  const records: JournalRecord[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf(0x0a, at);
    if (end < 0) break;
    let header: Header;
    try {
      header = JSON.parse(data.toString("utf8", at, end)) as Header;
    } catch {
      break;
    }
    if (typeof header !== "object" || header === null || !Number.isInteger(header.bytes) || header.bytes < 0) break;
    const start = end + 1;
    const stop = start + header.bytes;
    if (stop + 1 > data.length || data[stop] !== 0x0a) break;
    const { bytes: _, ...rest } = header;
    records.push({ ...rest, payload: data.toString("utf8", start, stop) });
    at = stop + 1;
  }
  return { records, unread: data.length - at };
}

/**
 * Files named `<base>.<pid>-<run>-<n>.journal`, by a version before the run lock: read back as that
 * version did, when no process has that id or it is this one (the PID test the lock replaced, kept only
 * for files written before it; to be removed once none can be left).
 */
function legacyOwnerGone(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, and is someone else's.
    return (error as NodeJS.ErrnoException).code !== "EPERM";
  }
}

type Generation = {
  file: string;
  fd: number | null;
  written: number;
  stored: number;
  bytes: number;
  /** The run that wrote it (null: a file named by a version before the run lock). */
  run: string | null;
};

export type Appended = { generation: number; written: Promise<void> };

/**
 * Appends records, a group per turn of the event loop in one write, to `<base>.<run>-<n>.journal`,
 * starting a new file past `rotateBytes`; deletes a file once every record in it is reported stored.
 * Holds the run's lock, `<base>.<run>.lock`, until `close`, and the locks of the earlier runs whose
 * files it read back until those files are gone.
 */
export class Journal {
  private readonly generations = new Map<number, Generation>();
  private current = -1;
  private queue: { buffer: Buffer; resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** Earlier runs whose files this journal read back, by run. */
  private readonly adopted = new Map<string, RunLock>();
  /** The current file cannot take more records (a write failed and no new file could be opened yet). */
  private broken = false;
  /** Close the current file after the write in progress (`retire` while records wait to be written). */
  private retiring = false;

  private constructor(
    private readonly base: string,
    private readonly rotateBytes: number,
    private readonly lock: RunLock,
  ) {}

  /**
   * Opens the journal next to `base`. Returns the records files left behind hold (a previous process
   * acknowledged them; they may or may not have reached the inbox), each with its generation, to be
   * stored and reported like new ones.
   */
  static open(
    base: string,
    { rotateBytes = 8 * 2 ** 20 }: { rotateBytes?: number } = {},
  ): {
    journal: Journal;
    recovered: { generation: number; record: JournalRecord }[];
  } {
    const lock = RunLock.acquire(base);
    const journal = new Journal(base, rotateBytes, lock);
    try {
      const recovered = journal.readBack();
      journal.rotate();
      return { journal, recovered };
    } catch (error) {
      journal.close();
      throw error;
    }
  }

  /**
   * The files of earlier runs whose owner has gone: `<base>.<run>-<n>.journal` of each run whose lock
   * this process can take (an owner that is alive holds it: its files are its own to store and delete,
   * as during a deploy, when two servers share the database for a moment, on one host or not), in the
   * order the runs started. Their locks stay held here until their files are gone.
   */
  private readBack(): { generation: number; record: JournalRecord }[] {
    const dir = path.dirname(this.base);
    const prefix = `${path.basename(this.base)}.`;
    const runs = new Map<string, { name: string; n: number }[]>();
    const legacy: { name: string; pid: number; run: string; n: number }[] = [];
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      if (rest.endsWith(".lock")) {
        const run = rest.slice(0, -".lock".length);
        if (isRunId(run) && !runs.has(run)) runs.set(run, []);
        continue;
      }
      if (!rest.endsWith(".journal")) continue;
      const parts = rest.slice(0, -".journal".length).split("-");
      if (parts.length === 2 && isRunId(parts[0]!) && /^\d+$/.test(parts[1]!)) {
        const files = runs.get(parts[0]!) ?? [];
        files.push({ name, n: Number(parts[1]) });
        runs.set(parts[0]!, files);
      } else if (parts.length === 3 && /^\d+$/.test(parts[0]!) && /^\d+$/.test(parts[2]!)) {
        legacy.push({ name, pid: Number(parts[0]), run: parts[1]!, n: Number(parts[2]) });
      }
    }
    runs.delete(this.lock.run);
    const recovered: { generation: number; record: JournalRecord }[] = [];
    const empty: number[] = [];
    const read = (name: string, run: string | null) => {
      const file = path.join(dir, name);
      let data: Buffer;
      try {
        data = fs.readFileSync(file);
      } catch (error) {
        // Read back and deleted by another server starting at the same time, before this one held the lock.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw error;
      }
      const { records, unread } = decodeRecords(data);
      // Deliveries whose record was cut short were never acknowledged; bytes after a cut are worth a
      // look (the journal never writes after a failed write: it moves to a new file).
      if (unread > 0)
        console.error(`[journal] ${name}: ${unread} bytes after its last whole record (${records.length}) not read`);
      const generation = ++this.current;
      this.generations.set(generation, { file, fd: null, written: records.length, stored: 0, bytes: 0, run });
      for (const record of records) recovered.push({ generation, record });
      if (records.length === 0) empty.push(generation);
    };
    legacy
      .filter((f) => legacyOwnerGone(f.pid))
      .sort((a, b) => a.pid - b.pid || a.run.localeCompare(b.run) || a.n - b.n)
      .forEach((f) => read(f.name, null));
    for (const run of [...runs.keys()].sort()) {
      const files = runs.get(run)!;
      let lock: RunLock | null;
      try {
        lock = RunLock.adopt(this.base, run, { create: files.length > 0 });
      } catch (error) {
        // Not a lock this journal made (damaged, or not a database): its files are left as they are.
        console.error(`[journal] run ${run} left alone:`, error);
        continue;
      }
      if (!lock) continue; // its owner is alive
      this.adopted.set(run, lock);
      for (const { name } of files.sort((a, b) => a.n - b.n)) read(name, run);
      // A lock left without files (its server stopped between deleting its last file and the lock), or
      // whose files went meanwhile: nothing to wait for.
      this.releaseIfDone(run);
    }
    // Empty files go now (with their run's lock, if they were all it had).
    for (const generation of empty) this.stored(generation, 0);
    return recovered;
  }

  private rotate(): void {
    const generation = this.current + 1;
    const file = `${this.base}.${this.lock.run}-${generation}.journal`;
    const fd = fs.openSync(file, "a");
    this.generations.set(generation, { file, fd, written: 0, stored: 0, bytes: 0, run: this.lock.run });
    const previous = this.generations.get(this.current);
    this.current = generation;
    if (previous && previous.fd !== null) {
      try {
        fs.closeSync(previous.fd);
      } catch {
        // A descriptor that failed a write may fail to close too: it is done with either way.
      }
      previous.fd = null;
      this.collect(previous);
    }
  }

  /** Written (to the OS) once `written` resolves. */
  append(record: JournalRecord): Appended {
    const generation = this.generations.get(this.current)!;
    generation.written += 1;
    const written = new Promise<void>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ buffer: encodeRecord(record), resolve, reject });
    });
    return { generation: this.current, written };
  }

  private flush(): void {
    const group = this.queue;
    this.queue = [];
    // Every record queued went to the current file (a new one starts only here, after the write).
    const generation = this.generations.get(this.current)!;
    try {
      if (this.broken) throw new Error("webhook journal: no file to write to");
      const buffer = group.length === 1 ? group[0]!.buffer : Buffer.concat(group.map((g) => g.buffer));
      for (let at = 0; at < buffer.length;) at += fs.writeSync(generation.fd!, buffer, at);
      generation.bytes += buffer.length;
      for (const g of group) g.resolve();
    } catch (error) {
      // Not acknowledged (each delivery gets a 500, and Shopify sends it again), so not waited for.
      generation.written -= group.length;
      for (const g of group) g.reject(error);
      // Part of the group may be in the file: the records after it would be unreadable behind the cut
      // (decodeRecords stops there), so the next ones go to a new file.
      this.broken = true;
    }
    // A record may be stored (handed over at once) before its group is written: then the file is
    // done with as soon as it is written.
    if (
      this.broken ||
      this.retiring ||
      generation.bytes >= this.rotateBytes ||
      generation.stored >= generation.written
    ) {
      try {
        this.rotate();
        this.broken = false;
        this.retiring = false;
      } catch (error) {
        // Tried again at the next group; until then deliveries are refused (500), not lost.
        this.broken = true;
        console.error("[journal]", error);
      }
    }
  }

  /** `count` records of `generation` are in the inbox. */
  stored(generation: number, count = 1): void {
    const g = this.generations.get(generation);
    if (!g) return;
    g.stored += count;
    // The current file with everything in it stored: closed (and deleted), the next record starts a
    // new one. Records still waiting to be written belong to it: then flush does this after writing.
    if (
      generation === this.current &&
      g.fd !== null &&
      g.written > 0 &&
      g.stored >= g.written &&
      this.queue.length === 0
    ) {
      this.retire();
      return;
    }
    this.collect(g);
  }

  /**
   * Closes the current file (deleted once every record in it is stored); the next record starts a new
   * one. After an erasure, so that deliveries about the erased data, already stored and erased, do not
   * wait in a file that is still being written to.
   */
  retire(): void {
    const g = this.generations.get(this.current);
    if (!g || g.fd === null || g.written === 0) return;
    if (this.queue.length > 0) {
      this.retiring = true;
      return;
    }
    try {
      this.rotate();
    } catch (error) {
      // The current file stays in use; it goes at the next rotation.
      console.error("[journal]", error);
    }
  }

  /** How many acknowledged records are not in the inbox yet. */
  get outstanding(): number {
    let n = 0;
    for (const g of this.generations.values()) n += g.written - g.stored;
    return n;
  }

  private collect(g: Generation): void {
    if (g.fd !== null || g.stored < g.written) return;
    try {
      fs.rmSync(g.file, { force: true });
    } catch (error) {
      // Every record in it is stored: left behind, it is only read back (and ignored) at the next start.
      console.error("[journal]", error);
    }
    for (const [n, other] of this.generations) if (other === g) this.generations.delete(n);
    if (g.run !== null) this.releaseIfDone(g.run);
  }

  /** Whether some file of `run` is still here (not yet deleted). */
  private holds(run: string): boolean {
    for (const g of this.generations.values()) if (g.run === run) return true;
    return false;
  }

  /** An earlier run read back whose files are all gone: its lock file goes, and the lock with it. */
  private releaseIfDone(run: string): void {
    const lock = this.adopted.get(run);
    if (!lock || this.holds(run)) return;
    this.adopted.delete(run);
    lock.release({ remove: true });
  }

  /**
   * Closes the current file (deleted if everything in it is stored) and lets go of the locks: this
   * run's, and those of earlier runs still being stored. A lock file is deleted with the last file of its
   * run; one whose run still has files stays beside them, free, and the next start reads them back.
   */
  close(): void {
    const g = this.generations.get(this.current);
    if (g && g.fd !== null) {
      fs.closeSync(g.fd);
      g.fd = null;
      this.collect(g);
    }
    this.lock.release({ remove: !this.holds(this.lock.run) });
    for (const [run, lock] of this.adopted) lock.release({ remove: !this.holds(run) });
    this.adopted.clear();
  }
}
