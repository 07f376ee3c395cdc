// `npm run tailored -- <command>`: the operator's and the tests' command line. DATABASE_URL chooses the
// database as it does for the app; every command that writes brings the schema up to date first, and
// the ones that only read (stats, segments count/list, shops list) change nothing: they refuse a
// database that is not up to date instead.
import path from "node:path";
import { parseArgs } from "node:util";
import { databaseConfig } from "~/db/config";
import { openDatabase, type Db } from "~/db/database.server";
import { migrate, pendingMigrations } from "~/db/migrate.server";
import { DEMO_SHOP } from "~/demo/mode.server";
import { formatMinor } from "~/domain/money";
import { isShopDomain } from "~/domain/shop-domain";
import { installShop, listShops, ShopInputError } from "~/models/shops.server";
import { shopStats } from "~/models/stats.server";
import { importCdnow } from "~/services/cdnow-import.server";

export class UsageError extends Error {}
/** The command cannot run as things are (exit 1, the message without a stack). */
export class CommandError extends Error {}

const USAGE = `usage: npm run tailored -- <command> [options]

commands:
  seed [--customers N] [--seed S] [--shop DOMAIN] [--now ISO] [--purchase-rate X] [--reset] [--json]
        generate the demo shop (default ${DEMO_SHOP}, 5000 customers, seed 42; --purchase-rate
        scales how often customers buy, 1.7 gives about 4.1 orders per customer against 3.2)
  import-cdnow <file> --shop DOMAIN [--json]
        read CDNOW_master.txt or CDNOW_sample.txt into a shop, one order per row (idempotent)
  stats --shop DOMAIN [--json]
        customers, orders, revenue and repeat-purchase rate of a shop
  shops install --shop DOMAIN [--name NAME] [--currency USD] [--timezone Area/City] [--json]
        register a shop as installed without OAuth (webhooks are accepted only for installed shops)
  shops list [--json]
        every shop Tailored knows, installed or not
  migrate [--json]
        apply pending database migrations
  send-webhooks --url URL --shop DOMAIN (--cdnow FILE | --fixtures DIR) [--copies N] [--shuffle SEED]
                [--concurrency N] [--secret S]
        sign deliveries as Shopify does (SHOPIFY_API_SECRET) and POST them to a running app
  segments count --shop DOMAIN --query "<query>" [--now ISO] [--json]
        how many of the shop's customers a segment query selects (--now fixes the clock)
  segments create --shop DOMAIN --name NAME --query "<query>" [--now ISO] [--json]
  segments list --shop DOMAIN [--json]
  segments recompute --shop DOMAIN [--now ISO] [--progress] [--json]
        save a segment (members computed at once), list them, recompute them all
  lifecycle --shop DOMAIN [--lapsing-days N] [--lapsed-days N] [--loyal-orders N] [--json]
        show or change the lifecycle stage thresholds (segments are recomputed when they change)
  process-webhooks [--once] [--batch N] [--lease-ms N] [--progress]
        apply the webhook inbox: until it is empty (--once), or as a worker until stopped

environment: DATABASE_URL (file:./prisma/tailored.sqlite by default, or postgres://…)`;

type Output = { json: boolean; print: (value: Record<string, unknown>, text: string) => void };

function output(json: boolean): Output {
  return {
    json,
    print: (value, text) => console.log(json ? JSON.stringify(value) : text),
  };
}

function requireShop(value: string | undefined): string {
  if (!value) throw new UsageError("--shop DOMAIN is required");
  if (!isShopDomain(value)) {
    throw new UsageError(`--shop must be a myshopify.com domain, got "${value}"`);
  }
  return value;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 0) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now must be an ISO date, got "${value}"`);
  return date;
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        shop: { type: "string" },
        customers: { type: "string" },
        seed: { type: "string" },
        now: { type: "string" },
        reset: { type: "boolean", default: false },
        url: { type: "string" },
        cdnow: { type: "string" },
        fixtures: { type: "string" },
        copies: { type: "string" },
        shuffle: { type: "string" },
        concurrency: { type: "string" },
        secret: { type: "string" },
        once: { type: "boolean", default: false },
        progress: { type: "boolean", default: false },
        batch: { type: "string" },
        "lease-ms": { type: "string" },
        query: { type: "string" },
        name: { type: "string" },
        "lapsing-days": { type: "string" },
        "lapsed-days": { type: "string" },
        "loyal-orders": { type: "string" },
        "purchase-rate": { type: "string" },
        currency: { type: "string" },
        timezone: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function sendWebhooks(
  values: ReturnType<typeof parseOptions>["values"],
  _positionals: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  out: Output,
): Promise<number> {
  const { cdnowDeliveries, fixtureDeliveries, plan, send } = await import("~/sync/replay.server");
  if (!values.url) throw new UsageError("--url is required (the running app, e.g. http://localhost:3000)");
  const secret = values.secret ?? env.SHOPIFY_API_SECRET;
  if (!secret) throw new UsageError("--secret or SHOPIFY_API_SECRET is required: deliveries are signed with it");
  const shop = requireShop(values.shop);
  let deliveries;
  if (values.cdnow) {
    const loaded = cdnowDeliveries(path.resolve(cwd, values.cdnow), shop);
    if (loaded.errors.length) throw new UsageError(`${values.cdnow}: ${loaded.errors.slice(0, 5).join("; ")}`);
    deliveries = loaded.deliveries;
  } else if (values.fixtures) {
    deliveries = fixtureDeliveries(path.resolve(cwd, values.fixtures), shop);
  } else {
    throw new UsageError("send-webhooks needs --cdnow FILE or --fixtures DIR");
  }
  const report = await send(
    plan(deliveries, {
      copies: positiveInt("copies", values.copies, 1),
      shuffleSeed: values.shuffle === undefined ? undefined : positiveInt("shuffle", values.shuffle, 0),
    }),
    { url: values.url, secret, concurrency: positiveInt("concurrency", values.concurrency, 8) },
  );
  out.print(
    report,
    `sent ${report.sent} in ${report.seconds} s (${report.perSecond}/s): ${JSON.stringify(report.byStatus)}, ` +
      `p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms`,
  );
  const failed = Object.entries(report.byStatus).filter(([status]) => !status.startsWith("2"));
  return failed.length ? 1 : 0;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseOptions(rest);
  const out = output(values.json ?? false);
  if (command === "send-webhooks") return sendWebhooks(values, positionals, env, cwd, out);
  const config = databaseConfig(env.DATABASE_URL, cwd);
  if (readsOnly(command, positionals[0])) {
    // Reading never migrates: a schema change belongs to `migrate` or to a command that writes, not to
    // a look at the figures (perhaps of a database a running app of another version still uses).
    // Usage first: a wrong command line is told so whatever the database.
    if (command !== "shops") requireShop(values.shop);
    const pending = await pendingMigrations(config, cwd);
    if (pending.length > 0) {
      throw new CommandError(
        `the database is not up to date (${pending.length} migration${pending.length === 1 ? "" : "s"} not applied, ` +
          `the first ${pending[0]}): run \`npm run tailored -- migrate\` first`,
      );
    }
  } else {
    const migrated = await migrate(config, cwd);
    if (command === "migrate") {
      out.print(
        { dialect: config.dialect, applied: migrated.applied, alreadyApplied: migrated.alreadyApplied },
        `${config.dialect}: applied ${migrated.applied.length}, already applied ${migrated.alreadyApplied}`,
      );
      return 0;
    }
  }

  const db: Db = openDatabase(config);
  try {
    switch (command) {
      case "seed": {
        const shop = values.shop ? requireShop(values.shop) : DEMO_SHOP;
        const customers = positiveInt("customers", values.customers, 5_000);
        const seed = positiveInt("seed", values.seed, 42);
        const now = parseNow(values.now);
        const purchaseRate = values["purchase-rate"] === undefined ? 1 : Number(values["purchase-rate"]);
        if (!(Number.isFinite(purchaseRate) && purchaseRate > 0 && purchaseRate <= 10)) {
          throw new UsageError(
            `--purchase-rate must be a number above 0 and at most 10, got "${values["purchase-rate"]}"`,
          );
        }
        const { clearShopData, seedDemoShop } = await import("~/services/seed.server");
        if (values.reset) await clearShopData(db, { shop });
        const started = Date.now();
        const result = await seedDemoShop(db, {
          shopDomain: shop,
          customers,
          seed,
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
      }
      case "import-cdnow": {
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
      }
      case "stats": {
        const shop = requireShop(values.shop);
        const stats = await shopStats(db, { shop });
        const revenue = formatMinor(stats.revenueMinor, stats.currencyCode);
        out.print(
          {
            shop,
            currency: stats.currencyCode,
            customers: stats.customers,
            orders: stats.orders,
            cancelledOrders: stats.cancelledOrders,
            revenue: Number(revenue),
            revenueMinor: stats.revenueMinor.toString(),
            refunds: Number(formatMinor(stats.refundsMinor, stats.currencyCode)),
            customersWithOrders: stats.customersWithOrders,
            repeatCustomers: stats.repeatCustomers,
            repeatPurchaseRate: stats.repeatPurchaseRate,
          },
          `${shop}: ${stats.customers} customers, ${stats.orders} orders, revenue ${revenue} ${stats.currencyCode}`,
        );
        return 0;
      }
      case "segments": {
        const sub = positionals[0];
        const shop = requireShop(values.shop);
        const { SegmentRuleError, SegmentTimeoutError } = await import("~/models/segments/errors");
        const { parseQuery, shopContext } = await import("~/models/segments/rules.server");
        const { countMatching } = await import("~/models/segments/read-models.server");
        const { createSegment, listSegments } = await import("~/models/segments/definitions.server");
        const { recomputeAll } = await import("~/models/segments/recompute.server");
        const now = parseNow(values.now);
        try {
          if (sub === "count") {
            if (!values.query) throw new UsageError('segments count needs --query "<segment query>"');
            const ctx = await shopContext(db, { shop, now });
            const checked = parseQuery(values.query, ctx);
            if (!checked.ok) throw new UsageError(checked.error);
            const count = await countMatching(db, { shop, rule: checked.rule, ctx });
            out.print({ shop, query: values.query, now: now.toISOString(), count }, String(count));
            return 0;
          }
          if (sub === "create") {
            if (!values.query || !values.name)
              throw new UsageError('segments create needs --name "<name>" and --query "<segment query>"');
            const id = await createSegment(db, { shop, name: values.name, query: values.query, now });
            const [row] = (await listSegments(db, { shop, now })).filter((s) => s.id === id);
            out.print(
              { shop, id, name: values.name, members: row?.memberCount ?? 0 },
              `segment ${id} "${values.name}": ${row?.memberCount ?? 0} members`,
            );
            return 0;
          }
          if (sub === "list") {
            const list = await listSegments(db, { shop, now });
            out.print(
              {
                shop,
                segments: list.map((s) => ({
                  ...s,
                  lastComputedAt: s.lastComputedAt?.toISOString() ?? null,
                  createdAt: s.createdAt.toISOString(),
                })),
              },
              list
                .map(
                  (s) => `${s.id}\t${s.memberCount}\t${s.change7d >= 0 ? "+" : ""}${s.change7d}\t${s.name}\t${s.query}`,
                )
                .join("\n") || "no segments",
            );
            return 0;
          }
          if (sub === "recompute") {
            const started = Date.now();
            const onProgress = values.progress
              ? (done: number, total: number) =>
                  process.stderr.write(
                    `recomputed ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} customer passes\n`,
                  )
              : undefined;
            const results = await recomputeAll(db, { shop, now, onProgress });
            const seconds = (Date.now() - started) / 1000;
            // A segment that could not be computed is reported, and the others are computed all the same.
            const line = (r: (typeof results)[number]) =>
              r.error ? `${r.name}: not computed: ${r.error}` : `${r.name}: ${r.members} (+${r.entered} -${r.left})`;
            out.print({ shop, seconds, segments: results }, results.map(line).join("\n") + `\n${seconds.toFixed(2)} s`);
            return 0;
          }
          throw new UsageError(`segments ${sub ?? ""}: expected count, create, list or recompute`);
        } catch (error) {
          if (error instanceof SegmentRuleError || error instanceof SegmentTimeoutError)
            throw new UsageError(error.message);
          throw error;
        }
      }
      case "lifecycle": {
        const shop = requireShop(values.shop);
        const { LifecycleThresholdsSchema } = await import("~/domain/segments/engine");
        const { shopContext } = await import("~/models/segments/rules.server");
        const { setLifecycleThresholds } = await import("~/models/segments/definitions.server");
        const current = (await shopContext(db, { shop, now: new Date() })).lifecycle!;
        const wanted = {
          lapsingDays: values["lapsing-days"]
            ? positiveInt("lapsing-days", values["lapsing-days"], 0)
            : current.lapsingDays,
          lapsedDays: values["lapsed-days"] ? positiveInt("lapsed-days", values["lapsed-days"], 0) : current.lapsedDays,
          loyalOrders: values["loyal-orders"]
            ? positiveInt("loyal-orders", values["loyal-orders"], 0)
            : current.loyalOrders,
        };
        const checked = LifecycleThresholdsSchema.safeParse(wanted);
        if (!checked.success)
          throw new UsageError(checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
        // Stages move: the segments that speak of them follow at once.
        const { changed } = await setLifecycleThresholds(db, { shop, thresholds: checked.data, now: new Date() });
        out.print(
          { shop, ...checked.data, changed },
          `${shop}: lapsing after ${checked.data.lapsingDays} days, lapsed after ${checked.data.lapsedDays}, loyal from ${checked.data.loyalOrders} orders`,
        );
        return 0;
      }
      case "shops": {
        const sub = positionals[0];
        if (sub === "install") {
          const shop = requireShop(values.shop);
          try {
            const { created, shop: row } = await installShop(db, {
              domain: shop,
              name: values.name,
              currencyCode: values.currency,
              ianaTimezone: values.timezone,
            });
            out.print(
              {
                shop,
                created,
                installed: true,
                name: row.name,
                currency: row.currencyCode,
                timezone: row.ianaTimezone,
              },
              `${created ? "installed" : "installed again"}: ${shop} (${row.name ?? "no name"}, ${row.currencyCode}, ${row.ianaTimezone})`,
            );
          } catch (error) {
            if (error instanceof ShopInputError) throw new UsageError(error.message);
            throw error;
          }
          return 0;
        }
        if (sub === "list") {
          const shops = await listShops(db);
          out.print(
            {
              shops: shops.map((s) => ({
                domain: s.domain,
                name: s.name,
                currency: s.currencyCode,
                timezone: s.ianaTimezone,
                demo: s.isDemo,
                installed: s.uninstalledAt === null,
                installedAt: s.installedAt.toISOString(),
                uninstalledAt: s.uninstalledAt?.toISOString() ?? null,
              })),
            },
            shops
              .map(
                (s) =>
                  `${s.domain}\t${s.uninstalledAt === null ? "installed" : `uninstalled ${s.uninstalledAt.toISOString()}`}\t${s.currencyCode}\t${s.ianaTimezone}\t${s.name ?? ""}`,
              )
              .join("\n") || "no shops",
          );
          return 0;
        }
        throw new UsageError(`shops ${sub ?? ""}: expected install or list`);
      }
      case "process-webhooks": {
        const { InboxProcessor } = await import("~/sync/processor.server");
        const { recomputeProductTagSegments } = await import("~/models/segments/recompute.server");
        // Product tags changed: their segments are recomputed after the drain (or every poll).
        const retagged = new Set<string>();
        const recomputeRetagged = async () => {
          for (const shop of [...retagged]) {
            retagged.delete(shop);
            await recomputeProductTagSegments(db, { shop, now: new Date() });
          }
        };
        const processor = new InboxProcessor(db, {
          batchSize: positiveInt("batch", values.batch, 200),
          leaseMs: positiveInt("lease-ms", values["lease-ms"], 30_000),
          onError: (error) => process.stderr.write(`[inbox] ${String(error)}\n`),
          onBatch: values.progress ? (n) => process.stderr.write(`batch ${n}\n`) : undefined,
          onProductTagsChanged: (shop) => retagged.add(shop),
        });
        if (values.once) {
          const processed = await processor.drain();
          await recomputeRetagged();
          out.print({ processed }, `processed ${processed} events`);
          return 0;
        }
        const retagTimer = setInterval(
          () =>
            void recomputeRetagged().catch((error: unknown) => process.stderr.write(`[segments] ${String(error)}\n`)),
          5_000,
        );
        // A worker process: drains, then polls, until it is stopped.
        processor.start(500);
        if (values.progress) process.stderr.write("watching the inbox\n");
        await new Promise<void>((resolve) => {
          for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
        });
        await processor.stop();
        clearInterval(retagTimer);
        await recomputeRetagged();
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await db.close();
  }
}

/** The commands that only read the database. */
function readsOnly(command: string, sub: string | undefined): boolean {
  return (
    command === "stats" ||
    (command === "segments" && (sub === "count" || sub === "list")) ||
    (command === "shops" && sub === "list")
  );
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("app/cli/main.ts")) {
  run(process.argv.slice(2), process.env, process.cwd()).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof UsageError || error instanceof CommandError ? error.message : error);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
