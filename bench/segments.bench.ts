// Segments: full recompute of 25 segments (the templates Tailored can evaluate plus random rules),
// the per-event update of all 25 for one customer, and the editor's preview count. The issue's
// figures are for 1M customers / 4M orders (full recompute) and 100k (preview); BENCH_SEGMENTS_SIZES sets the
// sizes (default "100000,1000000"), BENCH_REUSE=1 keeps databases seeded by an earlier run. The demo
// shop is seeded with purchase rate 1.7 (about 4.1 orders per customer, the 4M at 1M).
import { performance } from "node:perf_hooks";
import { databaseConfig } from "~/db/config";
import { openDatabase } from "~/db/database.server";
import { sql } from "~/db/sql";
import { refreshPredictions } from "~/models/predictions/refresh.server";
import { TEMPLATES } from "~/domain/segments/templates";
import { countMatching } from "~/models/segments/read-models.server";
import { createSegment } from "~/models/segments/definitions.server";
import { parseQuery, shopContext } from "~/models/segments/rules.server";
import { recomputeAll } from "~/models/segments/recompute.server";
import { updateMemberships } from "~/models/segments/memberships.server";
import { DEMO_BENCH, machine, ROOT, seededDemoDatabase, settle, today, writeSection } from "./lib";

const SHOP = DEMO_BENCH.shop;
const NOW = DEMO_BENCH.now;
const PURCHASE_RATE = DEMO_BENCH.purchaseRate;

// Random but fixed: the same 14 extra rules every run.
export const EXTRA = [
  "amount_spent BETWEEN 50 AND 250",
  "number_of_orders >= 3 AND customer_tags CONTAINS 'vip'",
  "last_order_date >= -14d",
  "first_order_date BETWEEN 2025-01-01 AND 2025-06-30",
  "customer_countries CONTAINS 'DE' OR customer_countries CONTAINS 'FR'",
  "sms_subscription_status = 'SUBSCRIBED'",
  "NOT (email_subscription_status = 'SUBSCRIBED') AND number_of_orders >= 1",
  "days_since_last_order > 365",
  "average_order_value < 40 AND number_of_orders >= 4",
  "customer_email_domain = 'example.org'",
  "customer_regions CONTAINS 'US-CA' AND amount_spent >= 200",
  "customer_added_date >= -90d AND number_of_orders = 0",
  "last_order_date < -2y",
  "(amount_spent >= 1000 OR number_of_orders >= 10) AND last_order_date >= -1y",
];

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const seconds = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

/** The shared seeded demo database for one size, its segments dropped when it is reused. */
function seeded(dialect: "sqlite" | "postgres", customers: number): Promise<string> {
  return seededDemoDatabase(dialect, customers, async (db) => {
    await db.prisma.segmentEvent.deleteMany({ where: { shop: SHOP } });
    await db.prisma.segmentMember.deleteMany({ where: { shop: SHOP } });
    await db.prisma.segment.deleteMany({ where: { shop: SHOP } });
    // As deleteSegment does: the customers' lists lose the deleted segments (left there, every reuse
    // made them longer, and the recompute's mask of held segments slower, than on a fresh database).
    await db.run(sql`UPDATE "Customer" SET "segmentIds" = ',' WHERE "shop" = ${SHOP} AND "segmentIds" <> ','`);
  });
}

export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_SEGMENTS_SIZES ?? "100000,1000000").split(",").map(Number);
  const rows: string[] = [];
  for (const customers of sizes) {
    for (const dialect of (process.env.BENCH_SEGMENTS_DIALECTS ?? "sqlite,postgres").split(",") as (
      "sqlite" | "postgres"
    )[]) {
      const url = await seeded(dialect, customers);
      const db = openDatabase(databaseConfig(url, ROOT));
      try {
        const now = new Date(NOW);
        const orders = await db.prisma.order.count({ where: { shop: SHOP } });
        // The shop as it stands after a nightly pass: predictions fitted, so the templates that read them
        // have members (not timed: the refit is timed in the nightly figure below).
        await refreshPredictions(db, { shop: SHOP, now });
        await settle(db);
        const queries = [...TEMPLATES.filter((t) => !t.unavailable).map((t) => t.query), ...EXTRA];
        // Created one by one: each is computed in full as it is saved (all its members enter).
        const created = await seconds(async () => {
          for (const [i, query] of queries.entries())
            await createSegment(db, { shop: SHOP, name: `s${i}`, query, now });
        });
        const members = await db.prisma.segmentMember.count({ where: { shop: SHOP } });
        // Nothing changed since: what a recompute on demand costs when every member stays.
        const steady = await seconds(() => recomputeAll(db, { shop: SHOP, now }));
        // The nightly pass (app/sync/worker.server.ts, runDailyPass): a day later, the models refitted
        // (predictions, backtest, clusters) and then every segment recomputed; the relative-date rules
        // and those reading a prediction gain and lose members.
        const nextDay = new Date(now.getTime() + 86_400_000);
        let moved = 0;
        const refit = await seconds(() => refreshPredictions(db, { shop: SHOP, now: nextDay }));
        const recomputed = await seconds(async () => {
          const results = await recomputeAll(db, { shop: SHOP, now: nextDay });
          moved = results.reduce((n, r) => n + r.entered + r.left, 0);
        });
        const nightly = refit + recomputed;
        await settle(db);

        const ctx = await shopContext(db, { shop: SHOP, now: nextDay });
        const previews: number[] = [];
        for (let round = 0; round < 4; round++) {
          for (const query of queries) {
            const checked = parseQuery(query, ctx);
            if (!checked.ok) throw new Error(checked.error);
            const t = performance.now();
            await countMatching(db, { shop: SHOP, rule: checked.rule, ctx });
            previews.push(performance.now() - t);
          }
        }
        previews.sort((a, b) => a - b);

        const ids = (
          await db.prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true }, take: 200, skip: 1000 })
        ).map((c) => c.id);
        const increments: number[] = [];
        for (const id of ids) {
          const t = performance.now();
          await db.transaction((tx) => updateMemberships(tx, { shop: SHOP, customerIds: [id], ctx }));
          increments.push(performance.now() - t);
        }
        increments.sort((a, b) => a - b);
        const n = (v: number) => v.toLocaleString("en-US");
        const line = `| ${dialect} | ${n(customers)} / ${n(orders)} | ${queries.length} | ${created.toFixed(1)} s (${n(members)} members) | ${steady.toFixed(1)} s | ${nightly.toFixed(1)} s (refit ${refit.toFixed(1)} s + segments ${recomputed.toFixed(1)} s, ${n(moved)} moves) | ${pct(increments, 0.5).toFixed(2)} ms | ${pct(previews, 0.5).toFixed(0)} / ${pct(previews, 0.95).toFixed(0)} ms |`;
        console.log(line);
        rows.push(line);
      } finally {
        await db.close();
      }
    }
  }
  writeSection(
    "segments",
    `## Segments (\`npm run bench -- segments\`)

Measured ${today()} on ${machine()}.
A seeded demo shop (\`seed --purchase-rate ${PURCHASE_RATE}\`: about 4.1 orders per customer, the
issue's 4M orders at 1M customers); ${EXTRA.length} fixed rules plus every template Tailored can evaluate.
"Created": the segments saved one by one, each computed in full as it is saved (every member enters,
with its event). "Full recompute": every segment recomputed in the database in one pass per 90
segments (\`recomputeAll\`, planner statistics refreshed at the end), first at the same moment (no
member changes) and then a day later, as the nightly pass runs it: "nightly" is the refit of the
predictions (BG/NBD and Gamma-Gamma fitted and every customer's predictions written, the backtest,
the clusters) followed by the recompute of every segment (the relative-date rules and those reading a
prediction gain and lose members, all written with their events). "Per event": all segments re-evaluated in memory for
one customer, in a transaction, median of 200 customers. "Preview count": one query counted in the
database, p50 / p95 over 4 rounds of every query. On PostgreSQL the database is vacuumed and analysed
after the setup and after the nightly pass (\`settle\` in bench/lib.ts: this machine's PostgreSQL runs
without autovacuum, which a production one does for these).

| database | customers / orders | segments | created | full recompute | nightly recompute | per event (median) | preview count p50 / p95 |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Targets (segments issue): full recompute of 25 segments over 1M customers / 4M orders <= 10 s on each
database; per-event update <= 2 ms median; preview count over 100k customers <= 200 ms p95.`,
  );
}
