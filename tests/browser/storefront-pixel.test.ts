// The demo storefront's Web Pixel in Chromium (issue 14, "Done means"): the page runs the pixel's own
// code under its stand-in for Shopify's API, so browsing fires real events to POST /pixel/events of the
// production server (threaded: the background thread stores them). An anonymous visitor who views an
// espresso machine three times sees the banner change within the visit; logging in as a demo customer
// (choosing them on the demo storefront) joins the visit's views to them, and they enter the
// "Browsed but did not buy" segment.
import Database from "better-sqlite3";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/mode.server";
import { startDemoApp, type DemoApp } from "../helpers/browser";
import { cliJson } from "../helpers/cli";

describe("demo storefront with the Web Pixel in Chromium", () => {
  let app: DemoApp;
  let sqliteFile = "";
  const picked = { machine: "", customer: "", segment: 0 };

  const read = <T>(query: string, ...params: unknown[]): T[] => {
    const sqlite = new Database(sqliteFile, { readonly: true });
    try {
      return sqlite.prepare(query).all(...params) as T[];
    } finally {
      sqlite.close();
    }
  };

  beforeAll(async () => {
    app = await startDemoApp(async (url) => {
      await cliJson(url, "seed", "--customers", "400", "--seed", "17");
      await cliJson(url, "campaigns", "demo", "--shop", DEMO_SHOP);
    });
    sqliteFile = app.database.config.dialect === "sqlite" ? app.database.config.file : "";
    picked.machine = read<{ id: string }>(
      `SELECT "id" FROM "Product" WHERE "shop" = ? AND "productType" = 'Espresso Machines' AND "status" = 'ACTIVE'
       ORDER BY "title" LIMIT 1`,
      DEMO_SHOP,
    )[0]!.id;
    // A customer who never ordered: whatever they browse, they "did not buy".
    picked.customer = read<{ customerId: string }>(
      `SELECT "customerId" FROM "CustomerFacts" WHERE "shop" = ? AND "ordersCount" = 0 ORDER BY "customerId" LIMIT 1`,
      DEMO_SHOP,
    )[0]!.customerId;
    picked.segment = read<{ id: number }>(
      `SELECT "id" FROM "Segment" WHERE "shop" = ? AND "name" = 'Browsed but did not buy (demo)'`,
      DEMO_SHOP,
    )[0]!.id;
  }, 180_000);

  afterAll(async () => app?.stop());

  /** Goes to `path` and waits for the blocks to settle and the page's pixel batch to be stored. */
  const go = async (page: Page, path: string) => {
    const batch = page.waitForResponse((r) => r.url().endsWith("/storefront/pixel/events"), { timeout: 10_000 });
    await page.goto(`${app.server.url}${path}`);
    const stored = await batch;
    expect(stored.status()).toBe(200);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("[data-tailored]")].every((el) =>
          ["personalized", "fallback"].includes(el.getAttribute("data-tailored-state") ?? ""),
        ),
      undefined,
      { timeout: 10_000 },
    );
    return (await page.locator(`[data-tailored="banner"] .tailored-banner__headline`).textContent())?.trim();
  };

  const members = () =>
    read<{ customerId: string }>(
      `SELECT "customerId" FROM "SegmentMember" WHERE "shop" = ? AND "segmentId" = ?`,
      DEMO_SHOP,
      picked.segment,
    ).map((r) => r.customerId);

  it("changes an anonymous visitor's banner within the visit, then puts them in a segment once logged in", async () => {
    expect(picked.machine && picked.customer && picked.segment).toBeTruthy();
    const { page, failed } = await app.open("/storefront?as=anon");
    const product = `/storefront?as=anon&product=${picked.machine}`;
    const interest = "Still deciding on an espresso machine?";
    // Views one and two: not yet an interest.
    expect(await go(page, product)).not.toBe(interest);
    expect(await go(page, product)).not.toBe(interest);
    // The third view is stored by the time the next page asks (the page itself may ask before its own
    // view is stored): the banner follows the visit.
    await go(page, product);
    expect(await go(page, "/storefront?as=anon")).toBe(interest);
    // The visit's clientId went to the proxy through the pixel's first-party cookie, and nothing else.
    const cookies = await page.context().cookies();
    const visit = cookies.find((c) => c.name === "tailored_cid");
    expect(visit?.value).toBe(cookies.find((c) => c.name === "_shopify_y")?.value);
    const stored = read<{ n: number }>(
      `SELECT COUNT(*) AS n FROM "PixelEvent" WHERE "shop" = ? AND "clientId" = ? AND "name" = 'product_viewed' AND "customerId" IS NULL`,
      DEMO_SHOP,
      visit!.value,
    )[0]!.n;
    expect(stored).toBe(3);

    // Logging in (the demo storefront's "Visiting as" a customer) in the same browser.
    expect(members()).not.toContain(picked.customer);
    await go(page, `/storefront?as=c${picked.customer}`);
    await expect.poll(members, { timeout: 5_000, interval: 100 }).toContain(picked.customer);
    // The visit's anonymous views are theirs now.
    const theirs = read<{ n: number }>(
      `SELECT COUNT(*) AS n FROM "PixelEvent" WHERE "shop" = ? AND "customerId" = ? AND "name" = 'product_viewed'`,
      DEMO_SHOP,
      picked.customer,
    )[0]!.n;
    expect(theirs).toBe(3);
    expect(failed).toEqual([]);
    await page.close();
  });
});
