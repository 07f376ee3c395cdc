// A job killed halfway resumes where it stopped, and the stand-in receives each member exactly once:
// the runner works in a process of its own (tests/fixtures/export/run-jobs.ts), killed with SIGKILL
// while its third batch's request is in flight (held unanswered by the stand-in, so never accepted);
// the next runner takes the job once the dead one's lease has run out. On both databases.
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { connectDestination } from "~/export/credentials.server";
import { claimJob, getJob, queueJob } from "~/export/jobs.server";
import { newEncryptionKey } from "~/export/secrets.server";
import { adapterFactory, drainJobs, LEASE_MS } from "~/export/worker.server";
import { createSegment } from "~/models/segments/definitions.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { ROOT } from "../helpers/env";
import { FakeKlaviyo } from "../helpers/fake-klaviyo";
import { eventually } from "../helpers/privacy";
import { customer } from "../helpers/rows";

const SHOP = "export-resume.myshopify.com";
const KEY = "pk_resume_0123456789abcdef";
const RUNNER = path.join(ROOT, "tests", "fixtures", "export", "run-jobs.ts");
const now = new Date("2026-06-02T00:00:00Z");
const people = Array.from({ length: 35 }, (_, i) =>
  customer({ id: String(8000 + i), email: `r${i}@example.com`, tags: ["loyal"] }),
);

describe.each(DIALECTS)("a killed export job on %s", (dialect) => {
  let db: Db;
  let url: string;
  let close: () => Promise<void>;
  let fake: FakeKlaviyo;
  const encryptionKey = newEncryptionKey();

  beforeAll(async () => {
    ({ db, url, close } = await createTestDb(dialect));
    fake = await new FakeKlaviyo(KEY).start();
    vi.stubEnv("TAILORED_ENCRYPTION_KEY", encryptionKey);
    vi.stubEnv("KLAVIYO_API_ORIGIN", fake.url);
    await upsertShop(db, { domain: SHOP, name: "Resume", currencyCode: "USD", ianaTimezone: "UTC" });
    await upsertCustomers(db, { shop: SHOP, rows: people, now });
    await connectDestination(db, { shop: SHOP, service: "klaviyo", apiKey: KEY, now });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await fake.close();
    await close();
  });

  it("resumes after the last checkpoint, and every member reaches Klaviyo exactly once", async () => {
    const segmentId = await createSegment(db, {
      shop: SHOP,
      name: "Loyal",
      query: "customer_tags CONTAINS 'loyal'",
      now,
    });
    const { job } = await queueJob(db, { shop: SHOP, segmentId, target: "klaviyo", mode: "full", now: new Date() });
    // Two import jobs accepted, the third held: the runner is then killed with its request in flight.
    fake.hold = (method, p) =>
      method === "POST" &&
      p === "/api/profile-bulk-import-jobs" &&
      fake.count("POST", /^\/api\/profile-bulk-import-jobs$/) >= 2;
    const child = spawn(process.execPath, ["--import", "tsx", RUNNER], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        DATABASE_URL: url,
        TAILORED_ENCRYPTION_KEY: encryptionKey,
        KLAVIYO_API_ORIGIN: fake.url,
        EXPORT_BATCH: "10",
      },
    });
    const lines: string[] = [];
    readline.createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    await eventually(
      () => fake.log.some((l) => l.status === 0),
      (held) => held,
      { timeoutMs: 60_000 },
    );
    child.kill("SIGKILL");
    await exited;
    fake.release();

    const halfway = (await getJob(db, { shop: SHOP, id: job.id }))!;
    expect(halfway).toMatchObject({ status: "running", sent: 20, cursor: "m:8019" });
    expect(lines).toHaveLength(2);
    // Its lease still holds: nobody takes the job yet.
    expect(await claimJob(db, { now: new Date(), leaseMs: LEASE_MS })).toBeNull();

    // Later, past the lease: the next runner resumes from the cursor.
    const later = () => new Date(Date.now() + LEASE_MS + 1_000);
    await drainJobs(db, {
      now: later,
      adapters: adapterFactory(db, {
        now: later,
        clientOptions: { sleep: async () => undefined, pollMs: 0 },
        batchSize: 10,
        adminClient: () => Promise.reject(new Error("no Shopify here")),
      }),
    });
    const done = (await getJob(db, { shop: SHOP, id: job.id }))!;
    expect(done).toMatchObject({ status: "done", sent: 35, failed: 0, skipped: 0, attempts: 2 });
    const counts = new Map<string, number>();
    for (const email of fake.imported) counts.set(email, (counts.get(email) ?? 0) + 1);
    expect(counts.size).toBe(35);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(fake.subscribed).size).toBe(35);
    expect(fake.subscribed).toHaveLength(35);
  }, 120_000);
});
