// Asking for a backfill without importing the code that runs it. A backfill is requested by writing
// its BulkJob rows (queueBackfill); the background work picks queued jobs up on its 15 s poll, or at
// once when it listens here. The install hook (services/install.server.ts, run by shopify.server.ts's
// afterAuth) asks this way: importing the worker instead would close an import cycle, since the worker's
// Admin API client is built from shopify.server.ts (tests/architecture/import-cycles.test.ts).

type Listener = (shop: string) => void;

let listener: Listener | null = null;

/** The process's background work (worker.server.ts) listens; there is one listener at most. */
export function onBackfillRequested(next: Listener | null): void {
  listener = next;
}

/** A backfill was queued for `shop`: start it now if this process runs (or talks to) the background work. */
export function backfillRequested(shop: string): void {
  listener?.(shop);
}
