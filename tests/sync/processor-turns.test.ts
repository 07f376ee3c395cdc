// The processor and the inbox writer sharing one thread on SQLite (the production server's background
// thread): a delivery that arrives while a batch runs is committed before the next batch, not after it.
// The acknowledgements the HTTP thread holds back for their commit (back-pressure) wait for the inbox
// writer: with one turn of the event loop between batches they waited for two batches (the ingest
// benchmark's p99). The delivery comes in as a message, as the HTTP thread's do.
import { MessageChannel } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { upsertShop } from "~/models/store.server";
import { InboxWriter, storeEvent } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { createTestDb } from "../helpers/db";
import { eventStream, incomingWebhook } from "../helpers/payloads";

const SHOP = "turns.myshopify.com";
const NOW = new Date("2026-06-02T00:00:00Z");

describe("a delivery stored while the processor drains (SQLite)", () => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await createTestDb("sqlite"));
    await upsertShop(db, { domain: SHOP, name: SHOP, currencyCode: "USD", ianaTimezone: "UTC" });
  });
  afterAll(() => close());

  it("is committed before the next batch starts", async () => {
    const events = eventStream({ customers: 40 });
    // Two late deliveries: one while the first batch runs (started from a timer), one while the second
    // runs (started from the turn after the first).
    const [late1, late2, ...queued] = events.slice(0, 62);
    for (const e of queued) await storeEvent(db, incomingWebhook(SHOP, e), NOW);

    const writer = new InboxWriter(db);
    const channel = new MessageChannel();
    let batches = 0;
    let handled = 0;
    const committedAfter: number[] = [];
    channel.port2.on("message", (n: number) => {
      void writer.store(incomingWebhook(SHOP, n === 1 ? late1! : late2!), NOW).then(() => {
        committedAfter[n - 1] = batches;
      });
    });
    const processor = new InboxProcessor(db, {
      batchSize: 20,
      // Woken as the server wakes it: the drain starts from a timer.
      coalesceMs: 5,
      now: () => NOW,
      onBatch: (events) => {
        batches += 1;
        handled += events;
        // Arrives while the batch runs, as a message from the HTTP thread would.
        if (batches <= 2) channel.port1.postMessage(batches);
      },
    });
    try {
      processor.wake();
      await processor.settle();
      expect(handled).toBe(62);
      expect(batches).toBeGreaterThanOrEqual(4);
      expect(committedAfter).toEqual([1, 2]);
    } finally {
      channel.port1.close();
      channel.port2.close();
    }
  });
});
