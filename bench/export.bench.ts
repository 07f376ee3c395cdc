// `npm run bench -- export`: (1) a segment of N members (default 1,000,000) streamed to CSV, with the
// time and the heap/RSS sampled every 50 ms, at N/10 and at N to show memory flat in N; (2) a delta
// sync of 10,000 membership changes (entries of consenting customers) to the local Klaviyo stand-in.
// Customers and members are written straight into the tables (the demo generator's orders are not
// needed for either figure). BENCH_EXPORT_SIZE sets N; BENCH_EXPORT_DIALECTS (default "sqlite").
import os from "node:os";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { databaseConfig } from "~/db/config";
import { openDatabase, type Db } from "~/db/database.server";
import { migrate } from "~/db/migrate.server";
import { join, sql } from "~/db/sql";
import { connectDestination } from "~/export/credentials.server";
import { DEFAULT_FIELDS } from "~/export/csv";
import { csvNodeStream } from "~/export/csv-stream.server";
import { getJob, queueJob } from "~/export/jobs.server";
import { newEncryptionKey } from "~/export/secrets.server";
import { adapterFactory, drainJobs } from "~/export/worker.server";
import { writeMembershipChanges } from "~/models/segments/memberships.server";
import { FakeKlaviyo } from "../tests/helpers/fake-klaviyo";
import { freshDatabase, machine, ROOT, settle, today, writeSection } from "./lib";

const SHOP = "bench-export.myshopify.com";
const MB = 2 ** 20;

async function seed(db: Db, n: number, segmentId: number): Promise<void> {
  const at = new Date("2026-01-01T00:00:00Z");
  const batch = db.dialect === "sqlite" ? 2_000 : 5_000;
  for (let start = 0; start < n; start += batch) {
    const ids = Array.from({ length: Math.min(batch, n - start) }, (_, i) => String(10_000_000 + start + i));
    await db.transaction(async (tx) => {
      if (tx.dialect === "postgres") {
        await tx.run(
          sql`INSERT INTO "Customer" ("shop", "id", "email", "firstName", "lastName", "countryCode", "tags", "emailMarketingState", "createdAt", "updatedAt", "syncedAt")
           SELECT ${SHOP}, u.id, 'c' || u.id || '@example.com', 'First', 'Last, "Q"', 'US', 'vip,=x', CASE WHEN (u.id::bigint % 3) = 0 THEN 'SUBSCRIBED' ELSE 'NOT_SUBSCRIBED' END, ${at}, ${at}, ${at}
           FROM unnest(${ids}::text[]) AS u(id)`,
        );
        await tx.run(
          sql`INSERT INTO "CustomerFacts" ("shop", "customerId", "ordersCount", "amountSpentMinor", "lastOrderAt", "rfmGroup", "computedAt")
           SELECT ${SHOP}, u.id, 3, 12345, ${at}, 'LOYAL', ${at} FROM unnest(${ids}::text[]) AS u(id)`,
        );
        await tx.run(
          sql`INSERT INTO "SegmentMember" ("shop", "segmentId", "customerId", "since") SELECT ${SHOP}, ${segmentId}, u.id, ${at} FROM unnest(${ids}::text[]) AS u(id)`,
        );
        return;
      }
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        await tx.run(
          sql`INSERT INTO "Customer" ("shop", "id", "email", "firstName", "lastName", "countryCode", "tags", "emailMarketingState", "createdAt", "updatedAt", "syncedAt")
           VALUES ${join(part.map((id) => sql`(${SHOP}, ${id}, ${`c${id}@example.com`}, 'First', 'Last, "Q"', 'US', 'vip,=x', ${Number(id) % 3 === 0 ? "SUBSCRIBED" : "NOT_SUBSCRIBED"}, ${at}, ${at}, ${at})`))}`,
        );
        await tx.run(
          sql`INSERT INTO "CustomerFacts" ("shop", "customerId", "ordersCount", "amountSpentMinor", "lastOrderAt", "rfmGroup", "computedAt")
           VALUES ${join(part.map((id) => sql`(${SHOP}, ${id}, 3, 12345, ${at}, 'LOYAL', ${at})`))}`,
        );
        await tx.run(
          sql`INSERT INTO "SegmentMember" ("shop", "segmentId", "customerId", "since") VALUES ${join(part.map((id) => sql`(${SHOP}, ${segmentId}, ${id}, ${at})`))}`,
        );
      }
    });
  }
  await db.run(sql`UPDATE "Segment" SET "memberCount" = ${n} WHERE "id" = ${segmentId}`);
}

type CsvFigure = {
  members: number;
  seconds: number;
  bytes: number;
  heapPeakMb: number;
  heapBaseMb: number;
  rssPeakMb: number;
  rssBaseMb: number;
};

async function csvRun(db: Db, segmentId: number, members: number): Promise<CsvFigure> {
  global.gc?.();
  const heapBase = process.memoryUsage().heapUsed;
  const rssBase = process.memoryUsage().rss;
  let heapPeak = heapBase;
  let rssPeak = rssBase;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    rssPeak = Math.max(rssPeak, m.rss);
  }, 50);
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done();
    },
  });
  const started = performance.now();
  await pipeline(
    csvNodeStream(db, { shop: SHOP, segmentId, fields: DEFAULT_FIELDS, bom: true, now: new Date(), pageSize: 5_000 }),
    sink,
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  return {
    members,
    seconds,
    bytes,
    heapPeakMb: heapPeak / MB,
    heapBaseMb: heapBase / MB,
    rssPeakMb: rssPeak / MB,
    rssBaseMb: rssBase / MB,
  };
}

async function deltaSync(
  db: Db,
  segmentId: number,
  changes: number,
): Promise<{ seconds: number; sent: number; requests: number }> {
  const key = "pk_bench_0123456789abcdef";
  const fake = await new FakeKlaviyo(key).start();
  process.env.TAILORED_ENCRYPTION_KEY ??= newEncryptionKey();
  process.env.KLAVIYO_API_ORIGIN = fake.url;
  try {
    await connectDestination(db, { shop: SHOP, service: "klaviyo", apiKey: key, now: new Date() });
    // The segment was exported once (its list made, its sync cursor set) while it was empty of these.
    await db.run(sql`DELETE FROM "SegmentMember" WHERE "shop" = ${SHOP} AND "segmentId" = ${segmentId}`);
    await queueJob(db, { shop: SHOP, segmentId, target: "klaviyo", mode: "full", now: new Date(), keepInSync: true });
    const adapters = adapterFactory(db, {
      clientOptions: { pollMs: 20 },
      adminClient: () => Promise.reject(new Error("no")),
    });
    await drainJobs(db, { adapters, shop: SHOP });
    // 10,000 consenting customers enter.
    const ids = Array.from({ length: changes }, (_, i) => String(10_000_002 + i * 3));
    await db.transaction((tx) =>
      writeMembershipChanges(tx, {
        shop: SHOP,
        at: new Date(),
        changes: ids.map((customerId) => ({ segmentId, customerId, entered: true })),
      }),
    );
    const before = fake.log.length;
    const started = performance.now();
    const { job } = await queueJob(db, { shop: SHOP, segmentId, target: "klaviyo", mode: "sync", now: new Date() });
    await drainJobs(db, { adapters, shop: SHOP });
    const seconds = (performance.now() - started) / 1000;
    const done = (await getJob(db, { shop: SHOP, id: job.id }))!;
    if (done.status !== "done" || fake.imported.length !== changes)
      throw new Error(`sync did not send the ${changes}: ${JSON.stringify(done)}`);
    return { seconds, sent: done.sent, requests: fake.log.length - before };
  } finally {
    await fake.close();
  }
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_EXPORT_SIZE ?? 1_000_000);
  const dialects = (process.env.BENCH_EXPORT_DIALECTS ?? "sqlite").split(",") as ("sqlite" | "postgres")[];
  const rows: string[] = [];
  const syncRows: string[] = [];
  for (const dialect of dialects) {
    const url = await freshDatabase(dialect, `bench_export_${dialect}`);
    const config = databaseConfig(url, ROOT);
    await migrate(config, ROOT);
    const db = openDatabase(config);
    try {
      await db.run(
        sql`INSERT INTO "Shop" ("domain", "installedAt", "createdAt", "updatedAt") VALUES (${SHOP}, ${new Date()}, ${new Date()}, ${new Date()})`,
      );
      const figures: CsvFigure[] = [];
      for (const size of [Math.round(n / 10), n]) {
        const [segment] = await db.all(
          sql`INSERT INTO "Segment" ("shop", "name", "query", "rule", "createdAt", "updatedAt") VALUES (${SHOP}, ${`All ${size}`}, 'x', '{}', ${new Date()}, ${new Date()}) RETURNING "id"`,
        );
        const segmentId = Number(segment!.id);
        const seedStart = performance.now();
        if (size === n) await db.run(sql`DELETE FROM "SegmentMember" WHERE "shop" = ${SHOP}`);
        if (size === n) await db.run(sql`DELETE FROM "CustomerFacts" WHERE "shop" = ${SHOP}`);
        if (size === n) await db.run(sql`DELETE FROM "Customer" WHERE "shop" = ${SHOP}`);
        await seed(db, size, segmentId);
        // As the app's own bulk loads do (refreshPlannerStatistics after a seed or backfill) and autovacuum
        // would: without statistics PostgreSQL reads a shop's whole Customer table for each batch of a
        // delta sync's 1,000 customers by id (about 1.3 s a batch at 1M, 13 s of the 10k sync).
        await settle(db);
        console.log(`${dialect}: seeded ${size} members in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
        const figure = await csvRun(db, segmentId, size);
        console.log(
          `${dialect}: CSV of ${size}: ${figure.seconds.toFixed(2)} s, heap peak ${figure.heapPeakMb.toFixed(0)} MB, RSS peak ${figure.rssPeakMb.toFixed(0)} MB`,
        );
        figures.push(figure);
      }
      for (const f of figures) {
        rows.push(
          `| ${dialect} | ${f.members.toLocaleString("en-US")} | ${f.seconds.toFixed(2)} s | ${(f.bytes / MB).toFixed(0)} MB | ${f.heapBaseMb.toFixed(0)} → ${f.heapPeakMb.toFixed(0)} MB | ${f.rssBaseMb.toFixed(0)} → ${f.rssPeakMb.toFixed(0)} MB |`,
        );
      }
      const lastSegment = await db.all(sql`SELECT MAX("id") AS id FROM "Segment" WHERE "shop" = ${SHOP}`);
      const sync = await deltaSync(db, Number(lastSegment[0]!.id), 10_000);
      console.log(`${dialect}: delta sync of 10,000: ${sync.seconds.toFixed(2)} s, ${sync.requests} requests`);
      syncRows.push(
        `| ${dialect} | 10,000 entries | ${sync.sent.toLocaleString("en-US")} | ${sync.requests} | ${sync.seconds.toFixed(2)} s |`,
      );
    } finally {
      await db.close();
    }
  }
  writeSection(
    "export",
    `## Export (issue 13) — ${today()}

Machine: ${machine()}; load average ${os.loadavg()[0]!.toFixed(2)} when it began. \`npm run bench -- export\` (BENCH_EXPORT_SIZE, BENCH_EXPORT_DIALECTS).

CSV of a segment (default fields, BOM, 5,000 members a page; customers and members written straight
into the tables, then VACUUM ANALYZE / ANALYZE as the app's bulk loads and autovacuum would), the
stream drained into a counting sink; heap and RSS sampled every 50 ms, from
before the stream to its peak. The peak at N and at N/10 is what shows memory flat in N.

| database | members | time | CSV size | heap (before → peak) | RSS (before → peak) |
| --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Delta sync to the local Klaviyo stand-in (tests/helpers/fake-klaviyo.ts): 10,000 consenting customers
enter a segment kept in sync; one sync job sends them (1,000 a batch: one import job each, polled, its
profile ids read 100 a page, one subscription job; a checkpoint per batch).

| database | changes | sent | requests | time |
| --- | --- | --- | --- | --- |
${syncRows.join("\n")}`,
  );
}
