// Who may read back a webhook journal (docs/decisions/017-sqlite-single-node.md): only a server that can
// take the lock its run's owner holds for as long as it lives, whatever process ids say. Two containers
// sharing a volume each have their own PID namespace: from one, the other's live server is an id that
// is not running, or belongs to some unrelated process. Here the owners are other processes
// (tests/fixtures/single-node/journal-owner.ts), and this process's `process.kill` is made to lie both
// ways.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { journalFor } from "~/single-node/index.server";
import { lockFile, RunLock } from "~/single-node/run-lock.server";
import { ROOT } from "../helpers/env";

const OWNER = path.join(ROOT, "tests", "fixtures", "single-node", "journal-owner.ts");

type Owner = {
  child: ChildProcess;
  run: string;
  recovered: string[];
  appended: string[];
  lines: AsyncIterator<string>;
};

describe("webhook journals of other processes", () => {
  let dir: string;
  let file: string;
  const owners: ChildProcess[] = [];
  let lying: { mockRestore(): void } | undefined;

  /** Another server's journal, `count` records appended and none stored, in a process of its own. */
  async function owner(count: number): Promise<Owner> {
    const child = spawn(process.execPath, ["--import", "tsx", OWNER, file, String(count)], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "inherit"],
    });
    owners.push(child);
    const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error("the journal owner ended without a word");
    return { child, lines, ...(JSON.parse(first.value) as Omit<Owner, "child" | "lines">) };
  }

  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const named = (run: string) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.includes(run))
      .sort();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-journal-lock-"));
    file = path.join(dir, "db.sqlite");
  });
  afterEach(async () => {
    lying?.mockRestore();
    lying = undefined;
    for (const child of owners.splice(0)) {
      child.kill("SIGKILL");
      await exited(child);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("never reads back a live owner's journal, even when every process id looks dead from here", async () => {
    const a = await owner(3);
    // Named by the run, not the process: nothing in the names to mistake for another namespace's pid.
    const files = named(a.run);
    expect(files).toEqual([`db.sqlite-webhooks.${a.run}-0.journal`, `db.sqlite-webhooks.${a.run}.lock`]);
    expect(files.some((f) => f.includes(String(a.child.pid)))).toBe(false);

    // What a server in another container sees: no process with that id (the PID test's mistake).
    const kill = vi.spyOn(process, "kill").mockImplementation(() => {
      throw Object.assign(new Error("kill ESRCH"), { code: "ESRCH" });
    });
    lying = kill;
    const here = journalFor(file);
    expect(here.recovered).toEqual([]);
    here.journal.close();
    expect(kill).not.toHaveBeenCalled();
    // Nor does a server starting in another process.
    const b = await owner(0);
    expect(b.recovered).toEqual([]);
    b.child.stdin!.write("close\n");
    expect((await b.lines.next()).value).toBe("closed");
    await exited(b.child);

    // The owner's files are as it left them, and still its own to store and delete: a clean stop
    // leaves nothing behind, its lock file included.
    expect(named(a.run)).toEqual(files);
    a.child.stdin!.write("close\n");
    expect((await a.lines.next()).value).toBe("closed");
    await exited(a.child);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("reads back a killed owner's journal, even when its process id looks alive (reused), then lets its lock file go", async () => {
    const a = await owner(3);
    a.child.kill("SIGKILL");
    await exited(a.child);
    // The OS let go of its lock; its files stay.
    expect(named(a.run)).toEqual([`db.sqlite-webhooks.${a.run}-0.journal`, `db.sqlite-webhooks.${a.run}.lock`]);

    // Its id taken by some unrelated process since.
    lying = vi.spyOn(process, "kill").mockImplementation(() => true);
    const { journal, recovered } = journalFor(file);
    expect(recovered.map((r) => r.record.eventId)).toEqual(a.appended);
    // Held by this reader until stored: another server starting now leaves them alone.
    const b = await owner(0);
    expect(b.recovered).toEqual([]);
    for (const r of recovered) journal.stored(r.generation);
    expect(named(a.run)).toEqual([]);
    journal.close();
    b.child.stdin!.write("close\n");
    expect((await b.lines.next()).value).toBe("closed");
    await exited(b.child);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("leaves a killed owner's journal to be read back by a starting server in another process", async () => {
    const a = await owner(2);
    a.child.kill("SIGKILL");
    await exited(a.child);
    const b = await owner(1);
    expect(b.recovered).toEqual(a.appended);
    b.child.stdin!.write("close\n");
    expect((await b.lines.next()).value).toBe("closed");
    await exited(b.child);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("the run lock", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-run-lock-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is held until released, writes nothing, and is taken by another only then", () => {
    const base = path.join(dir, "db.sqlite-webhooks");
    const lock = RunLock.acquire(base);
    expect(lock.run).toMatch(/^[0-9a-z]{17}$/);
    // Busy to any other connection (another process's, or this one's), with no wait.
    expect(RunLock.adopt(base, lock.run, { create: true })).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([path.basename(lockFile(base, lock.run))]);
    expect(fs.statSync(lockFile(base, lock.run)).size).toBe(0);
    lock.release({ remove: false });
    const taken = RunLock.adopt(base, lock.run, { create: false });
    expect(taken?.held).toBe(true);
    taken!.release({ remove: true });
    expect(fs.readdirSync(dir)).toEqual([]);
    // A run known only by a lock file that has gone meanwhile: nothing is made for it.
    expect(RunLock.adopt(base, lock.run, { create: false })).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
