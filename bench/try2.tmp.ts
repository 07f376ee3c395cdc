import { performance } from "node:perf_hooks";
import { databaseConfig } from "~/db/config";
import { openDatabase } from "~/db/database.server";
import { shopContext, updateMemberships } from "~/models/segments.server";
import { ROOT } from "./lib";
const SHOP = "tailored-demo.myshopify.com";
const db = openDatabase(databaseConfig(process.argv[2]!, ROOT));
const ctx = await shopContext(db, { shop: SHOP, now: new Date("2026-11-02T00:00:00Z") });
const ids = (await db.prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true }, take: 400, skip: 1000 })).map((c) => c.id);
for (const round of [0, 1]) {
  const t: number[] = [];
  for (const id of ids.slice(round * 200, round * 200 + 200)) {
    const s = performance.now();
    await db.transaction((tx) => updateMemberships(tx, { shop: SHOP, customerIds: [id], ctx }));
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  console.log("median", t[100]!.toFixed(2), "p90", t[180]!.toFixed(2));
}
await db.close();
