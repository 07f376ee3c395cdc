// `tailored pixel show / rotate-key / purge` on both databases: `shops install` makes the ingest key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "~/cli/main";
import { openDatabase } from "~/db/database.server";
import { decoder, int, sql, text } from "~/db/sql";
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

  it("rebuilds the customers' activity from their stored events", async () => {
    const db = openDatabase(database.config);
    try {
      const at = new Date("2026-11-30T10:00:00Z");
      for (const [eventId, customerId, sessionId] of [
        ["e1", "71", "s1"],
        ["e2", "71", "s2"],
        ["e3", "72", null],
        ["e4", null, "s3"],
      ] as const)
        await db.run(
          sql`INSERT INTO "PixelEvent" ("shop", "eventId", "name", "at", "clientId", "sessionId", "customerId", "receivedAt")
           VALUES (${SHOP}, ${eventId}, 'page_viewed', ${at}, 'v', ${sessionId}, ${customerId}, ${at})`,
        );
      expect(await cliJson(database.url, "pixel", "rebuild-activity", "--shop", SHOP)).toEqual({
        shop: SHOP,
        customers: 2,
      });
      const rows = await db.all(
        sql`SELECT "customerId", "sessions" FROM "PixelActivity" WHERE "shop" = ${SHOP} ORDER BY "customerId"`,
        decoder({ customerId: text, sessions: int }),
      );
      expect(rows).toEqual([
        { customerId: "71", sessions: 2 },
        { customerId: "72", sessions: 0 },
      ]);
    } finally {
      await db.close();
    }
  });

  it("refuses an unknown shop and an unknown subcommand", async () => {
    await expect(cliJson(database.url, "pixel", "show", "--shop", "nobody.myshopify.com")).rejects.toThrow(UsageError);
    await expect(cliJson(database.url, "pixel", "frobnicate", "--shop", SHOP)).rejects.toThrow(/expected show/);
  });
});
