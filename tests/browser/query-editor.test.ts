// The query editor in Chromium (demo mode, issue 15 item 2): a query written with the keyboard only
// through the autocomplete (the ARIA combobox, the shop's own values), an example inserted from the
// reference, a mistake in a long query at 390 px underlined where the wrong word is although the text
// wraps, and a query naming a product type the demo shop lacks answered with "did you mean".
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/mode.server";
import { startDemoApp, type DemoApp } from "../helpers/browser";
import { cliJson } from "../helpers/cli";

describe("the query editor in Chromium", () => {
  let app: DemoApp;
  beforeAll(async () => {
    app = await startDemoApp(async (url) => {
      await cliJson(url, "seed", "--customers", "300", "--seed", "17");
    });
  });
  afterAll(async () => app?.stop());

  const countOf = async (query: string) =>
    (
      await cliJson<{ count: number }>(app.database.url, "segments", "count", "--shop", DEMO_SHOP, "--query", query)
    ).count.toLocaleString("en-US");
  const held = (page: Page) => page.locator('input[name="query"]').inputValue();
  const editor = (page: Page) => page.getByRole("combobox", { name: "Query" });

  /** The listbox is open with `label` as the active option (aria-activedescendant names it). */
  const activeIs = async (page: Page, label: string) => {
    await page.waitForFunction(
      (want) => {
        const field = document.querySelector('[role="combobox"]');
        const id = field?.getAttribute("aria-activedescendant");
        const option = id ? document.getElementById(id) : null;
        return (
          field?.getAttribute("aria-expanded") === "true" &&
          option?.getAttribute("role") === "option" &&
          option.getAttribute("aria-selected") === "true" &&
          option.querySelector("code")?.textContent === want
        );
      },
      label,
      { timeout: 5_000 },
    );
  };

  it("writes a query with the keyboard only, through the suggestions", { timeout: 60_000 }, async () => {
    const { page, failed } = await app.open("/app/segments/new");
    const field = editor(page);
    await field.focus();
    expect(await field.getAttribute("aria-controls")).toBeTruthy();
    await page.keyboard.type("amo");
    await activeIs(page, "amount_spent");
    expect(await page.getByRole("listbox").getAttribute("id")).toBe(await field.getAttribute("aria-controls"));
    await page.keyboard.press("Enter");
    // The operators of a money attribute: =, !=, >, >=, ...
    await activeIs(page, "=");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowDown");
    await activeIs(page, ">=");
    await page.keyboard.press("Enter");
    await page.keyboard.type("100 ");
    await activeIs(page, "AND");
    await page.keyboard.press("Tab");
    await page.keyboard.type("products_p");
    await activeIs(page, "products_purchased");
    await page.keyboard.press("Enter");
    await page.keyboard.type("product_t");
    await activeIs(page, "product_type");
    await page.keyboard.press("Enter");
    await activeIs(page, "=");
    await page.keyboard.press("Enter");
    // The shop's own product types, from /app/segment-values.
    await page.keyboard.type("'Cof");
    await activeIs(page, "Coffee Beans");
    await page.keyboard.press("Enter");
    await page.keyboard.type(")");
    await page.keyboard.press("Escape");
    expect(await field.getAttribute("aria-expanded")).toBe("false");
    const query = "amount_spent >= 100 AND products_purchased MATCHES (product_type = 'Coffee Beans')";
    expect(await field.inputValue()).toBe(query);
    expect(await held(page)).toBe(query);
    await page
      .locator("#preview-count")
      .getByText(await countOf(query), { exact: true })
      .waitFor();
    expect(failed).toEqual([]);
    await page.close();
  });

  it("inserts an example from the reference", { timeout: 30_000 }, async () => {
    const { page, failed } = await app.open(`/app/segments/new?query=${encodeURIComponent("number_of_orders >= 2")}`);
    await page.getByRole("button", { name: "Query reference" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Search attributes and filters").fill("last order");
    await dialog.getByRole("button", { name: "Insert example for last_order_date" }).click();
    await dialog.waitFor({ state: "detached" });
    const query = "number_of_orders >= 2 AND last_order_date >= -30d";
    expect(await editor(page).inputValue()).toBe(query);
    await page
      .locator("#preview-count")
      .getByText(await countOf(query), { exact: true })
      .waitFor();
    expect(failed).toEqual([]);
    await page.close();
  });

  it("underlines a mistake where it is in a long query that wraps at 390 px", { timeout: 30_000 }, async () => {
    const { page, failed } = await app.open("/app/segments/new");
    await page.setViewportSize({ width: 390, height: 844 });
    const wrong = "rfm_grop";
    const query = `amount_spent >= 100 AND number_of_orders >= 2 AND customer_tags CONTAINS 'vip' AND last_order_date >= -90d AND ${wrong} = 'LOYAL'`;
    const field = editor(page);
    await field.fill(query);
    // After the pause: the words, and the underline.
    await page.getByText("Unknown attribute 'rfm_grop' (did you mean 'rfm_group'?) (line 1, column").waitFor();
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await field.getAttribute("aria-describedby")) ?? "";
    const described = await page.evaluate(
      (ids) => ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" "),
      describedBy.split(" "),
    );
    expect(described).toContain("Unknown attribute 'rfm_grop'");
    const mark = page.locator("[data-error-mark]");
    expect(await mark.count()).toBe(1);
    expect(await mark.textContent()).toBe(wrong);
    const underline = (await mark.boundingBox())!;

    // Where the textarea itself draws the word: a copy of the textarea's own computed style, at its
    // place, measured independently of the editor's mirror.
    const token = await field.evaluate((el, w) => {
      const area = el as HTMLTextAreaElement;
      const style = getComputedStyle(area);
      const probe = document.createElement("div");
      for (const prop of Array.from(style)) probe.style.setProperty(prop, style.getPropertyValue(prop));
      const box = area.getBoundingClientRect();
      Object.assign(probe.style, {
        position: "fixed",
        left: `${box.left}px`,
        top: `${box.top}px`,
        width: `${box.width}px`,
        height: "auto",
        visibility: "hidden",
        overflow: "hidden",
      });
      const at = area.value.indexOf(w);
      const span = document.createElement("span");
      span.textContent = w;
      probe.append(document.createTextNode(area.value.slice(0, at)), span, area.value.slice(at + w.length));
      document.body.append(probe);
      const r = span.getBoundingClientRect();
      const lineHeight = parseFloat(style.lineHeight);
      const firstLine = probe.getBoundingClientRect().top + parseFloat(style.paddingTop);
      probe.remove();
      return {
        x: r.left,
        y: r.top,
        width: r.width,
        height: r.height,
        line: Math.round((r.top - firstLine) / lineHeight),
        scrolls: area.scrollHeight > area.clientHeight + 1,
        fieldWidth: box.width,
      };
    }, wrong);
    // The query wraps (the wrong word is several lines down) and the field grows instead of scrolling.
    expect(token.fieldWidth).toBeLessThan(390);
    expect(token.line).toBeGreaterThanOrEqual(2);
    expect(token.scrolls).toBe(false);
    const overlapX = Math.min(underline.x + underline.width, token.x + token.width) - Math.max(underline.x, token.x);
    const overlapY = Math.min(underline.y + underline.height, token.y + token.height) - Math.max(underline.y, token.y);
    expect(overlapX).toBeGreaterThan(token.width * 0.9);
    expect(overlapY).toBeGreaterThan(token.height * 0.9);

    // Fixed: the underline and the words go once typing pauses again.
    await field.fill(query.replace(wrong, "rfm_group"));
    await page.locator("[data-query-errors]").waitFor({ state: "detached" });
    expect(await page.locator("[data-error-mark]").count()).toBe(0);
    expect(failed).toEqual([]);
    await page.close();
  });

  it("says which product type the shop has when a query names one it lacks", { timeout: 30_000 }, async () => {
    const { page, failed } = await app.open("/app/segments/new");
    await editor(page).fill("products_purchased MATCHES (product_type = 'Coffee')");
    await page.locator("#preview-count").getByText("0", { exact: true }).waitFor();
    await page
      .locator("#preview-hints")
      .getByText("No product type 'Coffee' in your shop; did you mean 'Coffee Beans'?")
      .waitFor();
    expect(failed).toEqual([]);
    await page.close();
  });
});
