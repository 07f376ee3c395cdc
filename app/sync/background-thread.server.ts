// The production server's background thread (docs/decisions/008-ingest-single-writer-thread.md).
// SQLite is synchronous: a batch of events applied on the HTTP thread holds every delivery behind it,
// and two connections writing at once wait for each other's locks in sleeps. So the server's HTTP
// thread writes nothing on the webhook path: it verifies a delivery and hands it over this channel to
// the background thread, which owns the writes — it group-commits the inbox rows, answers "stored"
// (and only then does the HTTP thread acknowledge), and applies the events in between.
import { MessageChannel, Worker, workerData, type MessagePort } from "node:worker_threads";
import type { IncomingWebhook } from "./inbox.server";
import { mapOrderWebhook, type MapResult, type OrderMapping } from "./mappers";
import { ORDER_UPSERT_TOPICS } from "./topics";

type WireEvent = Omit<IncomingWebhook, "triggeredAt"> & { triggeredAt: number | null };
type ToThread =
  | { kind: "store"; id: number; event: WireEvent; now: number }
  | { kind: "mapped"; items: MappedItem[] }
  | { kind: "wake" }
  | { kind: "backfill"; shop: string }
  | { kind: "reconcile"; shop: string };
type MappedItem = { shop: string; eventId: string; mapped: MapResult<OrderMapping> };
type FromThread = { kind: "stored"; results: { id: number; stored?: boolean; error?: string }[] };

export type BackgroundHandlers = {
  store(event: IncomingWebhook, now: Date): Promise<boolean>;
  /** Order payloads mapped in the HTTP thread (MappedPayloads in inbox.server.ts). */
  mapped(items: MappedItem[]): void;
  wake(): void;
  backfill(shop: string): void;
  reconcile(shop: string): void;
};

// ---------------------------------------------------------------------------------------------------
// The HTTP thread's side.

let port: MessagePort | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (stored: boolean) => void; reject: (error: Error) => void }>();
let toMap: { shop: string; eventId: string; payload: unknown }[] = [];

/** True in the HTTP thread of a server whose background work runs in its own thread. */
export function backgroundIsRemote(): boolean {
  return port !== null;
}

/**
 * Starts the background thread from `entry` (a module that, in a worker, imports the server build,
 * whose entry calls startBackgroundWork()). Restarts it if it dies; its events stay in the inbox.
 * Returns a function that stops it.
 */
export function startBackgroundThread(entry: URL): () => Promise<void> {
  let stopping = false;
  let worker: Worker;
  const start = () => {
    const channel = new MessageChannel();
    port = channel.port1;
    port.on("message", (message: FromThread) => {
      for (const { id, stored, error } of message.results) {
        const w = waiting.get(id);
        waiting.delete(id);
        if (error === undefined) w?.resolve(stored!);
        else w?.reject(new Error(error));
      }
    });
    worker = new Worker(entry, {
      // This thread does nearly all the writing: its SQLite connection leaves WAL checkpoints to a
      // thread of their own (app/db/checkpointer.server.ts).
      env: { ...process.env, TAILORED_BACKGROUND: "here", TAILORED_SQLITE_CHECKPOINTS: "thread" },
      workerData: { tailoredBackgroundPort: channel.port2 },
      transferList: [channel.port2],
    });
    worker.on("error", (error) => console.error("[background]", error));
    worker.on("exit", (code) => {
      // Deliveries it had not answered get a 500 and Shopify sends them again.
      for (const [id, w] of waiting) {
        waiting.delete(id);
        w.reject(new Error("background thread exited"));
      }
      if (stopping) return;
      console.error(`[background] thread exited with ${code}; restarting`);
      setTimeout(start, 1000).unref();
    });
  };
  start();
  return async () => {
    stopping = true;
    await worker.terminate();
    port = null;
  };
}

function send(message: ToThread): void {
  port!.postMessage(message);
}

/**
 * Stored (committed) by the background thread: resolves true, or false for a redelivery. `parsed` is
 * the payload, already parsed: an order's is mapped here once the delivery is on its way, while the
 * background thread commits it, and its rows follow (MappedPayloads in inbox.server.ts).
 */
export function storeRemotely(event: IncomingWebhook, now: Date, parsed?: unknown): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    // Handed over at once rather than gathered for the turn of the event loop: the background thread
    // commits it (with whatever else it has) while this thread verifies the next deliveries, instead of
    // the two taking turns over every delivery of a turn.
    send({ kind: "store", id, event: { ...event, triggeredAt: event.triggeredAt?.getTime() ?? null }, now: now.getTime() });
    if (parsed !== undefined && ORDER_UPSERT_TOPICS.has(event.topic)) {
      toMap.push({ shop: event.shop, eventId: event.eventId, payload: parsed });
      // Once per turn, after the acknowledgements that are already waiting.
      if (toMap.length === 1) setImmediate(mapAndSend);
    }
  });
}

function mapAndSend(): void {
  const items = toMap;
  toMap = [];
  if (items.length === 0 || port === null) return;
  send({ kind: "mapped", items: items.map(({ shop, eventId, payload }) => ({ shop, eventId, mapped: mapOrderWebhook(payload) })) });
}

export function signalRemotely(signal: { kind: "wake" } | { kind: "backfill" | "reconcile"; shop: string }): void {
  send(signal);
}

// ---------------------------------------------------------------------------------------------------
// The background thread's side.

/** In the background thread: answers the HTTP thread. Elsewhere (tests, the CLI, dev): nothing. */
export function serveBackgroundPort(handlers: BackgroundHandlers): void {
  const from = (workerData as { tailoredBackgroundPort?: MessagePort } | null)?.tailoredBackgroundPort;
  if (!from) return;
  let replies: FromThread["results"] = [];
  const reply = (result: FromThread["results"][number]) => {
    if (replies.length === 0) {
      setImmediate(() => {
        const results = replies;
        replies = [];
        from.postMessage({ kind: "stored", results } satisfies FromThread);
      });
    }
    replies.push(result);
  };
  from.on("message", (message: ToThread) => {
    switch (message.kind) {
      case "store": {
        const { id, event, now } = message;
        handlers
          .store({ ...event, triggeredAt: event.triggeredAt === null ? null : new Date(event.triggeredAt) }, new Date(now))
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
    }
  });
}
