// Pixel ingest: Web Pixel batches over loopback HTTP into the production server (server.mjs's direct
// /pixel/events path), on SQLite and on PostgreSQL. Targets (issue 14): >= 5,000 events/s with p99
// <= 50 ms on each database; memberships updated <= 1 s after an event. BENCH_PIXEL_BATCHES sets the
// number of batches (10 events each; default 6,000 = 60,000 events).
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { databaseConfig } from "~/db/config";
import { openDatabase } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import { createSegment } from "~/models/segments/definitions.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { refreshActivity } from "~/pixel/activity.server";
import type { WireBatch, WireEvent } from "~/pixel/events";
import { ensurePixelShop } from "~/pixel/store.server";
import { freshDatabase, machine, ROOT, today, writeSection, startBenchServer } from "./lib";
import { load } from "./load";

const SHOP = "bench-pixel.myshopify.com";
const ORIGIN = `https://${SHOP}`;
const EVENTS_PER_BATCH = 10;
const VISITORS = 5_000;
const CUSTOMERS = 2_000;
const NAMES: WireEvent["name"][] = [
  "page_viewed",
  "product_viewed",
  "product_viewed",
  "collection_viewed",
  "search_submitted",
  "product_added_to_cart",
];

function startServer(url: string, port: number) {
  // BENCH_PIXEL_SERVER_ARGS passes node options to the server (a profile: "--cpu-prof --cpu-prof-dir=DIR").
  return startBenchServer(url, port, {
    secret: "bench-secret",
    args: [
      ...(process.env.BENCH_PIXEL_SERVER_ARGS ? process.env.BENCH_PIXEL_SERVER_ARGS.split(" ") : []),
      "server.mjs",
    ],
    env: process.env.BENCH_PIXEL_BACKGROUND ? { TAILORED_BACKGROUND: process.env.BENCH_PIXEL_BACKGROUND } : {},
  });
}

function request(batch: WireBatch, host: string): Buffer {
  const body = Buffer.from(JSON.stringify(batch), "utf8");
  const head =
    `POST /pixel/events HTTP/1.1\r\nhost: ${host}\r\norigin: ${ORIGIN}\r\n` +
    `content-type: text/plain;charset=UTF-8\r\ncontent-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

let seq = 0;
/** One visitor's batch; one in five visitors is a logged-in customer. */
function batch(key: string, visitor: number, at: number, tag: string): WireBatch {
  const customer = visitor % 5 === 0 ? String(100_000 + (visitor % CUSTOMERS)) : undefined;
  const events: WireEvent[] = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
    const name = NAMES[(visitor + i) % NAMES.length]!;
    const product = name.startsWith("product")
      ? {
          productId: String(7000 + ((visitor * 7 + i) % 90)),
          productType: (visitor + i) % 3 === 0 ? "Coffee Beans" : "Tea",
          vendor: "Roastery",
        }
      : {};
    return {
      id: `${tag}-${seq++}`,
      name,
      timestamp: new Date(at - (EVENTS_PER_BATCH - i) * 1000).toISOString(),
      clientId: `visitor-${tag}-${visitor}`,
      sessionId: `s-${visitor}`,
      ...(customer ? { customerId: customer } : {}),
      ...product,
      ...(name === "search_submitted" ? { query: "espresso beans" } : {}),
      ...(name === "product_added_to_cart" ? { value: { amount: 24.5, currencyCode: "USD" } } : {}),
      ...(name === "collection_viewed" ? { collectionId: "91" } : {}),
    };
  });
  return { shop: SHOP, key, events };
}

async function runOn(dialect: "sqlite" | "postgres", batches: number) {
  const url = await freshDatabase(dialect, "bench_pixel");
  const migrate = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["app/cli/main.ts", "migrate"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
  const now = new Date();
  const setup = openDatabase(databaseConfig(url, ROOT));
  await upsertShop(setup, { domain: SHOP, name: "Bench pixel", currencyCode: "USD", ianaTimezone: "UTC" });
  const key = (await ensurePixelShop(setup, { shop: SHOP, now })).ingestKey;
  const rows = Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: String(100_000 + i),
    email: null,
    firstName: null,
    lastName: null,
    countryCode: null,
    provinceCode: null,
    city: null,
    tags: [],
    emailMarketingState: "NOT_SUBSCRIBED" as const,
    smsMarketingState: "NOT_SUBSCRIBED" as const,
    createdAt: now,
    updatedAt: now,
  }));
  await upsertCustomers(setup, { shop: SHOP, rows, now });
  const withSegments = process.env.BENCH_PIXEL_SEGMENTS !== "0";
  const segmentId = await createSegment(setup, {
    shop: SHOP,
    name: "Coffee browsers",
    query: "products_viewed MATCHES (product_type = 'Coffee Beans', count_at_least = 2, date >= -7d)",
    now,
  });
  await createSegment(setup, {
    shop: SHOP,
    name: "Cart abandoners",
    query: "abandoned_cart MATCHES (date >= -7d)",
    now,
  });
  if (!withSegments) await setup.run(sql`UPDATE "Segment" SET "active" = ${false} WHERE "shop" = ${SHOP}`);

  const port = 4100 + Math.floor(Math.random() * 400);
  const server = await startServer(url, port);
  try {
    const host = `127.0.0.1:${port}`;
    const at = Date.now();
    const warmup = Array.from({ length: 500 }, (_, i) => request(batch(key, i % VISITORS, at, "w"), host));
    const requests = Array.from({ length: batches }, (_, i) => request(batch(key, i % VISITORS, at, "m"), host));
    await load(port, warmup, 16);
    const loadBefore = os.loadavg()[0]!;
    const report = await load(port, requests, 16);

    // Membership lag: a fresh customer qualifies with one batch; how long until they are a member.
    const lags: number[] = [];
    for (let i = 0; i < (withSegments ? 20 : 0); i++) {
      const customerId = String(100_000 + i * 37);
      const probe: WireBatch = {
        shop: SHOP,
        key,
        events: [0, 1].map((k) => ({
          id: `probe-${i}-${k}`,
          name: "product_viewed" as const,
          timestamp: new Date().toISOString(),
          clientId: `probe-${i}`,
          customerId,
          productId: "7001",
          productType: "Coffee Beans",
        })),
      };
      await setup.run(
        sql`DELETE FROM "SegmentMember" WHERE "shop" = ${SHOP} AND "segmentId" = ${segmentId} AND "customerId" = ${customerId}`,
      );
      await setup.run(sql`UPDATE "Customer" SET "segmentIds" = ',' WHERE "shop" = ${SHOP} AND "id" = ${customerId}`);
      await setup.transaction(async (tx) => {
        await tx.run(sql`DELETE FROM "PixelEvent" WHERE "shop" = ${SHOP} AND "customerId" = ${customerId}`);
        await refreshActivity(tx, { shop: SHOP, customerIds: [customerId] });
      });
      const t0 = performance.now();
      const answer = await fetch(`http://${host}/pixel/events`, {
        method: "POST",
        headers: { origin: ORIGIN, "content-type": "text/plain" },
        body: JSON.stringify(probe),
      });
      if (answer.status !== 200) throw new Error(`probe answered ${answer.status}: ${await answer.text()}`);
      for (;;) {
        const member = await setup.all(
          sql`SELECT "customerId" FROM "SegmentMember" WHERE "shop" = ${SHOP} AND "segmentId" = ${segmentId} AND "customerId" = ${customerId}`,
          decoder({ customerId: text }),
        );
        if (member.length > 0) break;
        if (performance.now() - t0 > 10_000) throw new Error("membership never updated");
        await new Promise((r) => setTimeout(r, 5));
      }
      lags.push(performance.now() - t0);
    }
    const stored = await setup.all(
      sql`SELECT COUNT(*) AS n FROM "PixelEvent" WHERE "shop" = ${SHOP}`,
      decoder({ n: (v) => Number(v) }),
    );
    lags.sort((a, b) => a - b);
    return {
      report,
      loadBefore,
      events: (report.byStatus["200"] ?? 0) * EVENTS_PER_BATCH,
      stored: stored[0]!.n,
      lagP50: Math.round(lags[Math.floor(lags.length / 2)] ?? NaN),
      lagMax: Math.round(lags[lags.length - 1] ?? NaN),
    };
  } finally {
    server.kill("SIGTERM");
    await setup.close();
  }
}

export async function run(): Promise<void> {
  const batches = Number(process.env.BENCH_PIXEL_BATCHES ?? 6_000);
  const build = spawnSync(path.join(ROOT, "node_modules", ".bin", "remix"), ["vite:build"], {
    cwd: ROOT,
    stdio: "ignore",
  });
  if (build.status !== 0) throw new Error("build failed");
  const rows: string[] = [];
  const dialects = (process.env.BENCH_PIXEL_DIALECTS ?? "sqlite,postgres").split(",") as ("sqlite" | "postgres")[];
  for (const dialect of dialects) {
    const r = await runOn(dialect, batches);
    const eventsPerSecond = Math.round(r.report.perSecond * EVENTS_PER_BATCH);
    console.log(dialect, JSON.stringify({ ...r, eventsPerSecond }));
    rows.push(
      `| ${dialect} | ${r.events.toLocaleString("en-US")} of ${(r.report.sent * EVENTS_PER_BATCH).toLocaleString("en-US")} (${r.stored.toLocaleString("en-US")} stored) | ${eventsPerSecond.toLocaleString("en-US")} | ${r.report.latencyMs.p50} / ${r.report.latencyMs.p99} / ${r.report.latencyMs.max} ms | ${r.lagP50} / ${r.lagMax} ms | ${r.loadBefore.toFixed(2)} |`,
    );
  }
  const markdown = `## Pixel ingest (\`npm run bench -- pixel\`)

Measured ${today()} on ${machine()} (the table gives the load average
when each run began). ${batches.toLocaleString("en-US")} batches of ${EVENTS_PER_BATCH} Web Pixel events (${VISITORS.toLocaleString("en-US")} visitors, one in
five logged in as one of ${CUSTOMERS.toLocaleString("en-US")} customers), serialised before the clock starts, 16 kept-alive connections
from the lean load generator (bench/load.ts) into the production server's direct /pixel/events path
(server.mjs): validated, key and origin checked, rate-limited per visitor, stitched and stored; two
behavioural segments active, so logged-in visitors' memberships are re-evaluated after each answer.
"Membership lag" is 20 probes, one at a time after the load: a batch that makes a customer qualify
for a segment, timed from the request until the member row is readable.

| database | events accepted | events/s | latency p50 / p99 / max | membership lag p50 / max | load avg before |
| --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Targets: >= 5,000 events/s, p99 <= 50 ms on each database; membership lag <= 1,000 ms. The behavioural
preview count over 10M stored events has its own benchmark (\`npm run bench -- pixel-preview\`).`;
  console.log(markdown);
  writeSection("pixel", markdown);
}
