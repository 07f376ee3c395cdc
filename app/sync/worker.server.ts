// The app process's background work: the inbox processor (woken by every delivery, polling for
// leftovers), the backfill driver (woken by bulk_operations/finish, polling as a fallback), the
// reconciliation schedule, the daily pass (daily-pass.server.ts). The server starts it at boot
// (entry.server.tsx); nothing starts it on import, so tests and the CLI run no timers they never stop.
//
// Where it runs: by default in the thread that imports this module. The production server (server.mjs)
// runs it in a thread of its own, which also owns the webhook path's writes; the HTTP thread hands it
// deliveries, wake-ups and kicks (background-thread.server.ts, docs/decisions/008-ingest-single-writer-thread.md).
import { db } from "~/db.server";
import { decoder, sql, text } from "~/db/sql";
import { isDemoMode } from "~/demo/mode.server";
import { startExportBackground } from "~/export/background.server";
import { repairShopPixel } from "~/pixel/reconcile.server";
import { behaviourChanged } from "~/pixel/memberships.server";
import { pixelWriter } from "~/pixel/writer.server";
import { recomputeProductTagSegments } from "~/models/segments/recompute.server";
import { onBackfillRequested } from "./backfill-requests.server";
import { dailyPassShops, runGlobalDailySteps, runShopDailyPass, type DailyStepFailure } from "./daily-pass.server";
import { advanceBackfill, latestJobs } from "./backfill.server";
import {
  backgroundIsRemote,
  reportErasure,
  serveBackgroundPort,
  signalRemotely,
  tellHttpThread,
} from "./background-thread.server";
import { InboxWriter, MappedPayloads, type IncomingWebhook } from "./inbox.server";
import { installedShops } from "./installed-shops.server";
import { InboxProcessor } from "./processor.server";
import { keyedRuns } from "./keyed-runs";
import { getCursor, reconcile } from "./reconcile.server";
import { adminClientForShop } from "./shopify-client.server";

const BACKFILL_POLL_MS = 15_000;
const RECONCILE_EVERY_MS = 30 * 60_000;

let processor: InboxProcessor | undefined;
/** Events this thread stored and the processor has not applied yet (approximately: a batch may hold others). */
let unapplied = 0;
let writer: InboxWriter | undefined;
/** Order payloads the server's HTTP thread mapped, for the processor (MappedPayloads). */
const mappedPayloads = new MappedPayloads();

function log(error: unknown): void {
  console.error("[sync]", error);
}

/** One piece of work per key (and so per shop) at a time. */
const { once, coalesced } = keyedRuns(log);

/**
 * Stores a verified delivery in the inbox (group-committed with the others arriving now) and wakes the
 * processor. Resolves once committed: true if new, false for a redelivery.
 */
export async function storeDelivery(event: IncomingWebhook, now: Date): Promise<boolean> {
  writer ??= new InboxWriter(db);
  const stored = await writer.store(event, now);
  if (stored) unapplied += 1;
  inboxProcessor().wake();
  return stored;
}

/**
 * Asks the processor to drain soon; cheap enough for every delivery. In the server's HTTP thread the
 * processor is in the background thread, which wakes it itself after storing a delivery.
 */
export function wakeInbox(): void {
  if (backgroundIsRemote()) signalRemotely({ kind: "wake" });
  else inboxProcessor().wake();
}

export function kickBackfill(shop: string): Promise<void> {
  if (backgroundIsRemote()) {
    signalRemotely({ kind: "backfill", shop });
    return Promise.resolve();
  }
  return once(`backfill:${shop}`, async () => {
    // A finish notice for an operation that is not ours (or already handled) needs no Shopify call.
    const jobs = await latestJobs(db, { shop });
    if (!jobs.some((j) => j.status === "queued" || j.status === "running" || j.status === "importing")) return;
    const client = await adminClientForShop(shop);
    await advanceBackfill(db, { shop, client, now: () => new Date() });
  });
}

export function kickReconcile(shop: string): Promise<void> {
  if (backgroundIsRemote()) {
    signalRemotely({ kind: "reconcile", shop });
    return Promise.resolve();
  }
  return once(`reconcile:${shop}`, async () => {
    const client = await adminClientForShop(shop);
    await reconcile(db, {
      shop,
      client,
      now: () => new Date(),
      fallbackSince: new Date(Date.now() - RECONCILE_EVERY_MS),
    });
    // The Web Pixel, when the shop has none yet (deployed after the install) or Shopify lost it.
    await repairShopPixel(db, { shop, client, appUrl: process.env.SHOPIFY_APP_URL ?? "", now: new Date() }).catch(
      (error: unknown) => console.warn(`[pixel] ${shop}: not activated:`, (error as Error).message),
    );
  });
}

/** Product tags changed: the segments that test product tags are recomputed (in the background). */
export function productTagsChanged(shop: string): void {
  coalesced(`product-tags:${shop}`, async () => {
    await recomputeProductTagSegments(db, { shop, now: new Date() });
  });
}

async function shopsWithActiveBackfill(): Promise<string[]> {
  const rows = await db.all(
    sql`SELECT DISTINCT "shop" FROM "BulkJob" WHERE "status" IN ('queued', 'running', 'importing')`,
    decoder({ shop: text }),
  );
  return rows.map((r) => r.shop);
}

async function shopsDueForReconcile(now: Date): Promise<string[]> {
  const rows = await db.all(
    sql`SELECT s."domain" FROM "Shop" s WHERE s."uninstalledAt" IS NULL AND s."isDemo" = ${false}
       AND EXISTS (SELECT 1 FROM "Session" x WHERE x."shop" = s."domain" AND x."isOnline" = ${false})`,
    decoder({ domain: text }),
  );
  const due: string[] = [];
  for (const { domain: shop } of rows) {
    const cursor = await getCursor(db, shop, "orders");
    // Shops still backfilling have no cursor yet: the backfill sets it when it finishes.
    if (cursor && now.getTime() - cursor.getTime() >= RECONCILE_EVERY_MS) due.push(shop);
  }
  return due;
}

function startBackgroundSync(): void {
  const backfill = setInterval(() => {
    shopsWithActiveBackfill()
      .then((shops) => shops.forEach((shop) => void kickBackfill(shop)))
      .catch(log);
  }, BACKFILL_POLL_MS);
  backfill.unref();
  const reconcileTimer = setInterval(() => {
    shopsDueForReconcile(new Date())
      .then((shops) => shops.forEach((shop) => void kickReconcile(shop)))
      .catch(log);
  }, 60_000);
  reconcileTimer.unref();
}

const lastDailyPass = new Map<string, number>();

/**
 * Once a day per installed shop, the daily pass (daily-pass.server.ts: RFM, predictions, segments,
 * recommendations, retention), each step guarded on its own; before the shops, the inbox's and the
 * export's retention. Run every hour; a shop whose pass ran less than a day ago is skipped (a step that
 * failed runs again with the next day's pass). Resolves when every shop's pass has ended, with the
 * shops it ran for and the steps that failed (each also logged with its shop and step).
 */
export async function runDailyPass(now = new Date()): Promise<DailyPassReport> {
  const failed = await runGlobalDailySteps(db, { now });
  const shops: string[] = [];
  await Promise.all(
    (await dailyPassShops(db)).map((shop) => {
      if (now.getTime() - (lastDailyPass.get(shop) ?? -Infinity) < 24 * 60 * 60_000) return undefined;
      lastDailyPass.set(shop, now.getTime());
      shops.push(shop);
      return once(`daily:${shop}`, async () => {
        failed.push(...(await runShopDailyPass(db, { shop, now })));
      });
    }),
  );
  return { shops, failed };
}

export type DailyPassReport = { shops: string[]; failed: DailyStepFailure[] };

function startDailyPass(): void {
  const timer = setInterval(() => void runDailyPass().catch(log), 60 * 60_000);
  timer.unref();
}

/**
 * Starts the background work in this thread, unless this is the HTTP thread of a server that runs it
 * in a thread of its own (server.mjs sets TAILORED_BACKGROUND=thread before loading the build). In
 * that thread, it also serves the HTTP thread's deliveries: their inbox rows are group-committed here.
 */
export function startBackgroundWork(): void {
  // Backfills queued at install start at once: here, or in the background thread (kickBackfill sends it).
  onBackfillRequested((shop) => void kickBackfill(shop));
  if (process.env.TAILORED_BACKGROUND === "thread") return;
  const processor = inboxProcessor();
  serveBackgroundPort({
    store: storeDelivery,
    backlog: () => unapplied,
    mapped: (items) => {
      for (const { shop, eventId, mapped } of items) mappedPayloads.put(shop, eventId, mapped);
    },
    wake: () => processor.wake(),
    backfill: (shop) => void kickBackfill(shop),
    reconcile: (shop) => void kickReconcile(shop),
    pixel: async (shop, rows, now) => {
      const written = await pixelWriter(db).write(shop, rows, now);
      if (written.customers.length > 0) behaviourChanged(db, shop, written.customers);
      return written;
    },
  });
}

export function inboxProcessor(): InboxProcessor {
  if (!processor) {
    processor = new InboxProcessor(db, {
      // Far inside the 1 s we allow between acknowledging and applying an event.
      coalesceMs: 20,
      mapped: mappedPayloads,
      onError: log,
      onBulkOperationFinished: (shop) => void kickBackfill(shop),
      onProductTagsChanged: productTagsChanged,
      // Its deliveries (but compliance topics) are refused from now on: here, and in the server's HTTP
      // thread, which checks them.
      onShopUninstalled: (shop) => {
        installedShops().note(shop, false);
        tellHttpThread({ kind: "shop", shop, installed: false });
      },
      // shop/redact: unknown from now on, its compliance topics refused too (other processes learn it at
      // their next full refresh; the processor then erases anything they take for it).
      onShopErased: (shop) => {
        installedShops().note(shop, null);
        tellHttpThread({ kind: "shop", shop, installed: null });
      },
      onBatch: (events) => (unapplied = Math.max(0, unapplied - events)),
      onErased: reportErasure,
    });
    if (process.env.TAILORED_INBOX_POLL !== "off") processor.start();
    if (process.env.TAILORED_BACKGROUND_SYNC !== "off" && !isDemoMode()) startBackgroundSync();
    if (process.env.TAILORED_INBOX_POLL !== "off") startDailyPass();
    if (process.env.TAILORED_INBOX_POLL !== "off") startExportBackground(db, log);
  }
  return processor;
}
