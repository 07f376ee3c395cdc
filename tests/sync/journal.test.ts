// The webhook journal (app/single-node/journal.server.ts): what the production server's HTTP thread writes
// before acknowledging a delivery on SQLite. Records come back exactly; a record cut short ends the
// file; files go once all their records are stored, and what a run that has gone left is read back —
// a run whose lock is free. Here a run "dies" by letting go of its lock (what the OS does when a
// process ends); tests/sync/journal-lock.test.ts does it with other processes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRandom } from "~/demo/random";
import { decodeRecords, encodeRecord, Journal, type JournalRecord } from "~/single-node/journal.server";
import type { RunLock } from "~/single-node/run-lock.server";

const record = (i: number, payload = `{"id":${i}}`): JournalRecord => ({
  shop: "journal.myshopify.com",
  topic: "orders/create",
  eventId: `event-${i}`,
  webhookId: i % 2 ? `webhook-${i}` : null,
  apiVersion: "2025-07",
  triggeredAt: i % 3 ? 1_760_000_000_000 + i : null,
  receivedAt: 1_760_000_000_500 + i,
  payload,
});

const files = (dir: string, ending = ".journal") =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ending))
    .sort();

/** The process that holds `journal` ends without closing it: the OS lets go of its lock, its files stay. */
const dies = (journal: Journal) => (journal as unknown as { lock: RunLock }).lock.release({ remove: false });

describe("webhook journal", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-journal-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads back what it wrote, bodies byte for byte (newlines, quotes, emoji), and stops at a record cut short", () => {
    const records = [record(1), record(2, '{\n  "note": "two\\nlines, \\"quoted\\" 🎉 ünïcode"\n}'), record(3, "")];
    const data = Buffer.concat(records.map(encodeRecord));
    expect(decodeRecords(data)).toEqual({ records, unread: 0 });
    // Cut anywhere: the whole records before the cut, nothing invented after it.
    const random = createRandom(7);
    const ends = records.map((_, i) => Buffer.concat(records.slice(0, i + 1).map(encodeRecord)).length);
    for (let k = 0; k < 200; k++) {
      const cut = Math.floor(random.next() * data.length);
      const whole = ends.filter((end) => end <= cut).length;
      expect(decodeRecords(data.subarray(0, cut))).toEqual({
        records: records.slice(0, whole),
        unread: cut - (ends[whole - 1] ?? 0),
      });
    }
  });

  it("reads back a damaged file up to the damage, and says how much it could not read", () => {
    const base = path.join(dir, "db.sqlite-webhooks");
    const good = encodeRecord(record(1));
    const damaged = Buffer.concat([good, Buffer.from("null\n{}\n"), encodeRecord(record(2))]);
    // A run whose lock file is gone too: no one holds it.
    fs.writeFileSync(`${base}.0old-0.journal`, damaged);
    // The report is expected here: caught for this call only (the suite fails any other console.error).
    const reported: string[] = [];
    const spy = vi.spyOn(console, "error");
    const suite = spy.getMockImplementation();
    spy.mockImplementation((...args: unknown[]) => void reported.push(args.map(String).join(" ")));
    const { journal, recovered } = Journal.open(base);
    spy.mockImplementation(suite ?? (() => undefined));
    expect(recovered.map((r) => r.record)).toEqual([record(1)]);
    expect(reported).toEqual([
      `[journal] db.sqlite-webhooks.0old-0.journal: ${damaged.length - good.length} bytes after its last whole record (1) not read`,
    ]);
    journal.close();
  });

  it("writes a turn's records in one group, and acknowledges each once written", async () => {
    const { journal, recovered } = Journal.open(path.join(dir, "db.sqlite-webhooks"));
    expect(recovered).toEqual([]);
    const appended = [1, 2, 3].map((i) => journal.append(record(i)));
    await Promise.all(appended.map((a) => a.written));
    // Named by the run (its start time and a random part), not by the process id; its lock beside it.
    const [run] = files(dir, ".lock").map((f) => /^db\.sqlite-webhooks\.([0-9a-z]{17})\.lock$/.exec(f)?.[1]);
    expect(run).toBeDefined();
    expect(files(dir)).toEqual([`db.sqlite-webhooks.${run}-0.journal`]);
    expect(decodeRecords(fs.readFileSync(path.join(dir, files(dir)[0]!))).records).toEqual(
      [1, 2, 3].map((i) => record(i)),
    );
    expect(journal.outstanding).toBe(3);
    for (const a of appended) journal.stored(a.generation);
    expect(journal.outstanding).toBe(0);
    journal.close();
    // Closed with everything stored: nothing left to read back, and the lock file gone with it.
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("closes and deletes the current file as soon as everything in it is stored; the next record starts a new one", async () => {
    const { journal } = Journal.open(path.join(dir, "db.sqlite-webhooks"));
    const appended = [1, 2, 3].map((i) => journal.append(record(i)));
    await Promise.all(appended.map((a) => a.written));
    const [held] = files(dir);
    for (const a of appended.slice(0, 2)) journal.stored(a.generation);
    expect(files(dir)).toEqual([held]);
    journal.stored(appended[2]!.generation);
    // Only the new, empty current file is left: no delivery waits on disk once it is in the inbox.
    expect(files(dir)).toHaveLength(1);
    expect(files(dir)).not.toContain(held);
    expect(fs.statSync(path.join(dir, files(dir)[0]!)).size).toBe(0);
    const next = journal.append(record(4));
    expect(next.generation).toBe(appended[0]!.generation + 1);
    // Stored (handed over at once) before its group was written: the file goes once written.
    journal.stored(next.generation);
    await next.written;
    expect(files(dir).map((f) => fs.statSync(path.join(dir, f)).size)).toEqual([0]);
    journal.close();
    expect(files(dir)).toEqual([]);
  });

  it("closes the current file when told to (after an erasure): it goes once its records are stored", async () => {
    const { journal } = Journal.open(path.join(dir, "db.sqlite-webhooks"));
    const a = [1, 2].map((i) => journal.append(record(i)));
    await Promise.all(a.map((x) => x.written));
    const [held] = files(dir);
    journal.stored(a[0]!.generation);
    journal.retire();
    const b = journal.append(record(3));
    expect(b.generation).toBe(a[0]!.generation + 1);
    await b.written;
    expect(files(dir)).toHaveLength(2);
    journal.stored(a[1]!.generation);
    expect(files(dir)).not.toContain(held);
    // Told while a group waits to be written: the file is closed after that write.
    const c = journal.append(record(4));
    journal.retire();
    await c.written;
    const d = journal.append(record(5));
    expect(d.generation).toBe(c.generation + 1);
    await d.written;
    journal.close();
  });

  it("starts a new file past its size, and deletes a full one once all its records are stored", async () => {
    const { journal } = Journal.open(path.join(dir, "db.sqlite-webhooks"), { rotateBytes: 1_000 });
    const appended = [];
    for (let i = 0; i < 40; i++) {
      const a = journal.append(record(i, JSON.stringify({ id: i, pad: "x".repeat(100) })));
      await a.written;
      appended.push(a);
    }
    const generations = [...new Set(appended.map((a) => a.generation))];
    expect(generations.length).toBeGreaterThan(3);
    expect(files(dir).length).toBe(generations.length + 1); // and the new, empty current one
    // The first file's records stored, out of order: that file goes, the others stay.
    for (const a of appended.filter((x) => x.generation === generations[0]).reverse()) journal.stored(a.generation);
    expect(files(dir).some((f) => f.endsWith(`-${generations[0]}.journal`))).toBe(false);
    expect(files(dir).length).toBe(generations.length);
    journal.close();
  });

  it("refuses a group whose write fails, and puts the next ones in a new file, readable after the cut", async () => {
    const base = path.join(dir, "db.sqlite-webhooks");
    const { journal } = Journal.open(base);
    const first = journal.append(record(1));
    await first.written;
    // The file's writes fail (as on a full disk or a bad device): its descriptor is swapped for one
    // that is not open.
    const internals = journal as unknown as { generations: Map<number, { fd: number | null }>; current: number };
    const generation = internals.generations.get(internals.current)!;
    const real = generation.fd!;
    generation.fd = 1_000_000;
    const failed = journal.append(record(2));
    await expect(failed.written).rejects.toThrow();
    const next = journal.append(record(3));
    await next.written;
    expect(next.generation).toBeGreaterThan(first.generation);
    expect(journal.outstanding).toBe(2); // 1 and 3; 2 was never acknowledged
    fs.closeSync(real);
    dies(journal);
    // A restart reads back what was acknowledged, and nothing else.
    const restarted = Journal.open(base);
    expect(restarted.recovered.map((r) => r.record.eventId)).toEqual(["event-1", "event-3"]);
    restarted.journal.close();
  });

  it("gives back, in order, what a run that died had not stored, and goes on after it", async () => {
    const base = path.join(dir, "db.sqlite-webhooks");
    const first = Journal.open(base, { rotateBytes: 600 }).journal;
    // Another server on the same database, still running (here: a second journal of this process,
    // holding its lock; other processes in journal-lock.test.ts): its files are its own, neither read
    // back nor deleted. It leaves the first one's files alone too, as that one is running.
    const other = Journal.open(base);
    expect(other.recovered).toEqual([]);
    await other.journal.append(record(500)).written;
    const run = (journal: Journal) => (journal as unknown as { lock: RunLock }).lock.run;
    const otherFiles = () => fs.readdirSync(dir).filter((f) => f.includes(run(other.journal)));
    const held = otherFiles();
    expect(held).toEqual([
      `db.sqlite-webhooks.${run(other.journal)}-0.journal`,
      `db.sqlite-webhooks.${run(other.journal)}.lock`,
    ]);
    const appended = [];
    for (let i = 0; i < 10; i++) {
      const a = first.append(record(i));
      await a.written;
      appended.push(a);
    }
    // Stored: the first four. Then the process dies (no close).
    for (const a of appended.slice(0, 4)) first.stored(a.generation);
    dies(first);

    const { journal, recovered } = Journal.open(base);
    // A file is read back whole (a record may be in it and in the inbox: the inbox ignores the copy).
    const back = recovered.map((r) => r.record.eventId);
    expect(back).toEqual(expect.arrayContaining(appended.slice(4).map((_, k) => `event-${k + 4}`)));
    expect(back).toEqual([...back].sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1])));
    expect(back).not.toContain("event-500");
    expect(journal.outstanding).toBe(recovered.length);
    const next = journal.append(record(99));
    await next.written;
    expect(next.generation).toBeGreaterThan(Math.max(...recovered.map((r) => r.generation)));
    // The dead run's lock is held by its reader until its files are gone; then its lock file goes.
    expect(fs.existsSync(`${base}.${run(first)}.lock`)).toBe(true);
    for (const r of recovered) journal.stored(r.generation);
    expect(fs.readdirSync(dir).filter((f) => f.includes(run(first)))).toEqual([]);
    journal.stored(next.generation);
    journal.close();
    expect(otherFiles().sort()).toEqual(held.sort());
    // Closed with a record not stored, its file stays, and its lock file beside it (free now: the next
    // start reads it back); once stored, both go.
    other.journal.close();
    expect(otherFiles().sort()).toEqual(held.sort());
    const last = Journal.open(base);
    expect(last.recovered.map((r) => r.record.eventId)).toEqual(["event-500"]);
    last.journal.stored(last.recovered[0]!.generation);
    last.journal.close();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("reads back files named by the process id (before the run lock) as it did: of a process that is not running, or this one", () => {
    const base = path.join(dir, "db.sqlite-webhooks");
    // No process has an id past the kernel's largest (2^22).
    const gone = 2 ** 22 + 1;
    fs.writeFileSync(`${base}.${gone}-old-0.journal`, encodeRecord(record(1)));
    fs.writeFileSync(`${base}.${process.pid}-old-1.journal`, encodeRecord(record(2)));
    const live = `db.sqlite-webhooks.${process.ppid}-old-0.journal`;
    fs.writeFileSync(path.join(dir, live), encodeRecord(record(3)));
    const { journal, recovered } = Journal.open(base);
    expect(recovered.map((r) => r.record.eventId).sort()).toEqual(["event-1", "event-2"]);
    for (const r of recovered) journal.stored(r.generation);
    journal.close();
    expect(fs.readdirSync(dir)).toEqual([live]);
  });
});
