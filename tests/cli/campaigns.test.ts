// `tailored campaigns create|list`, on both databases: validated and sanitized as the admin form is,
// bad input refused with the option's name.
/* eslint-disable no-script-url -- a script URL is the input being refused */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "~/cli/main";
import { cli, cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";

const SHOP = "cli-campaigns.myshopify.com";

describe.each(DIALECTS)("campaigns on %s", (dialect) => {
  let database: TestDatabase;
  let segment: number;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "shops", "install", "--shop", SHOP);
    ({ id: segment } = await cliJson<{ id: number }>(
      database.url,
      "segments",
      "create",
      "--shop",
      SHOP,
      "--name",
      "Repeat",
      "--query",
      "number_of_orders >= 2",
    ));
  });
  afterAll(async () => database.drop());

  it("creates campaigns and lists them, highest priority first", async () => {
    const vip = await cliJson<{ id: number; status: string }>(
      database.url,
      "campaigns",
      "create",
      "--shop",
      SHOP,
      "--name",
      "Repeat buyers",
      "--segment",
      String(segment),
      "--headline",
      "Welcome <b>back</b>",
      "--text",
      `<p onclick="x()">Hi</p><script>alert(1)</script>`,
      "--priority",
      "5",
      "--holdout",
      "20",
      "--status",
      "active",
      "--strategy",
      "segment",
    );
    expect(vip.status).toBe("active");
    await cliJson(
      database.url,
      "campaigns",
      "create",
      "--shop",
      SHOP,
      "--name",
      "New in Canada",
      "--countries",
      "ca",
      "--new-visitors",
      "--headline",
      "Bienvenue",
    );
    const { campaigns } = await cliJson<{ campaigns: Record<string, unknown>[] }>(
      database.url,
      "campaigns",
      "list",
      "--shop",
      SHOP,
    );
    expect(campaigns).toEqual([
      expect.objectContaining({
        id: vip.id,
        name: "Repeat buyers",
        segmentId: segment,
        priority: 5,
        holdoutPercent: 20,
        headline: "Welcome back",
        strategy: "segment",
      }),
      expect.objectContaining({
        name: "New in Canada",
        status: "draft",
        countries: ["CA"],
        newVisitorsOnly: true,
        segmentId: null,
        interestProductType: null,
      }),
    ]);
  });

  it.each([
    [["--name", "x"], /--headline: the banner needs a headline/],
    [["--name", "x", "--headline", "h", "--holdout", "90"], /--holdout: must be a whole number from 0 to 50/],
    [
      ["--name", "x", "--headline", "h", "--button-label", "Go", "--button-link", "javascript:alert(1)"],
      /--button-link/,
    ],
    [["--name", "x", "--headline", "h", "--segment", "99999"], /--segment: segment 99999 does not exist/],
    [
      ["--name", "x", "--headline", "h", "--interest-type", "Tea", "--interest-views", "0"],
      /--interest-views: must be a whole number from 1 to 50/,
    ],
  ])("refuses %j", async (args, message) => {
    await expect(cli(database.url, "campaigns", "create", "--shop", SHOP, ...args)).rejects.toThrow(UsageError);
    await expect(cli(database.url, "campaigns", "create", "--shop", SHOP, ...args)).rejects.toThrow(message);
  });

  it("refuses an unknown subcommand and a missing shop", async () => {
    await expect(cli(database.url, "campaigns", "delete", "--shop", SHOP)).rejects.toThrow(
      /expected create, list or demo/,
    );
    await expect(cli(database.url, "campaigns", "list")).rejects.toThrow(UsageError);
  });
});
