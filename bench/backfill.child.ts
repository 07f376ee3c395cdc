// The backfill benchmark's importing process (see backfill.bench.ts).
import { databaseConfig } from "~/db/config";
import { openDatabase } from "~/db/database.server";
import { migrate } from "~/db/migrate.server";
import { sql } from "~/db/sql";
import { upsertShop } from "~/models/store.server";
import { AdminClient } from "~/sync/admin-client.server";
import { advanceBackfill, latestJobs } from "~/sync/backfill.server";
import { startFakeShopify } from "../tests/helpers/fake-shopify";

const file = process.argv[2]!;
const shop = "bench-backfill.myshopify.com";
const config = databaseConfig(process.env.DATABASE_URL, process.cwd());
await migrate(config, process.cwd());
const db = openDatabase(config);
await upsertShop(db, { domain: shop, name: "Bench", currencyCode: "USD", ianaTimezone: "UTC" });
const fake = await startFakeShopify({ shop, accessToken: "t", bulkFiles: { orders: file }, bulkPollsUntilComplete: 1 });
const client = new AdminClient({ shop, accessToken: "t", origin: fake.origin });
// Only the orders resource: the file is orders.
const now = () => new Date();
await db.run(
  sql`INSERT INTO "BulkJob" ("shop", "resource", "status", "attempts", "rowsDone", "createdAt", "updatedAt") VALUES (${shop}, 'orders', 'queued', 0, 0, ${now()}, ${now()})`,
);
const started = performance.now();
for (;;) {
  const jobs = await advanceBackfill(db, { shop, client, now });
  if (jobs.every((j) => j.status === "done" || j.status === "failed")) break;
  await new Promise((r) => setTimeout(r, 50));
}
const seconds = (performance.now() - started) / 1000;
const [job] = await latestJobs(db, { shop });
const orders = await db.prisma.order.count({ where: { shop } });
const lineRows = await db.prisma.orderLine.count({ where: { shop } });
await fake.close();
await db.close();
if (job?.status !== "done") throw new Error(`backfill ended ${job?.status}: ${job?.error}`);
console.log(
  JSON.stringify({
    seconds,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    rowsDone: job.rowsDone,
    orders,
    lineRows,
  }),
);
