// The shop's data: the demo generator, the CDNOW import, the figures.
import path from "node:path";
import { DEMO_SHOP } from "~/demo/mode.server";
import { formatMinor } from "~/domain/money";
import { shopStats } from "~/models/stats.server";
import { importCdnow } from "~/services/cdnow-import.server";
import { parseNow, positiveInt, requireShop, str, UsageError, type CliCommand } from "../command";

const seed: CliCommand = {
  name: "seed",
  usage: `  seed [--customers N] [--seed S] [--shop DOMAIN] [--now ISO] [--purchase-rate X] [--reset] [--json]
        generate the demo shop (default ${DEMO_SHOP}, 5000 customers, seed 42; --purchase-rate
        scales how often customers buy, 1.7 gives about 4.1 orders per customer against 3.2)`,
  options: {
    shop: { type: "string" },
    customers: { type: "string" },
    seed: { type: "string" },
    now: { type: "string" },
    "purchase-rate": { type: "string" },
    reset: { type: "boolean", default: false },
  },
  database: "write",
  async run({ db, values, out }) {
    const shop = values.shop ? requireShop(values.shop) : DEMO_SHOP;
    const customers = positiveInt("customers", values.customers, 5_000);
    const seedValue = positiveInt("seed", values.seed, 42);
    const now = parseNow(values.now);
    const rate = str(values, "purchase-rate");
    const purchaseRate = rate === undefined ? 1 : Number(rate);
    if (!(Number.isFinite(purchaseRate) && purchaseRate > 0 && purchaseRate <= 10)) {
      throw new UsageError(`--purchase-rate must be a number above 0 and at most 10, got "${rate}"`);
    }
    const { clearShopData, seedDemoShop } = await import("~/services/seed.server");
    if (values.reset) await clearShopData(db, { shop });
    const started = Date.now();
    const result = await seedDemoShop(db, {
      shopDomain: shop,
      customers,
      seed: seedValue,
      now,
      purchaseRate,
      onProgress: out.json
        ? undefined
        : (done: number) => {
            if (done % 50_000 === 0) process.stderr.write(`  ${done.toLocaleString("en-US")} customers\n`);
          },
    });
    const seconds = (Date.now() - started) / 1000;
    out.print(
      { shop, ...result, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) },
      `seeded ${shop}: ${result.customers} customers, ${result.orders} orders, ${result.products} products in ${seconds.toFixed(1)} s`,
    );
    return 0;
  },
};

const importCdnowCommand: CliCommand = {
  name: "import-cdnow",
  usage: `  import-cdnow <file> --shop DOMAIN [--json]
        read CDNOW_master.txt or CDNOW_sample.txt into a shop, one order per row (idempotent)`,
  options: { shop: { type: "string" } },
  database: "write",
  async run({ db, values, positionals, out, cwd }) {
    const file = positionals[0];
    if (!file) throw new UsageError("import-cdnow needs the path of a CDNOW file");
    const shop = requireShop(values.shop);
    const result = await importCdnow(db, { file: path.resolve(cwd, file), shop, now: new Date() });
    out.print(
      { shop, rows: result.rows, customers: result.customers, errors: result.errors },
      `imported ${result.rows} rows (${result.customers} customers) into ${shop}` +
        (result.errors.length
          ? `\n${result.errors.length} bad lines:\n  ${result.errors.slice(0, 20).join("\n  ")}`
          : ""),
    );
    return result.errors.length ? 1 : 0;
  },
};

const stats: CliCommand = {
  name: "stats",
  usage: `  stats --shop DOMAIN [--json]
        customers, orders, revenue and repeat-purchase rate of a shop`,
  options: { shop: { type: "string" } },
  database: "read",
  check: (values) => void requireShop(values.shop),
  async run({ db, values, out }) {
    const shop = requireShop(values.shop);
    const figures = await shopStats(db, { shop });
    const revenue = formatMinor(figures.revenueMinor, figures.currencyCode);
    out.print(
      {
        shop,
        currency: figures.currencyCode,
        customers: figures.customers,
        orders: figures.orders,
        cancelledOrders: figures.cancelledOrders,
        revenue: Number(revenue),
        revenueMinor: figures.revenueMinor.toString(),
        refunds: Number(formatMinor(figures.refundsMinor, figures.currencyCode)),
        customersWithOrders: figures.customersWithOrders,
        repeatCustomers: figures.repeatCustomers,
        repeatPurchaseRate: figures.repeatPurchaseRate,
      },
      `${shop}: ${figures.customers} customers, ${figures.orders} orders, revenue ${revenue} ${figures.currencyCode}`,
    );
    return 0;
  },
};

export const dataCommands = [seed, importCdnowCommand, stats];
