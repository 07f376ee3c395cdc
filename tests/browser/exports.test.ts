// CSV downloads in a real browser (demo mode): from the Exports page, with a field added in the picker,
// and from the segment's own page with the default fields; each file holds exactly the segment's members.
import type { Page } from "playwright-core";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import { DEMO_SHOP } from "~/demo/mode.server";
import { clickPageAction, startDemoApp, type DemoApp } from "../helpers/browser";
import { cliJson } from "../helpers/cli";

describe("Exports page in Chromium", () => {
  let app: DemoApp;
  let segment: number;
  beforeAll(async () => {
    app = await startDemoApp(async (url) => {
      await cliJson(url, "seed", "--customers", "400", "--seed", "7");
      ({ id: segment } = await cliJson<{ id: number }>(
        url,
        "segments",
        "create",
        "--shop",
        DEMO_SHOP,
        "--name",
        "Repeat buyers",
        "--query",
        "number_of_orders >= 2",
      ));
    });
  });
  afterAll(async () => app?.stop());

  // A download button asks for a signed URL and opens it in a new window (as inside Shopify admin, where
  // a plain link would carry no session token). What the window asks for is read by the test itself:
  // headless Chromium may turn a popup's attachment into a download before a listener is on it.
  async function signedDownload(page: Page, click: () => Promise<void>) {
    const signed = new Promise<string>((resolve) =>
      page.context().on("request", (request) => {
        if (new URL(request.url()).pathname.startsWith("/exports/download/")) resolve(request.url());
      }),
    );
    await click();
    const answer = await fetch(await signed);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-disposition")).toMatch(/filename="?Repeat-buyers-\d{4}-\d{2}-\d{2}\.csv/);
    const bytes = Buffer.from(await answer.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return parse(bytes.subarray(3).toString("utf8")) as string[][];
  }

  async function members() {
    const db = openDatabase((await import("~/db/config")).databaseConfig(app.database.url, process.cwd()));
    try {
      return await db.all(
        sql`SELECT m."customerId" AS id, COALESCE(c."email", '') AS email FROM "SegmentMember" m
         JOIN "Customer" c ON c."shop" = m."shop" AND c."id" = m."customerId"
         WHERE m."shop" = ${DEMO_SHOP} AND m."segmentId" = ${segment} ORDER BY m."customerId"`,
        decoder({ id: text, email: text }),
      );
    } finally {
      await db.close();
    }
  }

  it("downloads a segment as CSV, and the file is the segment's members", { timeout: 60_000 }, async () => {
    const { page, failed } = await app.open("/app/exports");
    await page.getByRole("heading", { name: "Download as CSV" }).waitFor();
    await page.getByLabel("Segment to export").selectOption(String(segment));
    await page.getByLabel("Customer ID").check();
    const rows = await signedDownload(page, () => page.getByRole("button", { name: "Download CSV" }).click());
    const header = rows[0]!;
    expect(header[0]).toBe("Customer ID");
    expect(header).toContain("Email");
    const expected = await members();
    expect(expected.length).toBeGreaterThan(10);
    const email = header.indexOf("Email");
    expect(rows.slice(1).map((r) => [r[0], r[email]])).toEqual(expected.map((m) => [m.id, m.email]));
    expect(failed).toEqual([]);
  });

  it("downloads it from the segment's own page too, with the default fields", { timeout: 60_000 }, async () => {
    const { page, failed } = await app.open(`/app/segments/${segment}`);
    await page.getByRole("heading", { name: "Repeat buyers" }).first().waitFor();
    const rows = await signedDownload(page, () => clickPageAction(page, "Export CSV"));
    const header = rows[0]!;
    expect(header[0]).toBe("Email");
    expect(header).not.toContain("Customer ID");
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual((await members()).map((m) => m.email).sort());
    expect(failed).toEqual([]);
  });
});
