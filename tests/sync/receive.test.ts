// The webhook routes called directly with real, signed requests: what is stored, what is refused.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { webhookHeaders } from "~/sync/signing";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { ROOT } from "../helpers/env";

const SECRET = "receive-test-secret";
const SHOP = "fixture-shop.myshopify.com";
const FIXTURES = path.join(ROOT, "tests", "fixtures", "webhooks");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8");

describe("webhook routes", () => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    // Deliveries are accepted only for installed shops (tests/sync/webhook-trust.test.ts).
    await cliJson(database.url, "shops", "install", "--shop", SHOP, "--currency", "USD");
    vi.stubEnv("DATABASE_URL", database.url);
    vi.stubEnv("SHOPIFY_API_KEY", "test-key");
    vi.stubEnv("SHOPIFY_API_SECRET", SECRET);
    vi.stubEnv("SHOPIFY_APP_URL", "http://localhost:3000");
    vi.stubEnv("TAILORED_INBOX_POLL", "off");
    vi.stubEnv("TAILORED_BACKGROUND_SYNC", "off");
    vi.stubEnv("TAILORED_WEBHOOK_MAX_BYTES", String(256 * 1024));
    ({ db } = await import("~/db.server"));
  });
  afterAll(async () => {
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const post = async (
    topic: string,
    body: string,
    options: { eventId?: string; secret?: string; headers?: Record<string, string>; routeTopic?: string } = {},
  ) => {
    const route = await import(
      /* @vite-ignore */ `~/routes/webhooks.${(options.routeTopic ?? topic).replace("/", ".")}`
    );
    const headers = {
      ...webhookHeaders(
        { topic, shop: SHOP, body, eventId: options.eventId ?? `evt-${Math.random()}`, webhookId: "w-1" },
        options.secret ?? SECRET,
      ),
      ...options.headers,
    };
    const request = new Request(`http://localhost:3000/webhooks/${options.routeTopic ?? topic}`, {
      method: "POST",
      headers,
      body,
    });
    return (route.action as (args: { request: Request; params: object; context: object }) => Promise<Response>)({
      request,
      params: {},
      context: {},
    });
  };
  const stored = () => db.prisma.webhookEvent.count();

  it("stores a signed delivery and answers 200 at once", async () => {
    const response = await post("customers/create", fixture("customers__create"), { eventId: "evt-customer-1" });
    expect(response.status).toBe(200);
    expect(await db.prisma.webhookEvent.findFirst({ where: { eventId: "evt-customer-1" } })).toMatchObject({
      shop: SHOP,
      topic: "customers/create",
      webhookId: "w-1",
      apiVersion: "2025-07",
    });
  });

  it("acknowledges a second delivery of the same event and ignores it", async () => {
    const before = await stored();
    for (let i = 0; i < 3; i++)
      expect((await post("orders/create", fixture("orders__create"), { eventId: "evt-order-1" })).status).toBe(200);
    expect(await stored()).toBe(before + 1);
  });

  it("answers 401 to a wrong signature and stores nothing", async () => {
    const before = await stored();
    expect((await post("orders/create", fixture("orders__create"), { secret: "not-the-secret" })).status).toBe(401);
    const tampered = fixture("orders__create").replace('"test": false', '"test": true');
    const signedOriginal = webhookHeaders(
      { topic: "orders/create", shop: SHOP, body: fixture("orders__create"), eventId: "x", webhookId: "y" },
      SECRET,
    );
    expect((await post("orders/create", tampered, { headers: signedOriginal })).status).toBe(401);
    expect(await stored()).toBe(before);
  });

  it.each([
    ["malformed JSON", '{"id": 1,', {}, 400],
    ["a missing X-Shopify-Topic header", "{}", { "x-shopify-topic": "" }, 400],
    ["the topic of another route", fixture("products__create"), { "x-shopify-topic": "products/create" }, 400],
  ])("answers 4xx to %s and stores nothing", async (_label, body, headers, status) => {
    const before = await stored();
    const response = await post(headers["x-shopify-topic" as keyof typeof headers] || "orders/create", body, {
      headers: headers as Record<string, string>,
      routeTopic: "orders/create",
    });
    expect(response.status).toBe(status);
    expect(await stored()).toBe(before);
  });

  it("answers 413 to an oversized body, declared or not, and stores nothing", async () => {
    const before = await stored();
    const huge = JSON.stringify({ id: 1, padding: "x".repeat(300 * 1024) });
    expect((await post("orders/create", huge)).status).toBe(413);
    // Chunked, with no Content-Length: the limit still holds while reading.
    const route = await import("~/routes/webhooks.orders.create");
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode("x".repeat(10 * 1024)));
        controller.close();
      },
    });
    const headers = webhookHeaders(
      { topic: "orders/create", shop: SHOP, body: "", eventId: "big", webhookId: "w" },
      SECRET,
    );
    const request = new Request("http://localhost:3000/webhooks/orders/create", {
      method: "POST",
      headers,
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect((await route.action({ request, params: {}, context: {} })).status).toBe(413);
    expect(await stored()).toBe(before);
  });

  it("answers 405 to anything but POST", async () => {
    const route = await import("~/routes/webhooks.orders.create");
    const response = await route.action({
      request: new Request("http://localhost:3000/webhooks/orders/create", { method: "PUT", body: "{}" }),
      params: {},
      context: {},
    });
    expect(response.status).toBe(405);
  });

  it("receives, verifies and records every subscribed topic, and the processor applies the fixtures", async () => {
    const { TOPICS } = await import("~/sync/apply.server");
    const { inboxProcessor } = await import("~/sync/worker.server");
    // shop/redact last, on its own: it erases everything of the shop, these events included. Before
    // it, the uninstall: once it is applied, the shop's other topics are refused (compliance ones aside).
    const topics = [...TOPICS.filter((t) => t !== "shop/redact" && t !== "app/uninstalled"), "app/uninstalled"];
    for (const topic of topics) {
      const name = topic.replace("/", "__");
      expect((await post(topic, fixture(name), { eventId: `all-${name}` })).status).toBe(200);
    }
    await inboxProcessor().settle();
    const events = await db.prisma.webhookEvent.findMany({ where: { eventId: { startsWith: "all-" } } });
    expect(events).toHaveLength(topics.length);
    expect(events.filter((e) => e.status !== "done").map((e) => [e.topic, e.error])).toEqual([]);
    // orders/delete, customers/delete and products/delete leave tombstones, customers/redact its own;
    // the uninstall marks the shop.
    const tombstones = await db.prisma.tombstone.findMany({ where: { shop: SHOP }, orderBy: { kind: "asc" } });
    expect(tombstones.map((t) => t.kind)).toEqual(["customer", "customer-erased", "order", "order-erased", "product"]);
    expect(await db.prisma.customer.count({ where: { shop: SHOP, email: "maya.patel@example.com" } })).toBe(0);
    expect((await db.prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).not.toBeNull();

    expect((await post("shop/redact", fixture("shop__redact"), { eventId: "all-shop__redact" })).status).toBe(200);
    await inboxProcessor().settle();
    expect(await db.prisma.shop.findUnique({ where: { domain: SHOP } })).toBeNull();
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOP } })).toBe(0);
    expect(await db.prisma.tombstone.count({ where: { shop: SHOP } })).toBe(0);
  });
});
