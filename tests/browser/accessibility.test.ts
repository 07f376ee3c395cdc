// Every admin page, in Chromium at a desktop and a phone width, scanned with axe-core (issue 15): no
// serious or critical violation, and a title on every page. A page added to the app is added here.
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminPages, VIEWPORTS } from "../helpers/admin-pages";
import { startDemoApp, type DemoApp } from "../helpers/browser";
import { cliJson } from "../helpers/cli";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** axe-core's serious and critical violations on the page as it is now, each with where it is. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown[] }> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations as Violation[];
  });
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} at ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
}

describe("admin pages are accessible (axe-core, demo mode)", () => {
  let app: DemoApp;
  let segmentId = 0;

  beforeAll(async () => {
    app = await startDemoApp(async (url) => {
      await cliJson(url, "seed", "--customers", "300", "--seed", "11", "--now", "2026-06-30T12:00:00Z");
      segmentId = (
        await cliJson<{ id: number }>(
          url,
          "segments",
          "create",
          "--shop",
          "tailored-demo.myshopify.com",
          "--name",
          "Repeat buyers",
          "--query",
          "number_of_orders >= 2",
        )
      ).id;
    });
  });
  afterAll(async () => app?.stop());

  it.each(VIEWPORTS)(
    "has a title and no serious or critical violation on any page at $width px",
    async (size) => {
      const problems: string[] = [];
      for (const { path } of adminPages(segmentId)) {
        const { page, failed } = await app.open(path);
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.waitForLoadState("networkidle");
        const title = (await page.title()).trim();
        if (!title) problems.push(`${path}: no title`);
        for (const v of await violations(page)) problems.push(`${path}: ${v}`);
        problems.push(...failed.map((f) => `${path}: console: ${f}`));
        await page.close();
      }
      expect(problems).toEqual([]);
      // Twelve pages with axe-core on each: well over the default 30 s on a loaded two-core machine.
    },
    180_000,
  );

  it("has no serious or critical violation in the segment builder, and no two of its buttons share a name", async () => {
    const query =
      "products_purchased MATCHES (id = 1001, date >= -90d) AND rfm_group IN ('CHAMPIONS', 'LOYAL') AND " +
      "(customer_tags CONTAINS 'vip' OR last_order_date BETWEEN 2026-01-01 AND 2026-03-31 OR amount_spent >= 100)";
    const { page, failed } = await app.open(`/app/segments/new?query=${encodeURIComponent(query)}`);
    await page.getByRole("tab", { name: "Builder" }).click();
    await page.locator("[data-rule-builder]").waitFor();
    await page.waitForLoadState("networkidle");
    const names = await page
      .locator("[data-rule-builder] button")
      .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? e.textContent?.trim() ?? ""));
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    expect(repeated).toEqual([]);
    expect(names).toContain("Remove condition 5");
    expect(await violations(page)).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  });
});
