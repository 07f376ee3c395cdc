// Segments: full recompute of 25 segments (the templates Tailored can evaluate plus random rules),
// the per-event update of all 25 for one customer, and the editor's preview count. The issue's
// figures are for 1M customers / 4M orders; BENCH_SEGMENTS_CUSTOMERS sets the size (default 100,000).
import { performance } from "node:perf_hooks";
import { databaseConfig } from "~/db/config";
import { openDatabase } from "~/db/database.server";
import { TEMPLATES } from "~/domain/segments/templates";
import { countMatching, createSegment, parseQuery, recomputeAll, shopContext, updateMemberships } from "~/models/segments.server";
import { cli, freshDatabase, machine, ROOT, today, writeSection } from "./lib";

const SHOP = "tailored-demo.myshopify.com";
const NOW = "2026-11-01T00:00:00Z";

// Random but fixed: the same 14 extra rules every run.
const EXTRA = [
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

export async function run(): Promise<void> {
  const customers = Number(process.env.BENCH_SEGMENTS_CUSTOMERS ?? 100_000);
  const rows: string[] = [];
  for (const dialect of ["sqlite", "postgres"] as const) {
    const url = await freshDatabase(dialect, `bench_segments_${dialect}`);
    cli(url, ["seed", "--customers", String(customers), "--now", NOW]);
    const db = openDatabase(databaseConfig(url, ROOT));
    try {
      const now = new Date(NOW);
      const queries = [...TEMPLATES.filter((t) => !t.unavailable).map((t) => t.query), ...EXTRA];
      for (const [i, query] of queries.entries()) await createSegment(db, { shop: SHOP, name: `s${i}`, query, now });
      const segmentCount = queries.length;

      const t0 = performance.now();
      await recomputeAll(db, { shop: SHOP, now });
      const full = (performance.now() - t0) / 1000;

      const ctx = await shopContext(db, { shop: SHOP, now });
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

      const ids = (await db.prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true }, take: 200, skip: 1000 })).map((c) => c.id);
      const increments: number[] = [];
      for (const id of ids) {
        const t = performance.now();
        await db.transaction((tx) => updateMemberships(tx, { shop: SHOP, customerIds: [id], ctx }));
        increments.push(performance.now() - t);
      }
      increments.sort((a, b) => a - b);
      const line = `| ${dialect} | ${customers.toLocaleString("en-US")} | ${segmentCount} | ${full.toFixed(1)} s | ${pct(increments, 0.5).toFixed(2)} ms | ${pct(previews, 0.5).toFixed(0)} / ${pct(previews, 0.95).toFixed(0)} ms |`;
      console.log(line);
      rows.push(line);
    } finally {
      await db.close();
    }
  }
  writeSection(
    "segments",
    `## Segments (\`npm run bench -- segments\`)

Measured ${today()} on ${machine()}.
A seeded demo shop; ${EXTRA.length} fixed rules plus every template Tailored can evaluate. "Full
recompute": all segments in the database (enter/leave events included). "Per event": all segments
re-evaluated in memory for one customer, in a transaction, median of 200 customers. "Preview count":
one query counted in the database, p50 / p95 over 4 rounds of every query.

| database | customers | segments | full recompute | per event (median) | preview count p50 / p95 |
| --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Targets (segments issue): full recompute of 25 segments over 1M customers / 4M orders <= 10 s on each
database; per-event update <= 2 ms median; preview count over 100k customers <= 200 ms p95. The
figures above are at the size shown; the 1M run is still to be made.`,
  );
}
