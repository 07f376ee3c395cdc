// Proxy: the storefront's app proxy requests, signed as Shopify signs them, at a fixed rate over
// loopback into the production server (server.mjs), on SQLite and on PostgreSQL. Target (issue 12):
// 500 requests/s for 30 s, p99 <= 20 ms, no errors.
//
// Open loop: requests are sent on a fixed schedule whatever the answers do (a closed loop would slow
// down with the server and hide its queueing), each latency is measured from its scheduled time, over a
// pool of kept-alive connections. The mix: half logged-in customers (any of the shop's, so most miss
// any cache), half anonymous visitors (with a country, a visitor id, some new), banner and
// recommendations alternately, some with a product page's id. BENCH_PROXY_SECONDS, BENCH_PROXY_RATE,
// BENCH_PROXY_CUSTOMERS and BENCH_PROXY_DIALECTS (sqlite,postgres) change the run.
import { spawnSync, type ChildProcess } from "node:child_process";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { signedProxyQuery } from "~/storefront/proxy-signing";
import { freshDatabase, machine, ROOT, today, writeSection, startBenchServer } from "./lib";

const SECRET = "bench-proxy-secret";
const SHOP = "tailored-demo.myshopify.com";

function tsx(args: string[], url: string): string {
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["app/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  if (result.status !== 0) throw new Error(`tailored ${args.join(" ")} failed:\n${result.stderr}`);
  return result.stdout;
}

function startServer(url: string, port: number): Promise<ChildProcess> {
  return startBenchServer(url, port, { secret: SECRET });
}

type Run = { sent: number; byStatus: Record<string, number>; p50: number; p99: number; max: number; rate: number };

/** Sends `rate` requests a second for `seconds`, each from `next()`, on a schedule. */
async function paced(port: number, rate: number, seconds: number, next: () => string): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const byStatus: Record<string, number> = {};
  const started = performance.now();
  let sent = 0;
  const inflight: Promise<void>[] = [];
  const one = (i: number, scheduled: number) =>
    new Promise<void>((resolve) => {
      const req = http.get({ host: "127.0.0.1", port, path: next(), agent }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies[i] = performance.now() - scheduled;
          const key = String(res.statusCode);
          byStatus[key] = (byStatus[key] ?? 0) + 1;
          resolve();
        });
      });
      req.on("error", (error) => {
        latencies[i] = performance.now() - scheduled;
        byStatus[`error: ${error.message}`] = (byStatus[`error: ${error.message}`] ?? 0) + 1;
        resolve();
      });
    });
  while (sent < total) {
    const now = performance.now();
    // Every request whose time has come goes now (a late timer sends a small burst, as a client would).
    while (sent < total && started + (sent * 1000) / rate <= now) {
      inflight.push(one(sent, started + (sent * 1000) / rate));
      sent += 1;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return {
    sent: total,
    byStatus,
    p50: q(0.5),
    p99: q(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    rate: total / elapsed,
  };
}

function requestMaker(customers: readonly string[], products: readonly string[]): () => string {
  let n = 0;
  const countries = ["US", "CA", "GB", "DE", "FR", "AU"];
  return () => {
    n += 1;
    const kind = n % 2 === 0 ? "banner" : "recommendations";
    const loggedIn = n % 4 < 2;
    const query: Record<string, string> = { country: countries[n % countries.length]! };
    if (!loggedIn) {
      query.vid = `bench-visitor-${n % 5000}`;
      if (n % 7 === 0) query.new = "1";
    }
    if (kind === "recommendations") {
      query.limit = "4";
      if (n % 3 === 0) query.product_id = products[n % products.length]!;
    }
    const params = signedProxyQuery(query, {
      shop: SHOP,
      customerId: loggedIn ? customers[(n * 7919) % customers.length]! : null,
      secret: SECRET,
      now: new Date(),
    });
    return `/proxy/${kind}?${params.toString()}`;
  };
}

async function measure(dialect: "sqlite" | "postgres", customersCount: number, rate: number, seconds: number) {
  const url = await freshDatabase(dialect, "bench_proxy");
  tsx(["seed", "--customers", String(customersCount), "--json"], url);
  tsx(["campaigns", "demo", "--shop", SHOP, "--json"], url);
  // Customer and product ids for the requests, read as the CLI sees them.
  const { openDatabase } = await import("~/db/database.server");
  const { databaseConfig } = await import("~/db/config");
  const db = openDatabase(databaseConfig(url, ROOT));
  const customers = (await db.prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true } })).map(
    (c) => c.id,
  );
  const products = (await db.prisma.product.findMany({ where: { shop: SHOP }, select: { id: true } })).map((p) => p.id);
  const campaigns = await db.prisma.campaign.count({ where: { shop: SHOP, status: "active" } });
  await db.close();
  const port = 4100 + Math.floor(Math.random() * 800);
  const server = await startServer(url, port);
  try {
    const next = requestMaker(customers, products);
    await paced(port, rate, Math.min(5, seconds), next); // warm-up: JIT, prepared statements, caches
    const loadBefore = os.loadavg()[0]!;
    const run = await paced(port, rate, seconds, next);
    return { dialect, customers: customers.length, campaigns, loadBefore, ...run };
  } finally {
    server.kill("SIGTERM");
  }
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_PROXY_SECONDS ?? 30);
  const rate = Number(process.env.BENCH_PROXY_RATE ?? 500);
  const customers = Number(process.env.BENCH_PROXY_CUSTOMERS ?? 20_000);
  const build = spawnSync(path.join(ROOT, "node_modules", ".bin", "remix"), ["vite:build"], {
    cwd: ROOT,
    stdio: "ignore",
  });
  if (build.status !== 0) throw new Error("build failed");
  const results = [];
  const dialects = (process.env.BENCH_PROXY_DIALECTS ?? "sqlite,postgres").split(",") as ("sqlite" | "postgres")[];
  for (const dialect of dialects) results.push(await measure(dialect, customers, rate, seconds));
  const ms = (x: number) => x.toFixed(1);
  const rows = results.map((r) => {
    const ok = r.byStatus["200"] ?? 0;
    const other = Object.entries(r.byStatus)
      .filter(([k]) => k !== "200")
      .map(([k, v]) => `${v} × ${k}`)
      .join(", ");
    return `| ${r.dialect} | ${r.sent.toLocaleString("en-US")} at ${r.rate.toFixed(0)}/s | ${ok.toLocaleString("en-US")}${other ? ` (${other})` : ""} | ${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.max)} ms | ${r.loadBefore.toFixed(2)} |`;
  });
  const markdown = `## Storefront proxy (\`npm run bench -- proxy\`)

Measured ${today()} on ${machine()} (the table gives the load average
when each run began). The demo shop (${results[0]!.customers.toLocaleString("en-US")} customers, ${results[0]!.campaigns} active
campaigns from \`tailored campaigns demo\`, recommendation lists refreshed) served by the production
server (server.mjs). Requests signed as Shopify's app proxy signs them (bench/proxy.bench.ts), sent on a
fixed schedule (open loop: latency from each request's scheduled time) over kept-alive loopback
connections for ${seconds} s after a warm-up: half logged-in customers picked across the whole shop, half
anonymous visitors, banner and recommendations alternately, a third of the recommendations for a product
page. Target: ${rate} requests/s, p99 <= 20 ms, no errors.

| database | sent | answered 200 | latency p50 / p99 / max | load (1 min) before |
| --- | --- | --- | --- | --- |
${rows.join("\n")}`;
  console.log(markdown);
  writeSection("proxy", markdown);
}
