// The stitching rewrite on SQLite: giving a newly identified visitor's earlier anonymous events their
// customer reads the visitor's events through (shop, clientId), whether or not the shop's events have
// statistics. With a bare `"customerId" IS NULL` SQLite chose (shop, customerId, name, at) on a shop
// without statistics and read every anonymous event of the shop for each new visitor: the pixel
// benchmark's SQLite ingest ran at 2,600 events/s instead of 8,000.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import { rewriteAnonymous } from "~/pixel/identity.server";
import { createTestDb } from "../helpers/db";

const SHOP = "identity-plan.myshopify.com";

describe("the stitching rewrite's plan on SQLite", () => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await createTestDb("sqlite"));
    await db.transaction(async (tx) => {
      for (let i = 0; i < 2_000; i++) {
        await tx.run(
          sql`INSERT INTO "PixelEvent" ("shop", "eventId", "name", "at", "clientId", "sessionId", "customerId", "receivedAt")
           VALUES (${SHOP}, ${`e${i}`}, 'page_viewed', ${new Date(1_700_000_000_000 + i)}, ${`visitor-${i % 400}`}, 's',
                   ${i % 5 === 0 ? `c${i % 50}` : null}, ${new Date()})`,
        );
      }
    });
  });
  afterAll(() => close());

  const plan = async () => {
    const query = rewriteAnonymous("sqlite", { shop: SHOP, clientId: "visitor-7", customerId: "c1" });
    const rows = await db.all(sql`EXPLAIN QUERY PLAN ${query}`, decoder({ detail: text }));
    return rows.map((r) => r.detail).join("\n");
  };

  it("reads (shop, clientId) without statistics", async () => {
    expect(await plan()).toMatch(/USING INDEX PixelEvent_shop_clientId_idx \(shop=\? AND clientId=\?\)/);
  });

  it("and with them", async () => {
    await db.run(sql`ANALYZE`);
    expect(await plan()).toMatch(/USING INDEX PixelEvent_shop_clientId_idx \(shop=\? AND clientId=\?\)/);
  });

  it("rewrites only that visitor's anonymous events", async () => {
    await db.run(rewriteAnonymous("sqlite", { shop: SHOP, clientId: "visitor-7", customerId: "c-new" }));
    const rows = await db.all(
      sql`SELECT "clientId", "customerId" FROM "PixelEvent" WHERE "shop" = ${SHOP} AND "customerId" = 'c-new'`,
      decoder({ clientId: text, customerId: text }),
    );
    // visitor-7's events are e7, e407, e807, e1207, e1607: none a multiple of 5, all anonymous.
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.clientId))).toEqual(new Set(["visitor-7"]));
  });
});
