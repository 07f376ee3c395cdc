// Editing and deleting saved segments, on both databases: an edit recomputes the members and records
// who entered and left because of it; a bad query writes nothing; deleting takes members and history
// along; another shop's segment is out of reach.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "~/db/database.server";
import { DEMO_SHOP } from "~/demo/mode.server";
import { parse } from "~/domain/segments/query-language";
import { countMatching } from "~/models/segments/read-models.server";
import {
  copyName,
  createSegment,
  deleteSegment,
  deleteSegments,
  duplicateSegment,
  getSegment,
  updateSegment,
} from "~/models/segments/definitions.server";
import { SegmentRuleError } from "~/models/segments/errors";
import { shopContext } from "~/models/segments/rules.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";

describe.each(DIALECTS)("editing and deleting segments on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  const now = new Date("2026-06-30T12:00:00Z");
  const later = new Date("2026-07-01T12:00:00Z");

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "seed", "--customers", "150", "--seed", "3", "--now", now.toISOString());
    db = openDatabase(database.config);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const count = async (query: string) => {
    const parsed = parse(query);
    if (!parsed.ok) throw new Error(query);
    return countMatching(db, {
      shop: DEMO_SHOP,
      rule: parsed.rule,
      ctx: await shopContext(db, { shop: DEMO_SHOP, now: later }),
    });
  };
  const events = (segmentId: number, at: Date) =>
    db.prisma.segmentEvent.groupBy({ by: ["entered"], where: { shop: DEMO_SHOP, segmentId, at }, _count: true });

  it("an edit stores the new name and query and recomputes: who entered and who left is recorded at the edit's time", async () => {
    const id = await createSegment(db, { shop: DEMO_SHOP, name: "Two or more", query: "number_of_orders >= 2", now });
    const before = await db.prisma.segmentMember.findMany({
      where: { shop: DEMO_SHOP, segmentId: id },
      select: { customerId: true },
    });
    expect(before.length).toBe(await count("number_of_orders >= 2"));

    const updated = await updateSegment(db, {
      shop: DEMO_SHOP,
      id,
      name: "Three or more",
      query: "number_of_orders >= 3 OR amount_spent >= 400",
      now: later,
    });
    const after = await count("number_of_orders >= 3 OR amount_spent >= 400");
    expect(updated?.members).toBe(after);
    const was = new Set(before.map((m) => m.customerId));
    const is = new Set(
      (
        await db.prisma.segmentMember.findMany({
          where: { shop: DEMO_SHOP, segmentId: id },
          select: { customerId: true },
        })
      ).map((m) => m.customerId),
    );
    const entered = [...is].filter((c) => !was.has(c)).length;
    const left = [...was].filter((c) => !is.has(c)).length;
    expect(left).toBeGreaterThan(0);
    expect(updated).toMatchObject({ id, entered, left, members: is.size });
    const recorded = Object.fromEntries((await events(id, later)).map((e) => [String(e.entered), e._count]));
    expect(recorded).toEqual({ ...(entered ? { true: entered } : {}), false: left });
    expect(await getSegment(db, { shop: DEMO_SHOP, id })).toEqual({
      id,
      name: "Three or more",
      query: "number_of_orders >= 3 OR amount_spent >= 400",
    });
    const row = await db.prisma.segment.findFirstOrThrow({ where: { id } });
    expect(row).toMatchObject({ memberCount: is.size, lastComputedAt: later, updatedAt: later });
  });

  it("a bad query says where it is wrong and changes nothing", async () => {
    const id = await createSegment(db, { shop: DEMO_SHOP, name: "Big", query: "amount_spent >= 100", now });
    const rowBefore = await db.prisma.segment.findFirstOrThrow({ where: { id } });
    const membersBefore = await db.prisma.segmentMember.count({ where: { segmentId: id } });
    const eventsBefore = await db.prisma.segmentEvent.count({ where: { segmentId: id } });
    const attempt = updateSegment(db, {
      shop: DEMO_SHOP,
      id,
      name: "Renamed",
      query: "amount_spent >= 'lots'",
      now: later,
    });
    await expect(attempt).rejects.toBeInstanceOf(SegmentRuleError);
    await expect(attempt).rejects.toThrow(/line 1, col 17: expected a number after '>='/);
    expect(await db.prisma.segment.findFirstOrThrow({ where: { id } })).toEqual(rowBefore);
    expect(await db.prisma.segmentMember.count({ where: { segmentId: id } })).toBe(membersBefore);
    expect(await db.prisma.segmentEvent.count({ where: { segmentId: id } })).toBe(eventsBefore);
  });

  it("another shop's segment and a missing one cannot be read, edited or deleted", async () => {
    const id = await createSegment(db, { shop: DEMO_SHOP, name: "Mine", query: "number_of_orders >= 1", now });
    const other = "someone-else.myshopify.com";
    expect(await getSegment(db, { shop: other, id })).toBeNull();
    expect(
      await updateSegment(db, { shop: other, id, name: "Theirs", query: "number_of_orders >= 1", now: later }),
    ).toBeNull();
    expect(await deleteSegment(db, { shop: other, id })).toBe(false);
    expect(
      await updateSegment(db, { shop: DEMO_SHOP, id: 987654, name: "X", query: "number_of_orders >= 1", now: later }),
    ).toBeNull();
    expect(await deleteSegment(db, { shop: DEMO_SHOP, id: Number.NaN })).toBe(false);
    expect(await getSegment(db, { shop: DEMO_SHOP, id })).toMatchObject({ name: "Mine" });
  });

  it("deleting removes the segment with its members and events, and nothing of the others", async () => {
    const keep = await createSegment(db, { shop: DEMO_SHOP, name: "Keep", query: "number_of_orders >= 1", now });
    const gone = await createSegment(db, { shop: DEMO_SHOP, name: "Gone", query: "number_of_orders >= 1", now });
    const keptMembers = await db.prisma.segmentMember.count({ where: { segmentId: keep } });
    const keptEvents = await db.prisma.segmentEvent.count({ where: { segmentId: keep } });
    expect(await db.prisma.segmentMember.count({ where: { segmentId: gone } })).toBe(keptMembers);
    expect(await deleteSegment(db, { shop: DEMO_SHOP, id: gone })).toBe(true);
    expect(await db.prisma.segment.count({ where: { id: gone } })).toBe(0);
    expect(await db.prisma.segmentMember.count({ where: { segmentId: gone } })).toBe(0);
    expect(await db.prisma.segmentEvent.count({ where: { segmentId: gone } })).toBe(0);
    expect(await db.prisma.segmentMember.count({ where: { segmentId: keep } })).toBe(keptMembers);
    expect(await db.prisma.segmentEvent.count({ where: { segmentId: keep } })).toBe(keptEvents);
    expect(await deleteSegment(db, { shop: DEMO_SHOP, id: gone })).toBe(false);
  });

  it("a bulk delete removes every named segment with members, events and the customers' lists in one transaction; others' and missing ids are passed over", async () => {
    const keep = await createSegment(db, { shop: DEMO_SHOP, name: "Bulk keep", query: "number_of_orders >= 1", now });
    const one = await createSegment(db, { shop: DEMO_SHOP, name: "Bulk one", query: "number_of_orders >= 2", now });
    const two = await createSegment(db, { shop: DEMO_SHOP, name: "Bulk two", query: "amount_spent >= 100", now });
    const keptMembers = await db.prisma.segmentMember.count({ where: { segmentId: keep } });
    expect(
      await db.prisma.customer.count({ where: { shop: DEMO_SHOP, segmentIds: { contains: `,${one},` } } }),
    ).toBeGreaterThan(0);
    // Another shop cannot delete them, even among ids of its own choosing.
    expect(await deleteSegments(db, { shop: "someone-else.myshopify.com", ids: [one, two] })).toEqual([]);
    const removed = await deleteSegments(db, { shop: DEMO_SHOP, ids: [two, one, two, 987654, Number.NaN] });
    expect(removed).toEqual([
      { id: one, name: "Bulk one" },
      { id: two, name: "Bulk two" },
    ]);
    for (const id of [one, two]) {
      expect(await db.prisma.segment.count({ where: { id } })).toBe(0);
      expect(await db.prisma.segmentMember.count({ where: { segmentId: id } })).toBe(0);
      expect(await db.prisma.segmentEvent.count({ where: { segmentId: id } })).toBe(0);
      expect(await db.prisma.customer.count({ where: { shop: DEMO_SHOP, segmentIds: { contains: `,${id},` } } })).toBe(
        0,
      );
    }
    expect(await db.prisma.segmentMember.count({ where: { segmentId: keep } })).toBe(keptMembers);
    expect(await db.prisma.customer.count({ where: { shop: DEMO_SHOP, segmentIds: { contains: `,${keep},` } } })).toBe(
      keptMembers,
    );
    expect(await deleteSegments(db, { shop: DEMO_SHOP, ids: [] })).toEqual([]);
  });

  it("a duplicate is “Copy of …” with the same query and members, computed at once, and no template; another shop's is out of reach", async () => {
    const original = await createSegment(db, {
      shop: DEMO_SHOP,
      name: "Repeat buyers",
      query: "number_of_orders >= 2",
      template: "repeat",
      now,
    });
    expect(await duplicateSegment(db, { shop: "someone-else.myshopify.com", id: original, now: later })).toBeNull();
    const copy = await duplicateSegment(db, { shop: DEMO_SHOP, id: original, now: later });
    expect(copy?.name).toBe("Copy of Repeat buyers");
    const row = await db.prisma.segment.findUniqueOrThrow({ where: { id: copy!.id } });
    expect(row).toMatchObject({ query: "number_of_orders >= 2", template: null, createdAt: later });
    const members = async (segmentId: number) =>
      (await db.prisma.segmentMember.findMany({ where: { segmentId }, select: { customerId: true } }))
        .map((m) => m.customerId)
        .sort();
    expect(await members(copy!.id)).toEqual(await members(original));
    expect(row.memberCount).toBe(await count("number_of_orders >= 2"));
    expect(copyName("x".repeat(120))).toHaveLength(120);
  });
});
