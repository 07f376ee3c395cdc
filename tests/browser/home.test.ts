// The demo home page in a real browser, its figures checked against the database with SQL of its own.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/mode.server";
import { startDemoApp, type DemoApp } from "../helpers/browser";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { buildApp, startServer } from "../helpers/server";

describe("demo home page in Chromium", () => {
  let app: DemoApp;

  beforeAll(async () => {
    app = await startDemoApp(async (url) => {
      await cliJson(url, "seed", "--customers", "800", "--seed", "7", "--now", "2026-06-30T12:00:00Z");
    });
  });

  afterAll(async () => app?.stop());

  it("shows the seeded shop's customers, orders, revenue and repeat-purchase rate", async () => {
    const sqlite = new Database(app.database.config.dialect === "sqlite" ? app.database.config.file : "", {
      readonly: true,
    });
    const customers = (
      sqlite.prepare(`SELECT COUNT(*) AS n FROM "Customer" WHERE shop = ?`).get(DEMO_SHOP) as { n: number }
    ).n;
    const orders = sqlite
      .prepare(
        `SELECT COUNT(*) AS n, SUM("totalMinor" - "refundedMinor") AS cents FROM "Order"
         WHERE shop = ? AND "cancelledAt" IS NULL AND test = 0`,
      )
      .get(DEMO_SHOP) as { n: number; cents: number };
    const perCustomer = sqlite
      .prepare(
        `SELECT COUNT(*) AS n FROM "Order" WHERE shop = ? AND "cancelledAt" IS NULL AND test = 0
         AND "customerId" IS NOT NULL GROUP BY "customerId"`,
      )
      .all(DEMO_SHOP) as { n: number }[];
    sqlite.close();
    expect(customers).toBe(800);
    expect(orders.n).toBeGreaterThan(1000);

    const { page, failed } = await app.open("/app");
    const text = async (id: string) => (await page.locator(`#${id}`).textContent())?.trim();

    expect(await text("figure-customers")).toBe(customers.toLocaleString("en-US"));
    expect(await text("figure-orders")).toBe(orders.n.toLocaleString("en-US"));
    expect(await text("figure-revenue")).toBe(
      `$${(orders.cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
    );
    const repeat = perCustomer.filter((c) => c.n >= 2).length / perCustomer.length;
    expect(await text("figure-repeat-rate")).toBe(`${(repeat * 100).toFixed(1)}%`);
    expect(await page.getByText(`Demo mode: ${DEMO_SHOP}`).count()).toBe(1);
    expect(failed).toEqual([]);
    await page.close();
  });
});

describe("segment editor in Chromium", () => {
  let app: DemoApp;
  beforeAll(async () => {
    app = await startDemoApp(async (url) => {
      await cliJson(url, "seed", "--customers", "700", "--seed", "11");
    });
  });
  afterAll(async () => app?.stop());

  it("previews the CLI's count as a query is typed, shows a mistake where it is, saves, and lists the segment with that size", async () => {
    const query = "number_of_orders >= 2 AND email_subscription_status = 'SUBSCRIBED'";
    const { count } = await cliJson<{ count: number }>(
      app.database.url,
      "segments",
      "count",
      "--shop",
      DEMO_SHOP,
      "--query",
      query,
    );
    expect(count).toBeGreaterThan(0);

    const { page, failed } = await app.open("/app/segments/new");
    await page.getByLabel("Name").fill("Subscribed repeat buyers");
    const editor = page.getByRole("combobox", { name: "Query" });
    await editor.fill("number_of_orders >= ");
    await page.getByText("expected a number after '>='").waitFor();
    await editor.fill(query);
    await page.locator("#preview-count").getByText(count.toLocaleString("en-US"), { exact: true }).waitFor();

    await page.getByRole("button", { name: "Save segment" }).click();
    // Saved: the new segment's own page, then the list, both with the size the editor counted.
    await page.waitForURL(/\/app\/segments\/\d+$/);
    expect((await page.locator("#segment-size").textContent())?.trim()).toBe(count.toLocaleString("en-US"));
    await page.goto(`${app.server.url}/app/segments`);
    const size = page.locator('[data-segment-size="Subscribed repeat buyers"]');
    expect((await size.textContent())?.trim()).toBe(count.toLocaleString("en-US"));
    expect(failed).toEqual([]);
    await page.close();
  });
});

describe("outside demo mode", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    buildApp();
  });
  afterAll(async () => database?.drop());

  it.each([
    ["without the flag", { HOST: "127.0.0.1" }],
    ["with the flag on a public listen address", { TAILORED_DEMO: "1", HOST: "0.0.0.0" }],
  ])("the admin asks for Shopify authentication %s", async (_label, env) => {
    const server = await startServer({ DATABASE_URL: database.url, ...env });
    try {
      // A browser's user agent: Shopify's library answers 410 to anything that looks like a bot.
      const headers = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36" };
      const response = await fetch(`${server.url}/app`, { redirect: "manual", headers });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toMatch(/\/auth\/login/);
      const root = await fetch(`${server.url}/`, { redirect: "manual", headers });
      expect(root.headers.get("location")).toBe("/auth/login");
    } finally {
      await server.stop();
    }
  });
});
