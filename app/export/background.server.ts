// The export's background work, started with the app's (app/sync/worker.server.ts): export jobs and
// sync runs every 10 seconds, customers/redact's deletion requests every minute. Shopify-tag jobs use
// the shop's offline session (app/sync/shopify-client.server.ts).
import type { Executor } from "~/db/database.server";
import { adminClientForShop } from "~/sync/shopify-client.server";
import { processDeletions } from "./deletions.server";
import { adapterFactory, kickExports, startExportWork } from "./worker.server";

let started = false;

export function startExportBackground(db: Executor, onError: (error: unknown) => void): void {
  if (started) return;
  started = true;
  startExportWork(db, exportAdapters(db), onError);
  const timer = setInterval(() => void processDeletions(db, { now: () => new Date() }).catch(onError), 60_000);
  timer.unref();
}

export function exportAdapters(db: Executor) {
  return adapterFactory(db, { adminClient: adminClientForShop });
}

/** Runs queued export jobs now (the Exports page's "Export" and "Sync now"). */
export function kickExportJobs(db: Executor, onError: (error: unknown) => void): void {
  kickExports(db, exportAdapters(db), onError);
}
