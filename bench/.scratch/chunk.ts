import { performance } from "node:perf_hooks";
import { databaseConfig } from "~/db/config";
import { openDatabase } from "~/db/database.server";
import { TEMPLATES } from "~/domain/segments/templates";
import { createSegment } from "~/models/segments/definitions.server";
import { shopContext } from "~/models/segments/rules.server";
import { recomputeSegments } from "~/models/segments/recompute.server";
import { cli, freshDatabase, ROOT } from "../lib";
const SHOP = "tailored-demo.myshopify.com";
const NOW = "2026-11-01T00:00:00Z";
const customers = Number(process.env.N ?? 200000);
const url = process.env.URL ?? (await freshDatabase("postgres", `chunk_${customers}`));
if (!process.env.URL) cli(url, ["seed", "--customers", String(customers), "--now", NOW, "--purchase-rate", "1.7"]);
console.log(url);
const db = openDatabase(databaseConfig(url, ROOT));
const now = new Date(NOW);
if ((await db.prisma.segment.count()) === 0)
  for (const [i, t] of TEMPLATES.filter((t) => !t.unavailable).entries())
    await createSegment(db, { shop: SHOP, name: `s${i}`, query: t.query, now });
for (let round = 0; round < 3; round++) {
  for (const chunk of [Infinity, 100_000, 50_000, 20_000]) {
    const day = new Date(now.getTime() + (round * 4 + 1) * 86_400_000);
    const ctx = await shopContext(db, { shop: SHOP, now: day });
    const t = performance.now();
    await recomputeSegments(db, { shop: SHOP, ctx, chunkSize: chunk });
    console.log(round, chunk, ((performance.now() - t) / 1000).toFixed(2), "s");
  }
}
await db.close();
