// Issue 15's "done means" for the builder, in Chromium in demo mode: a merchant builds a segment with
// the builder only (no query typed), choosing a product by its title in the picker and a relative
// date in words ("in the last 90 days"), saves it, and sees the count the CLI prints for the same
// query. On the way: a condition just added shows no error until a save is tried, and "is any of"
// on an enum writes the language's IN.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/mode.server";
import type { VocabularyEntry } from "~/domain/segments/vocabulary";
import { startDemoApp, type DemoApp } from "../helpers/browser";
import { cliJson } from "../helpers/cli";

describe("the segment builder, for people (Chromium, demo mode)", () => {
  let app: DemoApp;
  beforeAll(async () => {
    app = await startDemoApp(async (url) => {
      await cliJson(url, "seed", "--customers", "400", "--seed", "15");
    });
  });
  afterAll(async () => app?.stop());

  const countOf = async (query: string) =>
    (await cliJson<{ count: number }>(app.database.url, "segments", "count", "--shop", DEMO_SHOP, "--query", query))
      .count;
  const builtQuery = async (page: Page) => (await page.locator("#builder-query").textContent())?.trim() ?? "";

  it(
    "builds a purchase segment with the product picker and 'in the last 90 days', and counts as the CLI does",
    {
      timeout: 150_000,
    },
    async () => {
      // A product some customers bought in the last 90 days, found as the picker finds products.
      const listed = (await (await fetch(`${app.server.url}/app/segment-values?kind=product&q=&limit=20`)).json()) as {
        values: VocabularyEntry[];
      };
      expect(listed.values.length).toBeGreaterThan(0);
      let product: VocabularyEntry | undefined;
      for (const candidate of listed.values) {
        if ((await countOf(`products_purchased MATCHES (id = ${candidate.value}, date >= -90d)`)) > 0) {
          product = candidate;
          break;
        }
      }
      expect(product, "a product bought in the last 90 days").toBeDefined();
      const chosen = product!;

      const { page, failed } = await app.open("/app/segments/new");
      await page.getByLabel("Name").fill("Recent buyers of one product");
      await page.getByRole("tab", { name: "Builder" }).click({ timeout: 30_000 });

      // An untouched condition is not red; trying to save shows what to fill in.
      await page.getByRole("button", { name: "Add condition" }).click();
      await page.getByLabel("Condition 1 value").waitFor();
      expect(await page.getByText("Enter a number").count()).toBe(0);
      await page.getByRole("button", { name: "Save segment" }).click();
      await page.getByText("Enter a number").waitFor();
      expect(page.url()).toMatch(/\/app\/segments\/new/);
      await page.getByRole("button", { name: "Remove condition 1" }).click();

      // Products purchased: product = (picked by title), date in the last 90 days.
      await page.getByRole("button", { name: "Add purchase or browsing filter" }).click();
      expect(await page.getByLabel("Condition 1 filter", { exact: true }).inputValue()).toBe("products_purchased");
      await page.getByRole("button", { name: "Condition 1 product value" }).click();
      await page.getByLabel("Search products").fill(chosen.label);
      await page.getByRole("option", { name: chosen.label, exact: true }).first().click();
      await page.locator(`[data-picked-resource="${chosen.value}"]`).getByText(chosen.label).waitFor();

      await page.getByRole("button", { name: /^Add filter to condition 1/ }).click();
      await page.getByLabel("Condition 1 filter 2").selectOption("date");
      expect(await page.getByLabel("Condition 1 date date comparison").inputValue()).toBe("last");
      await page.getByLabel("Condition 1 date number of days").fill("90");
      const query = `products_purchased MATCHES (id = ${chosen.value}, date >= -90d)`;
      expect(await builtQuery(page)).toBe(query);

      // "Is any of" on an enum writes IN, and taking it away again leaves the purchase condition.
      await page.getByRole("button", { name: "Add condition" }).first().click();
      await page.getByLabel("Condition 2 attribute").selectOption("rfm_group");
      await page.getByLabel("Condition 2 operator").selectOption("IN");
      await page.getByRole("checkbox", { name: "Loyal", exact: true }).check();
      expect(await builtQuery(page)).toBe(`${query} AND rfm_group IN ('CHAMPIONS', 'LOYAL')`);
      await page.getByRole("button", { name: "Remove condition 2" }).click();
      expect(await builtQuery(page)).toBe(query);

      const expected = await countOf(query);
      expect(expected).toBeGreaterThan(0);
      await page.locator("#preview-count").getByText(expected.toLocaleString("en-US"), { exact: true }).waitFor();
      await page.getByRole("button", { name: "Save segment" }).click();
      await page.waitForURL(/\/app\/segments\/\d+$/);
      expect((await page.locator("#segment-size").textContent())?.trim()).toBe(expected.toLocaleString("en-US"));
      expect(failed).toEqual([]);
      await page.close();
    },
  );

  it(
    "opens a date between two days with the date picker's days, and an absolute date reads back as words",
    {
      timeout: 60_000,
    },
    async () => {
      const text = "first_order_date BETWEEN 2025-01-01 AND 2025-03-31";
      const { page, failed } = await app.open(`/app/segments/new?query=${encodeURIComponent(text)}`);
      await page.getByRole("tab", { name: "Builder" }).click({ timeout: 30_000 });
      expect(await page.getByLabel("Condition 1 date comparison").inputValue()).toBe("between");
      await page.getByRole("button", { name: "Condition 1 last date: 2025-03-31" }).click();
      // The picker opens on the chosen month; choosing the 15th writes 2025-03-15.
      await page.getByRole("button", { name: /March 15/ }).click();
      expect(await builtQuery(page)).toBe("first_order_date BETWEEN 2025-01-01 AND 2025-03-15");
      await page.getByLabel("Condition 1 date comparison").selectOption("before");
      expect(await builtQuery(page)).toBe("first_order_date < 2025-01-01");
      await page
        .locator("#preview-count")
        .getByText((await countOf("first_order_date < 2025-01-01")).toLocaleString("en-US"), { exact: true })
        .waitFor();
      expect(failed).toEqual([]);
      await page.close();
    },
  );
});
