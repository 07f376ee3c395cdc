// Real data through the real path: every CDNOW purchase as a signed orders/create webhook, shuffled,
// to the production server on SQLite, ends with the CLI import's figures exactly.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdnowDeliveries, plan, send } from "~/sync/replay.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { CDNOW_DIR } from "../helpers/env";
import { buildApp, startServer, type RunningServer } from "../helpers/server";

const SECRET = "cdnow-webhook-secret";
const SHOP = "cdnow.myshopify.com";
const MASTER = path.join(CDNOW_DIR, "CDNOW_master.txt");

describe("CDNOW_master.txt as signed orders/create webhooks to the production server", () => {
  let database: TestDatabase;
  let server: RunningServer;

  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    await cliJson(database.url, "shops", "install", "--shop", SHOP);
    buildApp();
    server = await startServer({
      DATABASE_URL: database.url,
      SHOPIFY_API_SECRET: SECRET,
      HOST: "127.0.0.1",
      TAILORED_BACKGROUND_SYNC: "off",
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  /**
   * Until the inbox holds `events` events of the shop and none is pending. (Acknowledged is not yet
   * stored: the server journals a delivery and answers before its inbox commit, decision 012.)
   */
  async function drained(events: number): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const { stored, pending } = await inbox();
      if (stored === events && pending === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("the inbox did not drain");
  }

  async function inbox(): Promise<{ stored: number; pending: number }> {
    const Database = (await import("better-sqlite3")).default;
    const sqlite = new Database(database.config.dialect === "sqlite" ? database.config.file : "", { readonly: true });
    try {
      return sqlite
        .prepare(
          `SELECT COUNT(*) AS "stored", COALESCE(SUM("status" = 'pending'), 0) AS "pending" FROM "WebhookEvent" WHERE "shop" = ?`,
        )
        .get(SHOP) as { stored: number; pending: number };
    } finally {
      sqlite.close();
    }
  }

  it("ends with 23,570 customers, 69,659 orders and $2,500,315.63, and redeliveries change nothing", async () => {
    const { deliveries, errors } = cdnowDeliveries(MASTER, SHOP);
    expect(errors).toEqual([]);
    const report = await send(plan(deliveries, { shuffleSeed: 2024 }), {
      url: server.url,
      secret: SECRET,
      concurrency: 16,
    });
    expect(report.byStatus).toEqual({ "200": 69_659 });
    await drained(69_659);
    const expected = { customers: 23_570, orders: 69_659, revenue: 2500315.63, revenueMinor: "250031563" };
    expect(await cliJson(database.url, "stats", "--shop", SHOP)).toMatchObject(expected);

    // Shopify retries: a thousand of them again, in another order, with the same event ids.
    const again = await send(plan(deliveries.slice(0, 1_000), { shuffleSeed: 7 }), {
      url: server.url,
      secret: SECRET,
      concurrency: 8,
    });
    expect(again.byStatus).toEqual({ "200": 1_000 });
    // Redeliveries: nothing new stored.
    await new Promise((r) => setTimeout(r, 500));
    await drained(69_659);
    expect(await cliJson(database.url, "stats", "--shop", SHOP)).toMatchObject(expected);

    // The same file through the CLI import lands on the same figures.
    await cliJson(database.url, "import-cdnow", MASTER, "--shop", "cdnow-cli.myshopify.com");
    expect(await cliJson(database.url, "stats", "--shop", "cdnow-cli.myshopify.com")).toMatchObject(expected);
  }, 300_000);
});
