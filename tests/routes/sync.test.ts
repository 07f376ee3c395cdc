// The Sync page's loader and action, called directly with real requests, in demo mode.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { DEMO_SHOP } from "~/demo/mode.server";
import { storeEvent } from "~/sync/inbox.server";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { stubDemoEnv } from "../helpers/demo-env";

describe("Sync page (demo mode)", () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    stubDemoEnv(database.url);
    ({ db } = await import("~/db.server"));
  });
  afterAll(async () => {
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const route = () => import("~/routes/app.sync");
  const form = (fields: Record<string, string>) =>
    new Request("http://localhost:3000/app/sync", { method: "POST", body: new URLSearchParams(fields) });

  it("shows that nothing has run yet on a new shop", async () => {
    const data = await (
      await route()
    ).loader({ request: new Request("http://localhost:3000/app/sync"), params: {}, context: {} });
    expect(data.jobs).toEqual([
      { resource: "customers", status: "never" },
      { resource: "products", status: "never" },
      { resource: "orders", status: "never" },
    ]);
    expect(data.topics).toEqual([]);
    expect(data.failed).toEqual([]);
  });

  it("lists webhooks per topic and failed events, and retries a failed one", async () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const base = { shop: DEMO_SHOP, webhookId: null, apiVersion: null, triggeredAt: null };
    await storeEvent(db, { ...base, topic: "orders/create", eventId: "a", payload: '{"id": 1}' }, now);
    await storeEvent(db, { ...base, topic: "customers/update", eventId: "b", payload: "{}" }, now);
    const { inboxProcessor } = await import("~/sync/worker.server");
    await inboxProcessor().settle();

    const { loader, action } = await route();
    const data = await loader({ request: new Request("http://localhost:3000/app/sync"), params: {}, context: {} });
    expect(data.topics.map((t) => [t.topic, t.received, t.failed])).toEqual([
      ["customers/update", 1, 1],
      ["orders/create", 1, 1],
    ]);
    expect(data.failed).toHaveLength(2);
    expect(data.failed[0]?.error).toMatch(/^customer/);

    // Both failed once; mark when, far back, so that a second run shows.
    const long_ago = new Date("2000-01-01T00:00:00Z");
    await db.prisma.webhookEvent.updateMany({ where: { shop: DEMO_SHOP }, data: { processedAt: long_ago } });
    const [retried, other] = [data.failed[0]!.seq, data.failed[1]!.seq];
    const result = (await action({
      request: form({ intent: "retry", seq: String(retried) }),
      params: {},
      context: {},
    })) as { ok: boolean; message: string };
    expect(result).toEqual({ ok: true, message: "1 event queued again" });
    await inboxProcessor().settle();
    const row = (seq: number) =>
      db.prisma.webhookEvent.findUniqueOrThrow({
        where: { seq },
        select: { status: true, attempts: true, processedAt: true, error: true },
      });
    // The retried event went through the processor again (its payload is still wrong, so it failed
    // again, once); the other was left alone.
    const again = await row(retried);
    expect(again).toMatchObject({ status: "failed", attempts: 1 });
    expect(again.processedAt!.getTime()).toBeGreaterThan(long_ago.getTime());
    expect(again.error).toBe(data.failed[0]!.error);
    expect(await row(other)).toMatchObject({ status: "failed", attempts: 1, processedAt: long_ago });
  });

  it("refuses an unknown action with 400, and a Shopify sync on the demo shop with 422", async () => {
    const { action } = await route();
    const bad = (await action({ request: form({ intent: "explode" }), params: {}, context: {} })) as Response;
    expect(bad.status).toBe(400);
    const demo = (await action({ request: form({ intent: "backfill" }), params: {}, context: {} })) as Response;
    expect(demo.status).toBe(422);
    expect(await demo.json()).toEqual({ ok: false, error: "The demo shop has no Shopify store to sync from." });
  });

  it("says when the demo shop's data was generated: never, then the seed's time", async () => {
    const load = async () =>
      (await route()).loader({ request: new Request("http://localhost:3000/app/sync"), params: {}, context: {} });
    await db.prisma.customer.deleteMany({});
    expect((await load()).generatedAt).toBeNull();
    await cliJson(database.url, "seed", "--customers", "20", "--now", "2026-02-01T12:00:00Z");
    expect((await load()).generatedAt).toBe("2026-02-01T12:00:00.000Z");
  });
});
