// The processor as real processes: killed mid-batch and restarted, and two draining one PostgreSQL
// inbox at once. Each must leave exactly the tables that processing every event once, in order, leaves.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { upsertShop } from "~/models/store.server";
import { storeEvent } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { createTestDb } from "../helpers/db";
import { ROOT } from "../helpers/env";
import { eventStream, type TestEvent } from "../helpers/payloads";
import { snapshot } from "../helpers/tables";

const now = new Date("2026-06-02T00:00:00Z");
const events = eventStream({ customers: 300, seed: 5 });

async function deliver(db: Db, shop: string, list: TestEvent[]): Promise<void> {
  await upsertShop(db, { domain: shop, name: shop, currencyCode: "USD", ianaTimezone: "UTC" });
  for (const e of list) {
    await storeEvent(
      db,
      {
        shop,
        topic: e.topic,
        eventId: e.eventId,
        webhookId: null,
        apiVersion: null,
        triggeredAt: null,
        payload: JSON.stringify(e.payload),
      },
      now,
    );
  }
}

function processor(url: string, args: string[]) {
  // Node itself with tsx's loader, not the `tsx` command: that one runs the CLI in a child process of
  // its own, which a SIGKILL of the command would leave running (and processing).
  const child = spawn(process.execPath, ["--import", "tsx", "app/cli/main.ts", "process-webhooks", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(signal ? null : code)),
  );
  return { child, exited, output: () => output };
}

const comparable = (s: Awaited<ReturnType<typeof snapshot>>) =>
  JSON.parse(JSON.stringify(s, (k, v) => (k === "shop" ? undefined : typeof v === "bigint" ? v.toString() : v)));

describe("a processor killed mid-batch (SQLite)", () => {
  let db: Db;
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, url, close } = await createTestDb("sqlite"));
  });
  afterAll(async () => close());

  it("loses nothing and doubles nothing when restarted", async () => {
    await deliver(db, "reference.myshopify.com", events);
    await new InboxProcessor(db).drain();
    const expected = comparable(await snapshot(db, "reference.myshopify.com"));

    const shop = "killed.myshopify.com";
    await deliver(db, shop, events);
    const done = () => db.prisma.webhookEvent.count({ where: { shop, status: "done" } });
    const first = processor(url, ["--batch", "25", "--lease-ms", "1000", "--progress"]);
    // Killed as soon as it reports its first committed batch: it is in the middle of the next one.
    await new Promise<void>((resolve) =>
      first.child.stderr.on("data", (c: Buffer) => c.toString().includes("batch") && resolve()),
    );
    first.child.kill("SIGKILL");
    expect(await first.exited).toBeNull();
    const atKill = await done();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(events.length);

    // Its leases run out after a second; the next processor takes the rest.
    await new Promise((r) => setTimeout(r, 1_100));
    const second = processor(url, ["--once", "--json"]);
    expect(await second.exited).toBe(0);
    expect(await db.prisma.webhookEvent.count({ where: { shop, status: { not: "done" } } })).toBe(0);
    expect(comparable(await snapshot(db, shop))).toEqual(expected);
  });
});

describe("two processors draining one PostgreSQL inbox", () => {
  let db: Db;
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, url, close } = await createTestDb("postgres"));
  });
  afterAll(async () => close());

  // Both run as workers, started and watching an empty inbox before the events arrive: a processor
  // that merely loaded faster cannot drain everything before the other has begun (which made this
  // test fail whenever the machine was busy).
  it("process every event exactly once between them", { timeout: 180_000 }, async () => {
    await deliver(db, "reference.myshopify.com", events);
    await new InboxProcessor(db).drain();
    const expected = comparable(await snapshot(db, "reference.myshopify.com"));

    const shop = "shared.myshopify.com";
    const workers = [0, 1].map(() => processor(url, ["--batch", "10", "--progress"]));
    await Promise.all(workers.map((w) => until(() => w.output().includes("watching the inbox"))));
    await deliver(db, shop, events);
    await until(
      async () => (await db.prisma.webhookEvent.count({ where: { shop, status: "done" } })) === events.length,
    );
    for (const w of workers) w.child.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

    // Each batch a worker committed is reported as "batch <events>".
    const processed = workers.map((w) =>
      [...w.output().matchAll(/^batch (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0),
    );
    // Both worked, and between them they claimed each event once: no lease ran out, no event was
    // taken twice.
    expect(processed[0]).toBeGreaterThan(0);
    expect(processed[1]).toBeGreaterThan(0);
    expect(processed[0]! + processed[1]!).toBe(events.length);
    const rows = await db.prisma.webhookEvent.findMany({ where: { shop }, select: { status: true, attempts: true } });
    expect(rows.every((r) => r.status === "done" && r.attempts === 1)).toBe(true);
    expect(comparable(await snapshot(db, shop))).toEqual(expected);
  });
});

/** Waits for a condition, checking every 100 ms (no deadline of its own: the test's timeout is it). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 100));
}
