// Webhook deliveries: sending signed ones to a running app, and applying the inbox.
import path from "node:path";
import { positiveInt, requireShop, str, UsageError, type CliCommand } from "../command";

const sendWebhooks: CliCommand = {
  name: "send-webhooks",
  usage: `  send-webhooks --url URL --shop DOMAIN (--cdnow FILE | --fixtures DIR) [--copies N] [--shuffle SEED]
                [--concurrency N] [--secret S]
        sign deliveries as Shopify does (SHOPIFY_API_SECRET) and POST them to a running app`,
  options: {
    url: { type: "string" },
    shop: { type: "string" },
    cdnow: { type: "string" },
    fixtures: { type: "string" },
    copies: { type: "string" },
    shuffle: { type: "string" },
    concurrency: { type: "string" },
    secret: { type: "string" },
  },
  database: "none",
  async run({ values, env, cwd, out }) {
    const { cdnowDeliveries, fixtureDeliveries, plan, send } = await import("~/sync/replay.server");
    const url = str(values, "url");
    if (!url) throw new UsageError("--url is required (the running app, e.g. http://localhost:3000)");
    const secret = str(values, "secret") ?? env.SHOPIFY_API_SECRET;
    if (!secret) throw new UsageError("--secret or SHOPIFY_API_SECRET is required: deliveries are signed with it");
    const shop = requireShop(values.shop);
    const cdnow = str(values, "cdnow");
    const fixtures = str(values, "fixtures");
    let deliveries;
    if (cdnow) {
      const loaded = cdnowDeliveries(path.resolve(cwd, cdnow), shop);
      if (loaded.errors.length) throw new UsageError(`${cdnow}: ${loaded.errors.slice(0, 5).join("; ")}`);
      deliveries = loaded.deliveries;
    } else if (fixtures) {
      deliveries = fixtureDeliveries(path.resolve(cwd, fixtures), shop);
    } else {
      throw new UsageError("send-webhooks needs --cdnow FILE or --fixtures DIR");
    }
    const report = await send(
      plan(deliveries, {
        copies: positiveInt("copies", values.copies, 1),
        shuffleSeed: values.shuffle === undefined ? undefined : positiveInt("shuffle", values.shuffle, 0),
      }),
      { url, secret, concurrency: positiveInt("concurrency", values.concurrency, 8) },
    );
    out.print(
      report,
      `sent ${report.sent} in ${report.seconds} s (${report.perSecond}/s): ${JSON.stringify(report.byStatus)}, ` +
        `p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms`,
    );
    const failed = Object.entries(report.byStatus).filter(([status]) => !status.startsWith("2"));
    return failed.length ? 1 : 0;
  },
};

const processWebhooks: CliCommand = {
  name: "process-webhooks",
  usage: `  process-webhooks [--once] [--batch N] [--lease-ms N] [--progress]
        apply the webhook inbox: until it is empty (--once), or as a worker until stopped`,
  options: {
    once: { type: "boolean", default: false },
    progress: { type: "boolean", default: false },
    batch: { type: "string" },
    "lease-ms": { type: "string" },
  },
  database: "write",
  async run({ db, values, out }) {
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
      () => void recomputeRetagged().catch((error: unknown) => process.stderr.write(`[segments] ${String(error)}\n`)),
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
  },
};

export const webhookCommands = [sendWebhooks, processWebhooks];
