// `tailored pixel show / rotate-key / purge` on both databases: `shops install` makes the ingest key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "~/cli/main";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";

const SHOP = "cli-pixel.myshopify.com";

describe.each(DIALECTS)("pixel commands on %s", (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "shops", "install", "--shop", SHOP);
  });
  afterAll(async () => database.drop());

  it("shows the key shops install made, rotates it, and purges", async () => {
    const shown = await cliJson<{ ingestKey: string; origins: string[]; events: number; webPixelId: null }>(
      database.url,
      "pixel",
      "show",
      "--shop",
      SHOP,
    );
    expect(shown.ingestKey).toHaveLength(32);
    expect(shown).toMatchObject({ origins: [`https://${SHOP}`], events: 0, webPixelId: null });
    const rotated = await cliJson<{ ingestKey: string }>(database.url, "pixel", "rotate-key", "--shop", SHOP);
    expect(rotated.ingestKey).not.toBe(shown.ingestKey);
    expect((await cliJson<{ ingestKey: string }>(database.url, "pixel", "show", "--shop", SHOP)).ingestKey).toBe(
      rotated.ingestKey,
    );
    expect(await cliJson(database.url, "pixel", "purge", "--shop", SHOP)).toMatchObject({ days: 90, events: 0 });
  });

  it("refuses an unknown shop and an unknown subcommand", async () => {
    await expect(cliJson(database.url, "pixel", "show", "--shop", "nobody.myshopify.com")).rejects.toThrow(UsageError);
    await expect(cliJson(database.url, "pixel", "frobnicate", "--shop", SHOP)).rejects.toThrow(/expected show/);
  });
});
