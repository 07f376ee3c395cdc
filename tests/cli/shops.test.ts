// `tailored shops install` / `shops list` on both databases, and the read-only commands, which must
// not migrate: on a database that is not up to date they refuse and leave it as it was.
import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandError, UsageError } from "~/cli/main";
import { cli, cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";

type Listed = {
  shops: {
    domain: string;
    name: string | null;
    currency: string;
    timezone: string;
    installed: boolean;
    uninstalledAt: string | null;
  }[];
};

describe.each(DIALECTS)("shops and read-only commands on %s", (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
  });
  afterAll(async () => database.drop());

  /** The tables of the database, or null when the SQLite file does not exist. */
  async function tables(): Promise<string[] | null> {
    if (database.config.dialect === "sqlite") {
      if (!fs.existsSync(database.config.file)) return null;
      const Database = (await import("better-sqlite3")).default;
      const sqlite = new Database(database.config.file, { readonly: true });
      try {
        return (
          sqlite.prepare(`SELECT "name" FROM "sqlite_master" WHERE "type" = 'table'`).all() as { name: string }[]
        ).map((r) => r.name);
      } finally {
        sqlite.close();
      }
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (
        await client.query<{ tablename: string }>(`SELECT "tablename" FROM "pg_tables" WHERE "schemaname" = 'public'`)
      ).rows.map((r) => r.tablename);
    } finally {
      await client.end();
    }
  }

  it("reads without migrating: stats, segments count and list, shops list refuse a database that is not up to date", async () => {
    const before = await tables();
    for (const argv of [
      ["stats", "--shop", "a.myshopify.com"],
      ["segments", "count", "--shop", "a.myshopify.com", "--query", "number_of_orders > 0"],
      ["segments", "list", "--shop", "a.myshopify.com"],
      ["shops", "list"],
    ]) {
      await expect(cli(database.url, ...argv)).rejects.toThrow(CommandError);
      await expect(cli(database.url, ...argv)).rejects.toThrow(
        /not up to date .*run `npm run tailored -- migrate` first/,
      );
    }
    expect(await tables()).toEqual(before);
    expect(before === null || !before.includes("_tailored_migrations")).toBe(true);
  });

  it("installs a shop without OAuth, lists it, and installs it again after an uninstall", async () => {
    await cliJson(database.url, "migrate");
    expect(await cliJson<Listed>(database.url, "shops", "list")).toEqual({ shops: [] });

    expect(
      await cliJson(
        database.url,
        "shops",
        "install",
        "--shop",
        "berlin.myshopify.com",
        "--name",
        "Berlin",
        "--currency",
        "EUR",
        "--timezone",
        "Europe/Berlin",
      ),
    ).toEqual({
      shop: "berlin.myshopify.com",
      created: true,
      installed: true,
      name: "Berlin",
      currency: "EUR",
      timezone: "Europe/Berlin",
    });
    expect(await cliJson(database.url, "shops", "install", "--shop", "plain.myshopify.com")).toMatchObject({
      created: true,
      name: null,
      currency: "USD",
      timezone: "UTC",
    });

    // Uninstalled (as app/uninstalled leaves it), then installed again: what was not given is kept.
    const { openDatabase } = await import("~/db/database.server");
    const db = openDatabase(database.config);
    await db.prisma.shop.update({
      where: { domain: "berlin.myshopify.com" },
      data: { uninstalledAt: new Date("2026-01-02T03:04:05Z") },
    });
    const listed = await cliJson<Listed>(database.url, "shops", "list");
    expect(listed.shops.map((s) => [s.domain, s.installed, s.uninstalledAt])).toEqual([
      ["berlin.myshopify.com", false, "2026-01-02T03:04:05.000Z"],
      ["plain.myshopify.com", true, null],
    ]);
    expect(await cliJson(database.url, "shops", "install", "--shop", "berlin.myshopify.com")).toMatchObject({
      created: false,
      name: "Berlin",
      currency: "EUR",
      timezone: "Europe/Berlin",
    });
    expect(
      (await db.prisma.shop.findUniqueOrThrow({ where: { domain: "berlin.myshopify.com" } })).uninstalledAt,
    ).toBeNull();
    await db.close();

    const text = await cli(database.url, "shops", "list");
    expect(text.stdout.split("\n")).toEqual([
      "berlin.myshopify.com\tinstalled\tEUR\tEurope/Berlin\tBerlin",
      "plain.myshopify.com\tinstalled\tUSD\tUTC\t",
    ]);
  });

  it.each([
    [["--shop", "example.com"], /--shop must be a myshopify.com domain/],
    [["--shop", "Upper.myshopify.com"], /--shop must be a myshopify.com domain/],
    [["--shop", "x.myshopify.com", "--currency", "usd"], /currency must be an ISO 4217 code/],
    [["--shop", "x.myshopify.com", "--timezone", "Mars/Olympus"], /time zone must be an IANA name/],
    [[], /--shop DOMAIN is required/],
  ])("refuses shops install %j", async (args, message) => {
    await expect(cli(database.url, "shops", "install", ...args)).rejects.toThrow(UsageError);
    await expect(cli(database.url, "shops", "install", ...args)).rejects.toThrow(message);
    expect((await cliJson<Listed>(database.url, "shops", "list")).shops.map((s) => s.domain)).not.toContain(
      "x.myshopify.com",
    );
  });
});
