// Shared pieces of the benchmarks: the machine, fresh databases, and writing results into
// docs/BENCHMARKS.md between `<!-- bench:NAME -->` markers, so each benchmark owns its section.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { databaseConfig } from "~/db/config";
import { openDatabase, type Db } from "~/db/database.server";
import { sql } from "~/db/sql";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DOC = path.join(ROOT, "docs", "BENCHMARKS.md");

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function freshDatabase(dialect: "sqlite" | "postgres", name: string): Promise<string> {
  if (dialect === "sqlite") {
    const dir = path.join(ROOT, "bench", ".data");
    fs.mkdirSync(dir, { recursive: true });
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(path.join(dir, `${name}.sqlite${suffix}`), { force: true });
    return `file:${path.join(dir, `${name}.sqlite`)}`;
  }
  const admin = process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs the CLI in a child process (its own memory figure) and returns its JSON output. */
export function cli<T>(url: string, args: string[]): T {
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["app/cli/main.ts", ...args, "--json"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  if (result.status !== 0) throw new Error(`tailored ${args.join(" ")} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export function writeSection(name: string, markdown: string): void {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  let doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, "utf8") : "# Benchmarks\n";
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const at = doc.indexOf(begin);
  if (at >= 0) doc = doc.slice(0, at) + block + doc.slice(doc.indexOf(end) + end.length);
  else doc = `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(DOC, doc);
}

/**
 * The production server (server.mjs, or `args`) on 127.0.0.1:`port` over `url`, with the background
 * sync off, resolved once it answers; the benchmarks' one way to start it. `env` adds to its environment.
 */
export async function startBenchServer(
  url: string,
  port: number,
  { secret, args = ["server.mjs"], env = {} }: { secret: string; args?: string[]; env?: Record<string, string> },
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: url,
      SHOPIFY_API_KEY: "bench",
      SHOPIFY_API_SECRET: secret,
      SHOPIFY_APP_URL: `http://localhost:${port}`,
      TAILORED_BACKGROUND_SYNC: "off",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" });
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill("SIGTERM");
  throw new Error("server did not start");
}

/** The demo shop the database benchmarks share, seeded as the issues' figures need (about 4.1 orders a customer). */
export const DEMO_BENCH = {
  shop: "tailored-demo.myshopify.com",
  now: "2026-11-01T00:00:00Z",
  purchaseRate: "1.7",
} as const;

/**
 * A database holding the seeded demo shop with `customers` customers. With BENCH_REUSE=1 one seeded by an
 * earlier run of any benchmark that shares it (segments, predictions) is kept, after `reset` has
 * cleared what that benchmark leaves behind; the 1M seed takes minutes, so the benchmarks share it.
 */
export async function seededDemoDatabase(
  dialect: "sqlite" | "postgres",
  customers: number,
  reset: (db: Db) => Promise<void> = async () => undefined,
): Promise<string> {
  const name = `bench_demo_${customers}_${dialect}`;
  if (process.env.BENCH_REUSE === "1") {
    const url =
      dialect === "sqlite"
        ? `file:${path.join(ROOT, "bench", ".data", `${name}.sqlite`)}`
        : Object.assign(new URL(process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres"), {
            pathname: `/${name}`,
          }).toString();
    if (dialect === "postgres" || fs.existsSync(url.slice("file:".length))) {
      const db = openDatabase(databaseConfig(url, ROOT));
      try {
        if ((await db.prisma.customer.count({ where: { shop: DEMO_BENCH.shop } })) === customers) {
          cli(url, ["migrate"]);
          await reset(db);
          return url;
        }
      } catch {
        // not there yet, or not migrated: seeded below
      } finally {
        await db.close();
      }
    }
  }
  const url = await freshDatabase(dialect, name);
  cli(url, [
    "seed",
    "--customers",
    String(customers),
    "--now",
    DEMO_BENCH.now,
    "--purchase-rate",
    DEMO_BENCH.purchaseRate,
  ]);
  return url;
}

/**
 * What autovacuum does between a production database's big writes, done at once: this machine's
 * PostgreSQL runs with autovacuum off, and a seed, a refit or a recompute leaves every rewritten row's
 * old version behind (235,000 dead rows in Customer after a 100k seed) and the planner's statistics
 * stale. Measured after it, the figures are a production database's, not a never-vacuumed one's.
 */
export async function settle(db: Db): Promise<void> {
  if (db.dialect === "postgres") await db.run(sql`VACUUM ANALYZE`);
  else await db.run(sql`ANALYZE`);
}
