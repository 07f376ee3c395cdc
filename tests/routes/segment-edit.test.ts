// Editing, deleting and listing saved segments through the admin routes, called directly with real
// requests on a seeded shop (demo mode).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { stubDemoEnv } from "../helpers/demo-env";

describe("editing, deleting and listing segments (demo mode)", () => {
  let database: TestDatabase;
  let db: Db;
  const shop = "tailored-demo.myshopify.com";
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "seed", "--customers", "200", "--seed", "5");
    stubDemoEnv(database.url);
    ({ db } = await import("~/db.server"));
  });
  afterAll(async () => {
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const url = (path: string) => `http://localhost:3000${path}`;
  const post = (path: string, fields: Record<string, string>) =>
    new Request(url(path), { method: "POST", body: new URLSearchParams(fields) });
  const create = async (name: string, query: string) => {
    const { createSegment } = await import("~/models/segments/definitions.server");
    return createSegment(db, { shop, name, query, now: new Date() });
  };
  const rejection = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (thrown) {
      return thrown as Response;
    }
    throw new Error("expected a thrown Response");
  };

  it("opens the edit page with the saved name and query; 404 for a missing, malformed or another shop's segment", async () => {
    const { loader } = await import("~/routes/app.segments.$id_.edit");
    const id = await create("Repeat", "number_of_orders >= 2");
    const data = await loader({
      request: new Request(url(`/app/segments/${id}/edit`)),
      params: { id: String(id) },
      context: {},
    });
    expect(data).toEqual({ demo: true, segment: { id, name: "Repeat", query: "number_of_orders >= 2" } });
    const theirs = await db.prisma.segment.create({
      data: {
        shop: "other.myshopify.com",
        name: "Theirs",
        query: "number_of_orders >= 1",
        rule: "{}",
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    for (const param of ["999999", "abc", "1.5", String(theirs.id)]) {
      const response = await rejection(
        loader({ request: new Request(url(`/app/segments/${param}/edit`)), params: { id: param }, context: {} }),
      );
      expect([param, response.status]).toEqual([param, 404]);
    }
  });

  it("saves an edit: new name and query, members recomputed with enter/leave events, back to the detail page", async () => {
    const { action } = await import("~/routes/app.segments.$id_.edit");
    const id = await create("Buyers", "number_of_orders >= 1");
    const before = await db.prisma.segment.findFirstOrThrow({ where: { id } });
    const response = (await action({
      request: post(`/app/segments/${id}/edit`, { name: "Repeat buyers", query: "number_of_orders >= 2" }),
      params: { id: String(id) },
      context: {},
    })) as Response;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      id,
      message: "Saved “Repeat buyers”",
      redirectTo: `/app/segments/${id}`,
    });
    const after = await db.prisma.segment.findFirstOrThrow({ where: { id } });
    expect(after).toMatchObject({ name: "Repeat buyers", query: "number_of_orders >= 2" });
    expect(after.memberCount).toBeLessThan(before.memberCount);
    const left = await db.prisma.segmentEvent.count({ where: { segmentId: id, entered: false } });
    expect(left).toBe(before.memberCount - after.memberCount);
    expect(await db.prisma.segmentMember.count({ where: { segmentId: id } })).toBe(after.memberCount);
  });

  it("refuses a bad edit with where it is wrong (422) or what is missing (400), and saves nothing; 404 for another shop's segment", async () => {
    const { action } = await import("~/routes/app.segments.$id_.edit");
    const id = await create("Spenders", "amount_spent >= 50");
    const snapshot = async () => ({
      segment: await db.prisma.segment.findFirstOrThrow({ where: { id } }),
      members: await db.prisma.segmentMember.count({ where: { segmentId: id } }),
      events: await db.prisma.segmentEvent.count({ where: { segmentId: id } }),
    });
    const before = await snapshot();
    const bad = (await action({
      request: post(`/app/segments/${id}/edit`, {
        name: "Spenders",
        query: "amount_spent >= 50 AND\nlast_order_date < 'long ago'",
      }),
      params: { id: String(id) },
      context: {},
    })) as Response;
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { query: string } }).errors.query).toBe(
      "line 2, col 19: expected a date after '<' (like -30d, today or 2025-01-31)\nlast_order_date < 'long ago'\n                  ^^^^^^^^^^",
    );
    const blank = (await action({
      request: post(`/app/segments/${id}/edit`, { name: " ", query: "amount_spent >= 1" }),
      params: { id: String(id) },
      context: {},
    })) as Response;
    expect(blank.status).toBe(400);
    expect(await blank.json()).toEqual({ ok: false, errors: { name: "Give the segment a name" } });
    expect(await snapshot()).toEqual(before);

    const theirs = await db.prisma.segment.create({
      data: {
        shop: "other.myshopify.com",
        name: "Theirs",
        query: "amount_spent >= 1",
        rule: "{}",
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    const response = await rejection(
      action({
        request: post(`/app/segments/${theirs.id}/edit`, { name: "Mine now", query: "amount_spent >= 1" }),
        params: { id: String(theirs.id) },
        context: {},
      }),
    );
    expect(response.status).toBe(404);
    expect(await db.prisma.segment.findFirstOrThrow({ where: { id: theirs.id } })).toMatchObject({
      name: "Theirs",
      shop: "other.myshopify.com",
    });
  });

  it("deletes a segment with its members and events; 404 for a missing or another shop's segment; POST only", async () => {
    const { action } = await import("~/routes/app.segments.$id_.delete");
    const id = await create("Doomed", "number_of_orders >= 1");
    expect(await db.prisma.segmentMember.count({ where: { segmentId: id } })).toBeGreaterThan(0);
    const response = (await action({
      request: post(`/app/segments/${id}/delete`, {}),
      params: { id: String(id) },
      context: {},
    })) as Response;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, message: "Deleted “Doomed”" });
    expect(await db.prisma.segment.count({ where: { id } })).toBe(0);
    expect(await db.prisma.segmentMember.count({ where: { segmentId: id } })).toBe(0);
    expect(await db.prisma.segmentEvent.count({ where: { segmentId: id } })).toBe(0);

    const again = (await action({
      request: post(`/app/segments/${id}/delete`, {}),
      params: { id: String(id) },
      context: {},
    })) as Response;
    expect(again.status).toBe(404);
    const theirs = await db.prisma.segment.create({
      data: {
        shop: "other.myshopify.com",
        name: "Theirs",
        query: "amount_spent >= 1",
        rule: "{}",
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    const foreign = (await action({
      request: post(`/app/segments/${theirs.id}/delete`, {}),
      params: { id: String(theirs.id) },
      context: {},
    })) as Response;
    expect(foreign.status).toBe(404);
    expect(await db.prisma.segment.count({ where: { id: theirs.id } })).toBe(1);
    const viaGet = (await action({
      request: new Request(url(`/app/segments/${theirs.id}/delete`), { method: "DELETE" }),
      params: { id: String(theirs.id) },
      context: {},
    })) as Response;
    expect(viaGet.status).toBe(405);
  });

  it("the list searches by name and sorts by the URL's parameters; unknown parameters fall back to the default", async () => {
    const { loader } = await import("~/routes/app.segments._index");
    await db.prisma.segment.deleteMany({ where: { shop } });
    await create("Zeta spenders", "amount_spent >= 1");
    await create("alpha repeat", "number_of_orders >= 2");
    await create("Mid buyers", "number_of_orders >= 1");
    const names = async (search: string) => {
      const data = await loader({ request: new Request(url(`/app/segments${search}`)), params: {}, context: {} });
      return { names: data.segments.map((s) => s.name), view: data.view, total: data.total };
    };
    expect(await names("")).toEqual({
      names: ["alpha repeat", "Mid buyers", "Zeta spenders"],
      view: { q: "", sort: "name", direction: "asc" },
      total: 3,
    });
    const bySize = await loader({ request: new Request(url("/app/segments?sort=size+desc")), params: {}, context: {} });
    const sizes = bySize.segments.map((s) => s.memberCount);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect((await names("?q=BUY")).names).toEqual(["Mid buyers"]);
    expect(await names("?q=nobody")).toEqual({
      names: [],
      view: { q: "nobody", sort: "name", direction: "asc" },
      total: 3,
    });
    expect((await names("?sort=name+desc")).names).toEqual(["Zeta spenders", "Mid buyers", "alpha repeat"]);
    expect((await names("?sort=drop+table")).view).toEqual({ q: "", sort: "name", direction: "asc" });
  });
});
