// Scratch: time recomputeAll on an existing bench DB (not committed).
import { performance } from "node:perf_hooks";
import { databaseConfig } from "~/db/config";
import { openDatabase } from "~/db/database.server";
import { TEMPLATES } from "~/domain/segments/templates";
import { createSegment, recomputeAll } from "~/models/segments.server";
import { ROOT } from "./lib";
const SHOP = "tailored-demo.myshopify.com";
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
const url = process.argv[2]!;
const db = openDatabase(databaseConfig(url, ROOT));
const now = new Date("2026-11-01T00:00:00Z");
const next = new Date(now.getTime() + 86_400_000);
if ((await db.prisma.segment.count()) === 0) {
  const queries = [...TEMPLATES.filter((t) => !t.unavailable).map((t) => t.query), ...EXTRA];
  const t = performance.now();
  for (const [i, query] of queries.entries()) await createSegment(db, { shop: SHOP, name: `s${i}`, query, now });
  console.log("created", ((performance.now() - t) / 1000).toFixed(1));
  await recomputeAll(db, { shop: SHOP, now });
}
for (const [label, at] of (process.argv[3] ?? "steady").split(",").map((w) => [w, w === "next" ? next : now] as const)) {
  const t = performance.now();
  const r = await recomputeAll(db, { shop: SHOP, now: at });
  console.log(label, ((performance.now() - t) / 1000).toFixed(2), "s moves", r.reduce((n, x) => n + x.entered + x.left, 0));
}
await db.close();
