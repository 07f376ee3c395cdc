// Backfill: a 1,000,000-line bulk-operation JSONL (orders and their line items, children after their
// parent) served by the local Shopify contract server, imported through advanceBackfill into SQLite.
// Targets (sync issue): <= 60 s, peak RSS <= 400 MB. The import runs in a child process so that its
// peak RSS is its own.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { demoCustomers } from "~/demo/generator";
import { formatMinor } from "~/domain/money";
import { freshDatabase, machine, ROOT, today, writeSection } from "./lib";

const LINES = Number(process.env.BENCH_BACKFILL_LINES ?? 1_000_000);

function writeJsonl(file: string): { orders: number; lines: number } {
  const fd = fs.openSync(file, "w");
  let written = 0;
  let orders = 0;
  let buffer: string[] = [];
  const flush = () => {
    fs.writeSync(fd, buffer.join(""));
    buffer = [];
  };
  const money = (minor: bigint) => ({ shopMoney: { amount: formatMinor(minor, "USD"), currencyCode: "USD" } });
  outer: for (const { orders: list } of demoCustomers({
    seed: 9,
    customers: 10_000_000,
    now: new Date("2026-11-01T00:00:00Z"),
    shopDomain: "bench",
  })) {
    for (const o of list) {
      if (written + 1 + o.lines.length > LINES) break outer;
      const id = `gid://shopify/Order/${o.id}`;
      buffer.push(
        JSON.stringify({
          id,
          name: o.name,
          email: o.email,
          customer: o.customerId ? { id: `gid://shopify/Customer/${o.customerId}` } : null,
          createdAt: o.createdAt.toISOString(),
          processedAt: o.processedAt.toISOString(),
          updatedAt: o.updatedAt.toISOString(),
          cancelledAt: o.cancelledAt?.toISOString() ?? null,
          test: false,
          displayFinancialStatus: o.financialStatus,
          totalPriceSet: money(o.totalMinor),
          totalRefundedSet: money(o.refundedMinor),
        }) + "\n",
      );
      for (const l of o.lines) {
        buffer.push(
          JSON.stringify({
            id: `gid://shopify/LineItem/${l.id}`,
            title: l.title,
            sku: l.sku,
            quantity: l.quantity,
            vendor: l.vendor,
            product: l.productId
              ? { id: `gid://shopify/Product/${l.productId}`, productType: l.productType, vendor: l.vendor }
              : null,
            variant: l.variantId ? { id: `gid://shopify/ProductVariant/${l.variantId}` } : null,
            originalUnitPriceSet: money(l.priceMinor),
            __parentId: id,
          }) + "\n",
        );
      }
      written += 1 + o.lines.length;
      orders += 1;
      if (buffer.length > 10_000) flush();
    }
  }
  flush();
  fs.closeSync(fd);
  return { orders, lines: written };
}

export async function run(): Promise<void> {
  const dir = path.join(ROOT, "bench", ".data");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "backfill-orders.jsonl");
  const shape = writeJsonl(file);
  const url = await freshDatabase("sqlite", "bench_backfill");
  const child = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["bench/backfill.child.ts", file], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
    maxBuffer: 16 * 2 ** 20,
  });
  if (child.status !== 0) throw new Error(`backfill child failed:\n${child.stderr}`);
  const result = JSON.parse(child.stdout.trim().split("\n").pop()!) as {
    seconds: number;
    peakRssMb: number;
    rowsDone: number;
    orders: number;
    lineRows: number;
  };
  const size = fs.statSync(file).size;
  const markdown = `## Backfill (\`npm run bench -- backfill\`)

Measured ${today()} on ${machine()}.
A ${shape.lines.toLocaleString("en-US")}-line bulk-operation result (${shape.orders.toLocaleString("en-US")} orders with their
line items as child lines, ${(size / 2 ** 20).toFixed(0)} MiB), served over HTTP by the local Shopify contract server
(tests/helpers/fake-shopify.ts), imported by \`advanceBackfill\` into a fresh SQLite database: the bulk
query, status polling, streamed download, mapping, batched upserts, facts and planner statistics.

| figure | measured | target |
| --- | --- | --- |
| time | ${result.seconds.toFixed(1)} s | <= 60 s |
| lines per second | ${Math.round(shape.lines / result.seconds).toLocaleString("en-US")} | |
| peak RSS (the importing process) | ${result.peakRssMb} MB | <= 400 MB |
| orders / order lines stored | ${result.orders.toLocaleString("en-US")} / ${result.lineRows.toLocaleString("en-US")} | ${shape.orders.toLocaleString("en-US")} / ${(shape.lines - shape.orders).toLocaleString("en-US")} |`;
  console.log(markdown);
  writeSection("backfill", markdown);
  fs.rmSync(file, { force: true });
}
