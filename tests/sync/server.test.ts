// The production server's direct webhook path (server.mjs), over real HTTP.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookHeaders } from "~/sync/signing";
import { cliJson } from "../helpers/cli";
import { openDatabase, type Db } from "~/db/database.server";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { buildApp, startServer, type RunningServer } from "../helpers/server";

const SECRET = "server-test-secret";
const SHOP = "server-test.myshopify.com";

/** POSTs over a connection of its own and resolves with the status the server answered. */
function post(url: string, path: string, headers: Record<string, string>, chunks: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${path}`, { method: "POST", headers, agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    // A reset is a failure, not an answer: the server must answer even a body it refuses.
    request.on("error", reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe.each(DIALECTS)("server.mjs webhook path on %s", (dialect) => {
  let database: TestDatabase;
  let server: RunningServer;
  let db: Db;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "migrate");
    await cliJson(database.url, "shops", "install", "--shop", SHOP);
    buildApp();
    server = await startServer({
      DATABASE_URL: database.url,
      SHOPIFY_API_SECRET: SECRET,
      HOST: "127.0.0.1",
      TAILORED_WEBHOOK_MAX_BYTES: String(64 * 1024),
    });
    db = openDatabase(database.config);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
    await database?.drop();
  });

  const body = JSON.stringify({ id: 5, admin_graphql_api_id: "gid://shopify/Product/5" });
  const signed = (topic: string, payload = body, secret = SECRET) => ({
    ...webhookHeaders({ topic, shop: SHOP, body: payload, eventId: `e-${Math.random()}`, webhookId: "w" }, secret),
    "content-length": String(Buffer.byteLength(payload)),
  });

  it("stores and applies a signed delivery (200) and refuses a wrong signature (401), storing nothing", async () => {
    const customer = (id: number, email: string) =>
      JSON.stringify({
        id,
        email,
        first_name: "Ada",
        last_name: "Lovelace",
        created_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
        addresses: [],
      });
    const good = customer(501, "ada@example.com");
    const forged = customer(502, "mallory@example.com");
    expect(await post(server.url, "/webhooks/customers/create", signed("customers/create", good), [good])).toBe(200);
    expect(
      await post(server.url, "/webhooks/customers/create", signed("customers/create", forged, "wrong"), [forged]),
    ).toBe(401);
    // Applied after the acknowledgement, in the background thread.
    for (let i = 0; i < 200 && (await db.prisma.customer.count({ where: { shop: SHOP } })) === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await db.prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true, email: true } })).toEqual([
      { id: "501", email: "ada@example.com" },
    ]);
    const stored = await db.prisma.webhookEvent.findMany({
      where: { shop: SHOP, topic: "customers/create" },
      select: { status: true },
    });
    expect(stored).toEqual([{ status: "done" }]);
  });

  it("answers 404 to a topic Tailored does not subscribe to", async () => {
    expect(await post(server.url, "/webhooks/themes/publish", signed("themes/publish"), [body])).toBe(404);
  });

  it("answers 413 to an oversized body, declared or streamed", async () => {
    const big = "x".repeat(100 * 1024);
    expect(await post(server.url, "/webhooks/orders/create", signed("orders/create", big), [big])).toBe(413);
    const { "content-length": _drop, ...chunked } = signed("orders/create", big);
    expect(
      await post(
        server.url,
        "/webhooks/orders/create",
        { ...chunked, "transfer-encoding": "chunked" },
        Array.from({ length: 10 }, () => "x".repeat(10 * 1024)),
      ),
    ).toBe(413);
  });

  const forShop = (shop: string, topic: string, payload: string) => ({
    ...webhookHeaders({ topic, shop, body: payload, eventId: `e-${Math.random()}`, webhookId: "w" }, SECRET),
    "content-length": String(Buffer.byteLength(payload)),
  });

  it("refuses a shop that never installed (403) until the CLI installs it, while the server runs", async () => {
    const stranger = "stranger.myshopify.com";
    expect(
      await post(server.url, "/webhooks/products/delete", forShop(stranger, "products/delete", body), [body]),
    ).toBe(403);
    await cliJson(database.url, "shops", "install", "--shop", stranger);
    expect(
      await post(server.url, "/webhooks/products/delete", forShop(stranger, "products/delete", body), [body]),
    ).toBe(200);
  });

  it("refuses an uninstalled shop's orders once the background thread applied app/uninstalled, and takes its shop/redact", async () => {
    const leaving = "leaving.myshopify.com";
    await cliJson(database.url, "shops", "install", "--shop", leaving);
    expect(await post(server.url, "/webhooks/products/delete", forShop(leaving, "products/delete", body), [body])).toBe(
      200,
    );
    const uninstall = JSON.stringify({ id: 1, myshopify_domain: leaving });
    expect(
      await post(server.url, "/webhooks/app/uninstalled", forShop(leaving, "app/uninstalled", uninstall), [uninstall]),
    ).toBe(200);
    // Applied in the background thread, which tells the HTTP thread: refused from then on (a few tries
    // while the event is applied; nothing else would tell this thread for 30 s).
    let status = 0;
    for (let i = 0; i < 100 && status !== 403; i++) {
      status = await post(server.url, "/webhooks/products/delete", forShop(leaving, "products/delete", body), [body]);
      if (status !== 403) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(403);
    const redact = JSON.stringify({ shop_id: 1, shop_domain: leaving });
    expect(await post(server.url, "/webhooks/shop/redact", forShop(leaving, "shop/redact", redact), [redact])).toBe(
      200,
    );
    const forged = JSON.stringify({ shop_id: 1, shop_domain: SHOP });
    expect(await post(server.url, "/webhooks/shop/redact", forShop(leaving, "shop/redact", forged), [forged])).toBe(
      403,
    );
    // Once shop/redact is applied the shop is unknown: its compliance topics are refused too, and no
    // row anywhere names it.
    const late = JSON.stringify({ shop_id: 1, shop_domain: leaving, customer: { id: 1 }, orders_to_redact: [] });
    status = 0;
    for (let i = 0; i < 100 && status !== 403; i++) {
      status = await post(server.url, "/webhooks/customers/redact", forShop(leaving, "customers/redact", late), [late]);
      if (status !== 403) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(403);
    for (let i = 0; i < 100 && (await db.prisma.webhookEvent.count({ where: { shop: leaving } })) > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await db.prisma.webhookEvent.count({ where: { shop: leaving } })).toBe(0);
    expect(await db.prisma.tombstone.count({ where: { shop: leaving } })).toBe(0);
    expect(await db.prisma.shop.count({ where: { domain: leaving } })).toBe(0);
  });

  it("bounds what one client may hold (tests/server/limits.test.ts cuts one off)", () => {
    expect(server.output()).toContain(
      "headers within 10000 ms, requests within 30000 ms, keep-alive 5000 ms, at most 100 headers, 1000 connections",
    );
  });

  it("logs requests without their query strings (Shopify's admin puts a session token there)", async () => {
    await fetch(`${server.url}/app?shop=${SHOP}&id_token=header.payload.not-for-logs`, { redirect: "manual" });
    for (let i = 0; i < 50 && !server.output().includes("GET /app "); i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.output()).toContain("GET /app ");
    expect(server.output()).not.toContain("not-for-logs");
    expect(server.output()).not.toContain(`shop=${SHOP}`);
  });

  it("still serves the Remix app beside it", async () => {
    const response = await fetch(`${server.url}/`, {
      redirect: "manual",
      headers: { "user-agent": "Mozilla/5.0 Chrome/156.0" },
    });
    expect(response.status).toBe(302);
  });
});
