// Predictions through the database: `models fit` (every customer's summary read from the orders in
// SQL, BG/NBD and Gamma-Gamma fitted, every customer scored, the predictions written in batches) on the
// demo shop at 100k and 1M customers, SQLite and PostgreSQL, each in a child process of its own for its
// peak RSS; then the backtest and the clusters, timed the same way. The targets for the fit:
// 100k <= 5 s, 1M <= 30 s. BENCH_PREDICTIONS_SIZES sets the sizes (default "100000,1000000");
// BENCH_REUSE=1 keeps a database seeded by an earlier run of this benchmark or of the segments one (the
// same demo shop, bench/lib.ts seededDemoDatabase): the 1M seed takes minutes. The write path is bulk:
// 50,000 rows a transaction, as arrays (one statement) on PostgreSQL and 500-row VALUES on SQLite.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { databaseConfig } from "~/db/config";
import { openDatabase } from "~/db/database.server";
import { cli, DEMO_BENCH, machine, ROOT, seededDemoDatabase, settle, today, writeSection } from "./lib";

const SHOP = DEMO_BENCH.shop;
const NOW = DEMO_BENCH.now;
const PURCHASE_RATE = DEMO_BENCH.purchaseRate;

type Fit = {
  status: string;
  customers: number;
  durationMs: number;
  segmentsMs: number;
  segmentsRecomputed: number;
  peakRssMb: number;
  written: number;
};
type Row = {
  dialect: string;
  customers: number;
  fit: Fit;
  fitWall: number;
  backtest: number;
  clusters: number;
  k: number;
  clustersRss: number;
};

const timed = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const value = fn();
  return [value, (performance.now() - t) / 1000];
};

export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_PREDICTIONS_SIZES ?? "100000,1000000").split(",").map(Number);
  const dialects = (process.env.BENCH_DIALECTS ?? "sqlite,postgres").split(",") as ("sqlite" | "postgres")[];
  const rows: Row[] = [];
  for (const customers of sizes) {
    for (const dialect of dialects) {
      const url = await seededDemoDatabase(dialect, customers);
      const db = openDatabase(databaseConfig(url, ROOT));
      await settle(db).finally(() => db.close());
      const [fit, fitWall] = timed(() => cli<Fit>(url, ["models", "fit", "--shop", SHOP, "--now", NOW]));
      const [, backtest] = timed(() => cli(url, ["models", "backtest", "--shop", SHOP, "--now", NOW]));
      const [clusters, clusterSeconds] = timed(() =>
        cli<{ k: number; peakRssMb?: number }>(url, ["clusters", "--shop", SHOP, "--now", NOW]),
      );
      const row = {
        dialect,
        customers,
        fit,
        fitWall,
        backtest,
        clusters: clusterSeconds,
        k: clusters.k,
        clustersRss: 0,
      };
      rows.push(row);
      console.log(
        `${dialect} ${customers}: fit ${(fit.durationMs / 1000).toFixed(1)} s (process ${fitWall.toFixed(1)} s, peak RSS ${fit.peakRssMb} MB), backtest ${backtest.toFixed(1)} s, clusters ${clusterSeconds.toFixed(1)} s (k ${clusters.k})`,
      );
    }
  }
  const table = rows
    .map(
      (r) =>
        `| ${r.dialect} | ${r.customers.toLocaleString("en-US")} | ${(r.fit.durationMs / 1000).toFixed(1)} s | ${(r.fit.segmentsMs / 1000).toFixed(1)} s (${r.fit.segmentsRecomputed}) | ${r.fitWall.toFixed(1)} s | ${r.fit.peakRssMb} MB | ${r.backtest.toFixed(1)} s | ${r.clusters.toFixed(1)} s (k ${r.k}) |`,
    )
    .join("\n");
  writeSection(
    "predictions",
    `## Predictions (issue 11)

${today()}, ${machine()}. Load average when it began: ${os.loadavg()[0]!.toFixed(2)}. Demo shop seeded with purchase rate ${PURCHASE_RATE} (about 4.1
orders per customer). **Fit** is \`models fit\`'s own duration: summaries read from the orders in SQL,
BG/NBD and Gamma-Gamma fitted, every customer scored and the predictions written (targets: 100k <= 5 s,
1M <= 30 s); **segments** is what \`models fit\` does next, the segments that read a prediction recomputed
(how many in brackets: those the segments benchmark left in a shared database); **process** is the whole child process (start-up, migration check, module loading);
**peak RSS** is the fit process's (\`process.resourceUsage().maxRSS\`). Backtest and clusters are whole
processes too. The nightly refit (fit, backtest and clusters in one process, then the segments) is in
the segments section's "nightly" figure.

| database | customers | fit | segments | process | peak RSS | backtest | clusters |
| --- | --- | --- | --- | --- | --- | --- | --- |
${table}`,
  );
}
