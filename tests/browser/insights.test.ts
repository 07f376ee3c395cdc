// The demo shop's dashboard and insights page in Chromium: seeded with its predictions, clusters and
// starter segments (`seed --insights`), the recency × frequency grid's counts equal the database's own
// (counted here with SQL of this test's), and a cell opens exactly its customers as a segment preview.
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/mode.server";
import { startDemoApp, type DemoApp } from "../helpers/browser";
import { cliJson } from "../helpers/cli";

const NOW = "2026-06-30T12:00:00Z";
const DAY = 86_400_000;

describe("demo dashboard and insights in Chromium", () => {
  let app: DemoApp;
  beforeAll(async () => {
    app = await startDemoApp(async (url) => {
      await cliJson(url, "seed", "--customers", "900", "--seed", "13", "--now", NOW, "--insights");
    });
  });
  afterAll(async () => app?.stop());

  it("opens the dashboard with its charts' tables and the starter segments", async () => {
    const { page, failed } = await app.open("/app");
    await page.locator("#table-revenue").waitFor();
    await page.locator("#table-customers").waitFor();
    const segments = await page.locator("#table-segments tbody tr").count();
    expect(segments).toBeGreaterThanOrEqual(3);
    // The charts are drawn once the page is hydrated.
    await page.locator("#chart-revenue-description").waitFor();
    await page.locator("#chart-revenue figure svg").first().waitFor();
    await page.locator("#chart-customers figure svg").first().waitFor();
    expect(failed).toEqual([]);
    await page.close();
  });

  it("shows the recency × frequency grid with the database's counts, and a cell opens its customers", async () => {
    const { page, failed } = await app.open("/app/insights");
    const grid = page.locator("#rfm-grid");
    await grid.waitFor();
    const cells = await grid.locator("a[data-query]").evaluateAll((links) =>
      links.map((a) => ({
        query: a.getAttribute("data-query")!,
        count: Number(a.getAttribute("data-count")),
        text: a.textContent,
      })),
    );
    expect(cells).toHaveLength(25);

    // The database's own count of each cell: last order day (UTC zone? no: the shop's) and order count.
    const sqlite = new Database(app.database.config.dialect === "sqlite" ? app.database.config.file : "", {
      readonly: true,
    });
    const zone = (
      sqlite.prepare(`SELECT "ianaTimezone" AS z FROM "Shop" WHERE domain = ?`).get(DEMO_SHOP) as { z: string }
    ).z;
    const facts = sqlite
      .prepare(
        `SELECT "ordersCount" AS n, "lastOrderAt" AS at FROM "CustomerFacts" WHERE shop = ? AND "ordersCount" > 0`,
      )
      .all(DEMO_SHOP) as { n: number; at: number }[];
    sqlite.close();
    const localDay = (ms: number) =>
      Date.parse(`${new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(ms))}T00:00:00Z`) / DAY;
    const today = localDay(Date.now());
    const recency = [
      [0, 30],
      [31, 90],
      [91, 180],
      [181, 365],
      [366, Infinity],
    ];
    const frequency = [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 5],
      [6, Infinity],
    ];
    const expected = recency.flatMap(([rLo, rHi]) =>
      frequency.map(
        ([fLo, fHi]) =>
          facts.filter((f) => {
            const days = today - localDay(f.at);
            return days >= rLo! && days <= rHi! && f.n >= fLo! && f.n <= fHi!;
          }).length,
      ),
    );
    expect(cells.map((c) => c.count)).toEqual(expected);
    expect(cells.map((c) => c.text)).toEqual(expected.map((n) => n.toLocaleString("en-US")));
    expect(expected.reduce((a, b) => a + b, 0)).toBe(facts.length);

    // The fullest cell, opened: the segment editor previews exactly that many customers.
    const biggest = cells.reduce((a, b) => (b.count > a.count ? b : a));
    expect(biggest.count).toBeGreaterThan(0);
    await grid.locator(`a[data-query="${biggest.query}"]`).click();
    await page.waitForURL(/\/app\/segments\/new\?/);
    expect(await page.getByRole("combobox", { name: "Query" }).inputValue()).toBe(biggest.query);
    await page.locator("#preview-count").getByText(biggest.count.toLocaleString("en-US"), { exact: true }).waitFor();
    expect(failed).toEqual([]);
    await page.close();
  });

  it("shows the fitted predictions, churn bands, clusters and the backtest in plain words", async () => {
    const { page, failed } = await app.open("/app/insights");
    expect(await page.locator("#fit-status").textContent()).toMatch(/^Fitted on [\d,]+ customers with orders/);
    const churn = await page.locator("#table-churn tbody tr").count();
    expect(churn).toBe(3);
    expect(await page.locator("#table-clusters tbody tr").count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator("#insight-backtest-description").textContent()).toMatch(
      /the model expected [\d,]+ repeat purchases/,
    );
    await page.locator("#insight-clusters svg[role=img]").waitFor();
    expect(failed).toEqual([]);
    await page.close();
  });

  it("draws Ward's tree when the merchant picks Ward: readable at 390 px, with its table, no axe violation", async () => {
    const { page, failed } = await app.open("/app/insights");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#cluster-form").waitFor();
    await page.locator("#cluster-method").selectOption("ward");
    await page.locator("#cluster-k").selectOption("4");
    await page.getByRole("button", { name: "Cluster again" }).click();
    await page.locator("#ward-dendrogram svg[role=img]").waitFor({ timeout: 60_000 });
    // 30 groups at the bottom, the 29 joins above them, each join a row of the table; 4 clusters.
    expect(await page.locator("#ward-dendrogram svg polygon").count()).toBe(30);
    expect(await page.locator("#ward-dendrogram svg path").count()).toBe(29);
    expect(await page.locator("#table-dendrogram tbody tr").count()).toBe(29);
    expect(await page.locator("#ward-dendrogram .tailored-legend li").count()).toBe(4);
    expect(await page.locator("#table-clusters tbody tr").count()).toBe(4);
    expect(await page.locator("#ward-dendrogram-summary").textContent()).toMatch(
      /^Ward's tree of the [\d,]+ customers it was built on.*cuts the tree into the 4 clusters/,
    );
    // On a phone: the tree scales to the card, nothing runs off the page sideways.
    const box = (await page.locator("#ward-dendrogram svg").boundingBox())!;
    expect(box.width).toBeGreaterThan(250);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The choice is kept: the form shows it after the reload.
    expect(await page.locator("#cluster-method").inputValue()).toBe("ward");
    expect(await page.locator("#cluster-k").inputValue()).toBe("4");
    // axe-core over the clusters card (the whole page is scanned by tests/browser/accessibility.test.ts).
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve("axe-core/axe.min.js") });
    const serious = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run: (context: string, options: object) => Promise<{ violations: { id: string; impact: string }[] }> };
        }
      ).axe;
      const result = await axe.run("#insight-clusters", { resultTypes: ["violations"] });
      return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
    });
    expect(serious).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  });
});
