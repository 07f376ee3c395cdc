// The segment detail page's loader on a seeded shop (demo mode): size over time, profile, members.
import { localDate } from "~/domain/calendar";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { stubDemoEnv } from "../helpers/demo-env";

describe("segment detail (demo mode)", () => {
  let database: TestDatabase;
  let db: Db;
  let id: number;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "seed", "--customers", "300");
    ({ id } = await cliJson<{ id: number }>(
      database.url,
      "segments",
      "create",
      "--shop",
      "tailored-demo.myshopify.com",
      "--name",
      "Repeat",
      "--query",
      "number_of_orders >= 2",
    ));
    stubDemoEnv(database.url);
    ({ db } = await import("~/db.server"));
  });
  afterAll(async () => {
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const load = async (path: string, params: Record<string, string>) => {
    const { loader } = await import("~/routes/app.segments.$id");
    return loader({ request: new Request(`http://localhost:3000${path}`), params, context: {} });
  };

  it("shows the size since creation, a profile and the first page of members", async () => {
    const data = await load(`/app/segments/${id}`, { id: String(id) });
    expect(data.memberCount).toBeGreaterThan(25);
    // Created today: its history is today, not 29 days of a size it never had.
    // Days are the shop's calendar days.
    const { ianaTimezone } = await db.prisma.shop.findFirstOrThrow({ select: { ianaTimezone: true } });
    expect(data.sizeOverTime).toEqual([{ day: localDate(new Date(), ianaTimezone), size: data.memberCount }]);
    expect(data.isNew).toBe(true);
    expect(data.shopCustomers).toBe(300);
    expect(data.members).toHaveLength(25);
    expect(data.members.every((m) => m.orders >= 2)).toBe(true);
    expect(data.profile.topCountries.length).toBeGreaterThan(0);
    expect(data.profile.topProducts.length).toBeGreaterThan(0);
    const last = await load(`/app/segments/${id}?page=${data.pages}`, { id: String(id) });
    expect(last.members.length).toBe(data.memberCount - (data.pages - 1) * 25);
  });

  it.each([
    [10, 11, true],
    [40, 30, false],
  ])("draws a segment created %i days ago over %i days (new: %s)", async (daysAgo, points, isNew) => {
    const createdAt = new Date(Date.now() - daysAgo * 86_400_000);
    const before = await db.prisma.segment.findUniqueOrThrow({ where: { id } });
    await db.prisma.segment.update({ where: { id }, data: { createdAt } });
    try {
      const data = await load(`/app/segments/${id}`, { id: String(id) });
      expect(data.sizeOverTime).toHaveLength(points);
      expect(data.isNew).toBe(isNew);
      expect(data.sizeOverTime.at(-1)?.size).toBe(data.memberCount);
      expect(data.sizeOverTime[0]?.size).toBe(0); // every member entered today
    } finally {
      await db.prisma.segment.update({ where: { id }, data: { createdAt: before.createdAt } });
    }
  });

  it("takes any page in the URL that is not a whole page number as the first page", async () => {
    const first = await load(`/app/segments/${id}`, { id: String(id) });
    for (const page of ["1.5", "-3", "0", "1e9", "abc", "99999999999999999999"]) {
      const data = await load(`/app/segments/${id}?page=${page}`, { id: String(id) });
      expect(data.members.map((m) => m.id)).toEqual(first.members.map((m) => m.id));
    }
  });

  it("answers 404 for a segment that does not exist", async () => {
    await expect(load("/app/segments/999", { id: "999" })).rejects.toMatchObject({ status: 404 });
    await expect(load("/app/segments/abc", { id: "abc" })).rejects.toMatchObject({ status: 404 });
  });
});
