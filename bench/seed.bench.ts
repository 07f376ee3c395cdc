// Seeding the demo shop at benchmark size (streamed; memory must stay flat), and the home page's
// figures over it. BENCH_SEED_CUSTOMERS overrides the size (default 1,000,000).
import { performance } from "node:perf_hooks";
import { cli, freshDatabase, machine, today, writeSection } from "./lib";

type SeedResult = { customers: number; orders: number; products: number; seconds: number; peakRssMb: number };

export async function run(): Promise<void> {
  const customers = Number(process.env.BENCH_SEED_CUSTOMERS ?? 1_000_000);
  const rows: string[] = [];
  for (const dialect of ["sqlite", "postgres"] as const) {
    const url = await freshDatabase(dialect, `bench_seed_${dialect}`);
    cli(url, ["migrate"]);
    console.log(`seed ${dialect}: ${customers.toLocaleString("en-US")} customers…`);
    const seeded = cli<SeedResult>(url, [
      "seed",
      "--customers",
      String(customers),
      "--seed",
      "42",
      "--now",
      "2026-11-01T00:00:00Z",
    ]);
    const started = performance.now();
    cli(url, ["stats", "--shop", "tailored-demo.myshopify.com"]);
    const statsSeconds = (performance.now() - started) / 1000;
    const line = `| ${dialect} | ${seeded.customers.toLocaleString("en-US")} | ${seeded.orders.toLocaleString("en-US")} | ${seeded.seconds.toFixed(1)} s | ${Math.round((seeded.customers + seeded.orders) / seeded.seconds).toLocaleString("en-US")} | ${seeded.peakRssMb} MB | ${statsSeconds.toFixed(2)} s |`;
    console.log(line);
    rows.push(line);
  }
  writeSection(
    "seed",
    `## Demo seed at scale (\`npm run bench -- seed\`)

Measured ${today()} on ${machine()}.
\`tailored seed --customers N\` into a fresh database: generate, write customers, orders and lines in
batched upserts, recompute every customer's facts. Peak RSS is the CLI process's. "stats" is the CLI's
\`stats\` over the result (process start included): the home page's figures.

| database | customers | orders | seed time | customers+orders per s | peak RSS | stats |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}`,
  );
}
