// A segment's size by day is drawn in the shop's calendar days, on both databases: an entry at 11 pm
// in New York belongs to that day there, though it is the next day in UTC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "~/db/database.server";
import { segmentDetail } from "~/models/segments/read-models.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";

const SHOP = "size-history.myshopify.com";

describe.each(DIALECTS)("size history in the shop's days on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "shops", "install", "--shop", SHOP, "--timezone", "America/New_York");
    db = openDatabase(database.config);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("counts each change on the shop's day, from the segment's creation", async () => {
    // Now: 2026-03-10 12:00 in New York (16:00 UTC, after the DST change of March 8).
    const now = new Date("2026-03-10T16:00:00Z");
    const segment = await db.prisma.segment.create({
      data: {
        shop: SHOP,
        name: "Watched",
        query: "number_of_orders >= 1",
        rule: "{}",
        memberCount: 3,
        // Created on March 7 at 10 pm in New York: March 8 in UTC.
        createdAt: new Date("2026-03-08T03:00:00Z"),
        updatedAt: now,
      },
    });
    const event = (customerId: string, entered: boolean, at: string) => ({
      shop: SHOP,
      segmentId: segment.id,
      customerId,
      entered,
      at: new Date(at),
    });
    await db.prisma.segmentEvent.createMany({
      data: [
        event("a", true, "2026-03-08T03:00:00Z"), // Mar 7, 10 pm EST
        event("b", true, "2026-03-09T03:30:00Z"), // Mar 8, 11:30 pm EDT
        event("c", true, "2026-03-09T05:00:00Z"), // Mar 9, 1 am EDT
        event("d", true, "2026-03-10T03:59:00Z"), // Mar 9, 11:59 pm EDT
        event("d", false, "2026-03-10T04:00:00Z"), // Mar 10, 0:00 EDT
      ],
    });
    const detail = await segmentDetail(db, { shop: SHOP, id: segment.id, now });
    expect(detail?.sizeOverTime).toEqual([
      { day: "2026-03-07", size: 1 },
      { day: "2026-03-08", size: 2 },
      { day: "2026-03-09", size: 4 },
      { day: "2026-03-10", size: 3 },
    ]);
    expect(detail?.isNew).toBe(true);
    // Thirty days on, the window is thirty of the shop's days and the segment is no longer new.
    const later = await segmentDetail(db, { shop: SHOP, id: segment.id, now: new Date("2026-05-01T16:00:00Z") });
    expect(later?.sizeOverTime).toHaveLength(30);
    expect(later?.sizeOverTime[0]).toEqual({ day: "2026-04-02", size: 3 });
    expect(later?.isNew).toBe(false);
  });
});
