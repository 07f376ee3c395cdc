// Recommendations: quality (hit-rate@10 and NDCG@10 of popularity, cosine item-kNN, RP3beta and EASE,
// each tuned on a validation split and reported on the test split, on the demo shop and the groceries
// baskets, in the same run) and the full refresh of the stored lists at 100k customers / ~400k orders
// on SQLite and PostgreSQL, with the per-event update and the serving read.
// BENCH_RECOMMEND_DEMO_CUSTOMERS (default 20000): the demo shop for quality; BENCH_RECOMMEND_CUSTOMERS
// (default 100000): the refresh's shop; BENCH_RECOMMEND_DIALECTS (default "sqlite,postgres").
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { databaseConfig } from "~/db/config";
import { sql } from "~/db/sql";
import { openDatabase } from "~/db/database.server";
import { pairedDifference, type Metrics } from "~/domain/recommend/evaluate";
import { recommendedProducts } from "~/models/recommendations.server";
import { refreshRecommendations, updateCustomerRecommendations } from "~/models/recommendations-refresh.server";
import { createSegment } from "~/models/segments/definitions.server";
import { cli, freshDatabase, machine, ROOT, today, writeSection } from "./lib";
import { demoComparison, groceriesComparison, type Row } from "./recommend-quality";

const SHOP = "tailored-demo.myshopify.com";
const NOW = "2026-11-01T00:00:00Z";

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const f4 = (v: number) => v.toFixed(4);

function qualityTable(title: string, rows: Row[]): string {
  const best = rows.filter((r) => r.method === "RP3beta" || r.method === "EASE");
  const ours = best.sort((a, b) => b.validation!.ndcg - a.validation!.ndcg)[0]!;
  const vs = (baseline: string) => {
    const base = rows.find((r) => r.method === baseline)!;
    const d = pairedDifference(ours.test.perCase, base.test.perCase);
    return `${baseline}: ${d.mean >= 0 ? "+" : ""}${f4(d.mean)} [${f4(d.low)}, ${f4(d.high)}]`;
  };
  const line = (r: Row) =>
    `| ${r === ours ? `**${r.method}** (chosen on validation)` : r.method} | ${r.params || "-"} | ${m(r.validation)} | ${f4(r.test.hitRate)} | ${f4(r.test.ndcg)} | ${r.test.cases.toLocaleString("en-US")} |`;
  const m = (v: Metrics | null) => (v ? `${f4(v.hitRate)} / ${f4(v.ndcg)}` : "-");
  return [
    `### ${title}`,
    "",
    "| method | parameters (tuned on validation) | validation HR@10 / NDCG@10 | test HR@10 | test NDCG@10 | test cases |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(line),
    "",
    `Paired test NDCG@10 difference of ${ours.method} against ${vs("popularity")}; against ${vs("cosine item-kNN")} (mean, 95% interval).`,
  ].join("\n");
}

/** The seeded database: kept from an earlier run with BENCH_REUSE=1 when it has the same customers. */
async function seeded(dialect: "sqlite" | "postgres", customers: number): Promise<string> {
  const name = `bench_recommend_${dialect}`;
  if (process.env.BENCH_REUSE === "1") {
    const url =
      dialect === "sqlite"
        ? `file:${path.join(ROOT, "bench", ".data", `${name}.sqlite`)}`
        : Object.assign(new URL(process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres"), {
            pathname: `/${name}`,
          }).toString();
    const db = openDatabase(databaseConfig(url, ROOT));
    try {
      if ((await db.prisma.customer.count({ where: { shop: SHOP } })) === customers) {
        cli(url, ["migrate"]);
        await db.prisma.recommendationList.deleteMany({ where: { shop: SHOP } });
        return url;
      }
    } catch {
      // not there: seeded below
    } finally {
      await db.close();
    }
  }
  const url = await freshDatabase(dialect, name);
  cli(url, ["seed", "--customers", String(customers), "--now", NOW, "--purchase-rate", "1.7"]);
  return url;
}

async function refreshAt(dialect: "sqlite" | "postgres", customers: number): Promise<string> {
  const url = await seeded(dialect, customers);
  const db = openDatabase(databaseConfig(url, ROOT));
  try {
    const now = new Date(NOW);
    if ((await db.prisma.segment.count({ where: { shop: SHOP } })) === 0) {
      for (const [i, query] of ["number_of_orders >= 3", "amount_spent >= 200", "last_order_date >= -90d"].entries())
        await createSegment(db, { shop: SHOP, name: `s${i}`, query, now });
    }
    const load = os.loadavg()[0]!.toFixed(1);
    const orders = await db.prisma.order.count({ where: { shop: SHOP } });
    const result = await refreshRecommendations(db, { shop: SHOP, now });
    const again = await refreshRecommendations(db, { shop: SHOP, now });
    const ids = (
      await db.prisma.customer.findMany({
        where: { shop: SHOP },
        select: { id: true, segmentIds: true },
        take: 500,
        skip: 2000,
      })
    ).map((c) => ({ id: c.id, segments: c.segmentIds.split(",").filter(Boolean).map(Number) }));
    const updates: number[] = [];
    for (const { id } of ids.slice(0, 200)) {
      const t = performance.now();
      await db.transaction((tx) => updateCustomerRecommendations(tx, { shop: SHOP, customerIds: [id], now }));
      updates.push(performance.now() - t);
    }
    updates.sort((a, b) => a - b);
    // What a commit alone costs on this machine (PostgreSQL waits for its WAL flush): the floor of the above.
    const empty: number[] = [];
    for (let k = 0; k < 50; k++) {
      const t = performance.now();
      await db.transaction(async (tx) => void (await tx.all(sql`SELECT 1 AS x`)));
      empty.push(performance.now() - t);
    }
    empty.sort((a, b) => a - b);
    const products = (await db.prisma.product.findMany({ where: { shop: SHOP }, select: { id: true } })).map(
      (p) => p.id,
    );
    const serves: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (const [k, { id, segments }] of ids.entries()) {
        const t = performance.now();
        await recommendedProducts(db, {
          shop: SHOP,
          customerId: k % 3 === 0 ? null : id,
          productId: k % 2 === 0 ? products[k % products.length]! : null,
          segmentIds: k % 3 === 0 ? [] : segments,
          limit: 8,
          now,
        });
        serves.push(performance.now() - t);
      }
    }
    serves.sort((a, b) => a - b);
    const n = (v: number) => v.toLocaleString("en-US");
    const s1 = (v: number) => (v / 1000).toFixed(1);
    const phases = `read ${s1(again.phases.readMs)}, compute ${s1(again.phases.computeMs)}, write ${s1(again.phases.writeMs)}`;
    const line = `| ${dialect} | ${n(customers)} / ${n(orders)} | ${result.model}, ${n(result.items)} products | ${n(result.lists)} | ${s1(result.ms)} s / ${s1(again.ms)} s (${phases}) | ${load} | ${pct(updates, 0.5).toFixed(2)} / ${pct(updates, 0.99).toFixed(2)} ms (empty transaction ${pct(empty, 0.5).toFixed(2)} ms) | ${pct(serves, 0.5).toFixed(2)} / ${pct(serves, 0.99).toFixed(2)} ms |`;
    console.log(line);
    return line;
  } finally {
    await db.close();
  }
}

export async function run(): Promise<void> {
  const demoCustomers = Number(process.env.BENCH_RECOMMEND_DEMO_CUSTOMERS ?? 20000);
  const customers = Number(process.env.BENCH_RECOMMEND_CUSTOMERS ?? 100000);
  let t = performance.now();
  const demo = demoComparison({ seed: 42, customers: demoCustomers, now: new Date(NOW), shopDomain: SHOP });
  const demoSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const groceries = groceriesComparison();
  const groceriesSeconds = (performance.now() - t) / 1000;
  const quality = [
    qualityTable(
      `Demo shop (${demoCustomers.toLocaleString("en-US")} customers, seed 42): each customer's last order held out`,
      demo,
    ),
    "",
    qualityTable(
      "Groceries (9,835 real baskets, 169 items): one item left out per basket, baskets split 80/10/10",
      groceries,
    ),
  ].join("\n");
  console.log(quality);
  const lines: string[] = [];
  for (const dialect of (process.env.BENCH_RECOMMEND_DIALECTS ?? "sqlite,postgres").split(",") as (
    "sqlite" | "postgres"
  )[])
    lines.push(await refreshAt(dialect, customers));
  writeSection(
    "recommend",
    `## Recommendations (\`npm run bench -- recommend\`)

Measured ${today()} on ${machine()}. The refresh rows give the machine's load when each began (above
2, on 2 cores, something else was running and the timings are upper bounds).

**Quality**: hit-rate@10 and NDCG@10 (binary relevance) on the test split, every method computed in
this run on the same cases (\`app/domain/recommend/evaluate.ts\`). Parameters of every method, the
baselines' included, were chosen on a validation split (demo: each customer's second-to-last order,
the last one unseen; groceries: a separate 10% of baskets) and then refitted on the whole training
part and reported on test. A list excludes what the customer (basket) already holds and is filled up
from popularity. RP3beta and EASE rows use the personal-list scoring the refresh stores: model scores
plus a popularity prior gamma (\`app/domain/recommend/personal.ts\`; gamma 0: the model alone).
"kNN + prior" gives the baseline the same prior, to show what the prior alone is worth. Quality took
${demoSeconds.toFixed(0)} s (demo, generation included) and ${groceriesSeconds.toFixed(0)} s (groceries).

${quality}

**Refresh** of a seeded demo shop (\`seed --purchase-rate 1.7\`, 3 segments): read the counted
purchases, fit the model, compute every list, replace the shop's lists in one transaction (first run /
second run, which replaces existing rows). Per-event update: one customer's personal list re-scored from
the stored rows in its own transaction (median / p99 of 200). Serving: \`recommendedProducts\` (limit 8;
a third anonymous, half on a product page; median / p99 of 2,000, one connection, no concurrency).
Targets: refresh <= 30 s at 100k customers / 400k orders on each database. "load average" is the
machine's 1-minute load when the refresh began (2 cores: anything above 2 means the refresh got a
fraction of a core).

| database | customers / orders | model | lists | refresh (1st / 2nd, its phases in s) | load average | per-event update | serving |
| --- | --- | --- | --- | --- | --- | --- | --- |
${lines.join("\n")}`,
  );
}
