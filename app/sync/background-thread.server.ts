// The production server's background thread (docs/decisions/008-ingest-single-writer-thread.md).
// SQLite is synchronous: a batch of events applied on the HTTP thread holds every delivery behind it,
// and two connections writing at once wait for each other's locks in sleeps. So the server's HTTP
// thread writes nothing to the database on the webhook path: it verifies a delivery and hands it over
// this channel to the background thread, which owns the writes — it group-commits the inbox rows,
// answers "stored", and applies the events in between. When is a delivery acknowledged? On SQLite,
// once the HTTP thread has appended it to the webhook journal (app/single-node, SQLite only,
// docs/decisions/012-webhook-journal.md), without waiting for that commit; on PostgreSQL, after it.
import { MessageChannel, Worker, workerData, type MessagePort } from "node:worker_threads";
import { databaseConfig } from "~/db/config";
import { journalFor, usesWebhookJournal, writerThreadEnv, type Journal } from "~/single-node/index.server";
import type { PixelEventRow } from "~/pixel/events";
import type { Written } from "~/pixel/writer.server";
import type { IncomingWebhook } from "./inbox.server";
import { installedShops } from "./installed-shops.server";
import { mapOrderWebhook, type OrderMapping } from "./mappers/rest";
import type { MapResult } from "./mappers/shared";
import { ORDER_UPSERT_TOPICS } from "./topics";

type WireEvent = Omit<IncomingWebhook, "triggeredAt"> & { triggeredAt: number | null };
type ToThread =
  | { kind: "store"; id: number; event: WireEvent; now: number }
  | { kind: "mapped"; items: MappedItem[] }
  | { kind: "wake" }
  | { kind: "backfill"; shop: string }
  | { kind: "reconcile"; shop: string }
  | { kind: "pixel"; id: number; shop: string; rows: PixelEventRow[]; now: number };
type MappedItem = { shop: string; eventId: string; mapped: MapResult<OrderMapping> };
/**
 * `backlog`: events stored and not yet applied, as the background thread counts them. `shop`: a shop's
 * standing changed there (app/uninstalled applied), for the HTTP thread's set of installed shops.
 * `erased`: an erasure was applied; the journal's current file is closed (it may hold deliveries about
 * what went).
 */
type StoredResults = { id: number; stored?: boolean; error?: string }[];
type FromThread =
  | { kind: "stored"; results: StoredResults; backlog: number }
  | { kind: "shop"; shop: string; installed: boolean | null }
  | { kind: "erased" }
  | { kind: "pixel-written"; id: number; written?: Written; error?: string };

export type BackgroundHandlers = {
  store(event: IncomingWebhook, now: Date): Promise<boolean>;
  /** Events stored and not yet applied. */
  backlog(): number;
  /** Order payloads mapped in the HTTP thread (MappedPayloads in inbox.server.ts). */
  mapped(items: MappedItem[]): void;
  wake(): void;
  backfill(shop: string): void;
  reconcile(shop: string): void;
  /** A Web Pixel batch's rows, stored (group commit) and its customers' memberships updated after. */
  pixel(shop: string, rows: PixelEventRow[], now: Date): Promise<Written>;
};

// ---------------------------------------------------------------------------------------------------
// The HTTP thread's side.

let port: MessagePort | null = null;
/** False while the thread is being restarted: what is sent meanwhile would be lost. */
let connected = false;
let nextId = 1;
type StoreItem = { id: number; event: WireEvent; now: number };
type Waiting = {
  item: StoreItem;
  /** The journal file that holds it (SQLite): its commit is awaited only to let the file go. */
  generation?: number;
  resolve: (stored: boolean) => void;
  reject: (error: Error) => void;
};
const waiting = new Map<number, Waiting>();
/** Pixel batches handed to the background thread, waiting for their commit. */
const pixelWaiting = new Map<number, { resolve: (written: Written) => void; reject: (error: Error) => void }>();
let toMap: { shop: string; eventId: string; payload: unknown }[] = [];
let journal: Journal | null = null;

/**
 * Deliveries acknowledged and not yet applied (in the journal, or stored and waiting for the
 * processor), past which a new delivery waits for its inbox commit instead, as on PostgreSQL. That
 * commit takes its turn between the processor's batches, so acknowledgements slow to the pace at which
 * events are applied: at most about this many wait, a fraction of a second's work, however long the
 * load lasts (the sync issue allows 1 s between acknowledging and applying).
 */
const MAX_BACKLOG = 2_000;
/** The background thread's last count of events stored and not yet applied. */
let backlog = 0;

/** True in the HTTP thread of a server whose background work runs in its own thread. */
export function backgroundIsRemote(): boolean {
  return port !== null;
}

/**
 * Starts the background thread from `entry` (a module that, in a worker, imports the server build,
 * whose entry calls startBackgroundWork()). Restarts it if it dies: its stored events stay in the
 * inbox, and journaled deliveries it had not stored are handed to the next one. Returns a function
 * that stops it.
 */
export function startBackgroundThread(entry: URL): () => Promise<void> {
  let stopping = false;
  let worker: Worker;
  const config = databaseConfig(process.env.DATABASE_URL, process.cwd());
  if (usesWebhookJournal(config)) {
    try {
      const opened = journalFor(config.file);
      journal = opened.journal;
      // Acknowledged by a process that stopped before storing them all: stored now (a redelivery of one
      // already in the inbox is ignored there, as ever).
      for (const { generation, record } of opened.recovered) {
        const { receivedAt, ...event } = record;
        const id = nextId++;
        waiting.set(id, {
          item: { id, event, now: receivedAt },
          generation,
          resolve: () => undefined,
          reject: () => undefined,
        });
      }
    } catch (error) {
      // Serve anyway, acknowledging after the inbox commit; files left behind stay for the next start.
      console.error("[journal] not used:", error);
    }
  }
  const start = () => {
    const channel = new MessageChannel();
    port = channel.port1;
    connected = true;
    port.on("message", (message: FromThread) => {
      if (message.kind === "shop") return installedShops().note(message.shop, message.installed);
      if (message.kind === "erased") return journal?.retire();
      if (message.kind === "pixel-written") {
        const w = pixelWaiting.get(message.id);
        pixelWaiting.delete(message.id);
        if (message.error !== undefined) w?.reject(new Error(message.error));
        else w?.resolve(message.written!);
        return;
      }
      backlog = message.backlog;
      for (const { id, stored, error } of message.results) {
        const w = waiting.get(id);
        if (!w) continue;
        if (error !== undefined && w.generation !== undefined) {
          // Acknowledged already: it must reach the inbox. Again in a second.
          setTimeout(() => waiting.has(id) && send({ kind: "store", ...w.item }), 1000).unref();
          continue;
        }
        waiting.delete(id);
        if (w.generation !== undefined) journal?.stored(w.generation);
        if (error === undefined) w.resolve(stored!);
        else w.reject(new Error(error));
      }
    });
    worker = new Worker(entry, {
      // This thread does nearly all the writing: on SQLite its connection leaves WAL checkpoints to a
      // thread of their own (app/single-node).
      env: { ...process.env, TAILORED_BACKGROUND: "here", ...writerThreadEnv(config) },
      workerData: { tailoredBackgroundPort: channel.port2 },
      transferList: [channel.port2],
    });
    worker.on("error", (error) => console.error("[background]", error));
    worker.on("exit", (code) => {
      connected = false;
      // Deliveries waiting for their commit get a 500 and Shopify sends them again; journaled ones
      // (acknowledged) go to the next thread.
      for (const [id, w] of waiting) {
        if (w.generation !== undefined) continue;
        waiting.delete(id);
        w.reject(new Error("background thread exited"));
      }
      // Pixel batches are not journaled: their senders get a 500 (a lost batch is tolerable).
      for (const [id, w] of pixelWaiting) {
        pixelWaiting.delete(id);
        w.reject(new Error("background thread exited"));
      }
      if (stopping) return;
      console.error(`[background] thread exited with ${code}; restarting`);
      setTimeout(start, 1000).unref();
    });
    for (const w of waiting.values()) send({ kind: "store", ...w.item });
  };
  start();
  return async () => {
    stopping = true;
    await worker.terminate();
    connected = false;
    port = null;
    journal?.close();
  };
}

function send(message: ToThread): void {
  // While the thread restarts: journaled deliveries are sent again by start(), the rest get a 500.
  if (connected) port!.postMessage(message);
}

/**
 * Resolves once the delivery may be acknowledged: on SQLite once it is in the journal (true, whether
 * or not it turns out to be a redelivery), else once the background thread has committed it (true,
 * or false for a redelivery). `parsed` is the payload, already parsed: an order's is mapped here once
 * the delivery is on its way, and its rows follow (MappedPayloads in inbox.server.ts).
 */
export function storeDeliveryRemotely(event: IncomingWebhook, now: Date, parsed?: unknown): Promise<boolean> {
  const id = nextId++;
  const item: StoreItem = {
    id,
    event: { ...event, triggeredAt: event.triggeredAt?.getTime() ?? null },
    now: now.getTime(),
  };
  if (!connected && !journal) return Promise.reject(new Error("background thread restarting"));
  const appended = journal?.append({ ...item.event, receivedAt: item.now });
  const committed = new Promise<boolean>((resolve, reject) =>
    waiting.set(id, { item, generation: appended?.generation, resolve, reject }),
  );
  // Handed over at once rather than gathered for the turn of the event loop: the background thread
  // commits it (with whatever else it has) while this thread verifies the next deliveries.
  send({ kind: "store", ...item });
  if (parsed !== undefined && ORDER_UPSERT_TOPICS.has(event.topic)) {
    toMap.push({ shop: event.shop, eventId: event.eventId, payload: parsed });
    // Once per turn, after the acknowledgements that are already waiting.
    if (toMap.length === 1) setImmediate(mapAndSend);
  }
  if (!appended || journal!.outstanding + backlog > MAX_BACKLOG) return committed;
  // Once in the journal, as durable as the inbox commit: acknowledged. (Whether it was a redelivery
  // does not change the answer: 200 either way.)
  void committed.catch(() => undefined);
  return appended.written.then(
    () => true,
    (error: unknown) => {
      // Not written, so not acknowledged: its commit no longer holds a journal file.
      const w = waiting.get(id);
      if (w) w.generation = undefined;
      throw error;
    },
  );
}

/**
 * A Web Pixel batch's rows, written by the background thread (which owns the writes on SQLite: the HTTP
 * thread then never waits for the database's write lock), resolved once committed. The background
 * thread also updates the memberships of the customers named.
 */
export function writePixelRemotely(shop: string, rows: PixelEventRow[], now: Date): Promise<Written> {
  if (!connected) return Promise.reject(new Error("background thread restarting"));
  const id = nextId++;
  const written = new Promise<Written>((resolve, reject) => pixelWaiting.set(id, { resolve, reject }));
  send({ kind: "pixel", id, shop, rows, now: now.getTime() });
  return written;
}

function mapAndSend(): void {
  const items = toMap;
  toMap = [];
  if (items.length === 0 || !connected) return;
  send({
    kind: "mapped",
    items: items.map(({ shop, eventId, payload }) => ({ shop, eventId, mapped: mapOrderWebhook(payload) })),
  });
}

export function signalRemotely(signal: { kind: "wake" } | { kind: "backfill" | "reconcile"; shop: string }): void {
  send(signal);
}

// ---------------------------------------------------------------------------------------------------
// The background thread's side.

/** The HTTP thread, seen from the background thread (null elsewhere). */
let httpThread: MessagePort | null = null;

/** In the background thread: a shop's standing changed here (the HTTP thread checks deliveries against it). */
export function tellHttpThread(message: { kind: "shop"; shop: string; installed: boolean | null }): void {
  httpThread?.postMessage(message satisfies FromThread);
}

/** In the background thread: tells the HTTP thread an erasure was applied. Elsewhere: nothing. */
export function reportErasure(): void {
  httpThread?.postMessage({ kind: "erased" } satisfies FromThread);
}

/** In the background thread: answers the HTTP thread. Elsewhere (tests, the CLI, dev): nothing. */
export function serveBackgroundPort(handlers: BackgroundHandlers): void {
  const from = (workerData as { tailoredBackgroundPort?: MessagePort } | null)?.tailoredBackgroundPort;
  if (!from) return;
  httpThread = from;
  let replies: StoredResults = [];
  // The replies of one inbox commit go together, once its microtasks have run: not at the next turn of
  // the event loop, which on SQLite comes after the processor's next batch (acknowledgements held back
  // for their commit would wait for it).
  const reply = (result: StoredResults[number]) => {
    if (replies.length === 0) {
      queueMicrotask(() => {
        const results = replies;
        replies = [];
        from.postMessage({ kind: "stored", results, backlog: handlers.backlog() } satisfies FromThread);
      });
    }
    replies.push(result);
  };
  from.on("message", (message: ToThread) => {
    switch (message.kind) {
      case "store": {
        const { id, event, now } = message;
        handlers
          .store(
            { ...event, triggeredAt: event.triggeredAt === null ? null : new Date(event.triggeredAt) },
            new Date(now),
          )
          .then(
            (stored) => reply({ id, stored }),
            (error: unknown) => reply({ id, error: error instanceof Error ? error.message : String(error) }),
          );
        return;
      }
      case "mapped":
        return handlers.mapped(message.items);
      case "wake":
        return handlers.wake();
      case "backfill":
        return handlers.backfill(message.shop);
      case "reconcile":
        return handlers.reconcile(message.shop);
      case "pixel": {
        const { id, shop, rows, now } = message;
        handlers.pixel(shop, rows, new Date(now)).then(
          (written) => from.postMessage({ kind: "pixel-written", id, written } satisfies FromThread),
          (error: unknown) =>
            from.postMessage({
              kind: "pixel-written",
              id,
              error: error instanceof Error ? error.message : String(error),
            } satisfies FromThread),
        );
        return;
      }
    }
  });
}
