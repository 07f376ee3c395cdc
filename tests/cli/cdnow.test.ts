// The CDNOW purchase records through the CLI, on both databases: the published totals, exactly, and
// a second import that changes nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "~/cli/main";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { cli, cliJson } from "../helpers/cli";
import { CDNOW_DIR } from "../helpers/env";

const SHOP = "cdnow.myshopify.com";
const MASTER = path.join(CDNOW_DIR, "CDNOW_master.txt");

describe.each(DIALECTS)("import-cdnow on %s", (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect); // the CLI migrates it
  });
  afterAll(async () => database.drop());

  it("imports CDNOW_master.txt with the published figures, and a second import changes nothing", async () => {
    const first = await cliJson(database.url, "import-cdnow", MASTER, "--shop", SHOP);
    expect(first).toEqual({ shop: SHOP, rows: 69_659, customers: 23_570, errors: [] });
    // The import registers its shop as installed (its webhooks would be accepted).
    expect(await cliJson(database.url, "shops", "list")).toMatchObject({
      shops: [{ domain: SHOP, name: "CDNOW", installed: true }],
    });
    const expected = {
      shop: SHOP,
      currency: "USD",
      customers: 23_570,
      orders: 69_659,
      revenue: 2500315.63,
      revenueMinor: "250031563",
      cancelledOrders: 0,
    };
    expect(await cliJson(database.url, "stats", "--shop", SHOP)).toMatchObject(expected);

    await cliJson(database.url, "import-cdnow", MASTER, "--shop", SHOP);
    expect(await cliJson(database.url, "stats", "--shop", SHOP)).toMatchObject(expected);
  });

  it("keeps another shop's import apart (the 1/10 sample)", async () => {
    await cliJson(
      database.url,
      "import-cdnow",
      path.join(CDNOW_DIR, "CDNOW_sample.txt"),
      "--shop",
      "cdnow-sample.myshopify.com",
    );
    expect(await cliJson(database.url, "stats", "--shop", "cdnow-sample.myshopify.com")).toMatchObject({
      customers: 2_357,
      orders: 6_919,
    });
    expect(await cliJson(database.url, "stats", "--shop", SHOP)).toMatchObject({ customers: 23_570 });
  });

  it("reports bad lines with their numbers, imports the good ones and exits non-zero", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cdnow-")), "bad.txt");
    fs.writeFileSync(
      file,
      " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 1997x112  5   77.00\r\n 00003 19970102  2   20.76\r\n",
    );
    const { code, stdout } = await cli(database.url, "import-cdnow", file, "--shop", "bad.myshopify.com", "--json");
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      shop: "bad.myshopify.com",
      rows: 2,
      customers: 2,
      errors: ['line 3: cannot read "00002 1997x112  5   77.00"'],
    });
    expect(await cliJson(database.url, "stats", "--shop", "bad.myshopify.com")).toMatchObject({
      orders: 2,
      revenue: 32.53,
    });
  });
});

describe("CLI usage errors", () => {
  it.each([
    [["stats"], /--shop DOMAIN is required/],
    [["stats", "--shop", "not a shop"], /must be a myshopify.com domain/],
    [["import-cdnow", "--shop", "a.myshopify.com"], /needs the path/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["seed", "--customers", "-3"], /argument is ambiguous/],
    [["seed", "--customers=2.5"], /--customers must be a whole number/],
    [["stats", "--shop", "a.myshopify.com", "--frob"], /Unknown option/],
  ])("%j", async (argv, message) => {
    const database = await createEmptyDatabase("sqlite");
    try {
      await expect(cli(database.url, ...argv)).rejects.toThrow(UsageError);
      await expect(cli(database.url, ...argv)).rejects.toThrow(message);
    } finally {
      await database.drop();
    }
  });
});
