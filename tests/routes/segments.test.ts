// The Segments list's template action and the editor's form, called directly with real requests.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { stubDemoEnv } from "../helpers/demo-env";

describe("Segments pages (demo mode)", () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "seed", "--customers", "200");
    stubDemoEnv(database.url);
    ({ db } = await import("~/db.server"));
  });
  afterAll(async () => {
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const createSegmentHere = async (name: string, query: string) => {
    const { createSegment } = await import("~/models/segments/definitions.server");
    // A moment earlier than the action's "now", so a recompute shows in lastComputedAt.
    return createSegment(db, { shop: "tailored-demo.myshopify.com", name, query, now: new Date(Date.now() - 60_000) });
  };

  const post = (path: string, fields: Record<string, string>) =>
    new Request(`http://localhost:3000${path}`, { method: "POST", body: new URLSearchParams(fields) });

  it("lists no segments on a new shop, and every template", async () => {
    const { loader } = await import("~/routes/app.segments._index");
    const data = await loader({ request: new Request("http://localhost:3000/app/segments"), params: {}, context: {} });
    expect(data.segments).toEqual([]);
    expect(data.templates.length).toBeGreaterThanOrEqual(12);
  });

  it("adds a template with its members, category fans included; refuses an unknown one (400)", async () => {
    const { action, loader } = await import("~/routes/app.segments._index");
    const added = (await action({
      request: post("/app/segments", { intent: "template", key: "repeat" }),
      params: {},
      context: {},
    })) as { ok: boolean; id: number };
    expect(added).toMatchObject({ ok: true });
    // Added again (a second tab, a double submit): the same segment, not a copy; its card offers "View".
    const again = (await action({
      request: post("/app/segments", { intent: "template", key: "repeat" }),
      params: {},
      context: {},
    })) as { ok: boolean; id: number; message: string };
    expect(again).toMatchObject({
      ok: true,
      id: added.id,
      message: expect.stringMatching(/already added/),
    });
    const data = await loader({ request: new Request("http://localhost:3000/app/segments"), params: {}, context: {} });
    expect(data.segments).toEqual([
      expect.objectContaining({ name: "Repeat buyers", template: "repeat", isNew: true }),
    ]);
    expect(data.usedTemplates).toEqual({ repeat: again.id });
    expect(data.customers).toBeGreaterThan(0);
    // Counted here from the facts and from the order lines, not through the segment engine.
    const SHOP = "tailored-demo.myshopify.com";
    const repeaters = (
      await db.prisma.customerFacts.findMany({
        where: { shop: SHOP, ordersCount: { gte: 2 } },
        select: { customerId: true },
      })
    )
      .map((r) => r.customerId)
      .sort();
    expect(repeaters.length).toBeGreaterThan(10);
    expect(data.segments[0]!.memberCount).toBe(repeaters.length);
    const members = async (segmentId: number) =>
      (await db.prisma.segmentMember.findMany({ where: { shop: SHOP, segmentId }, select: { customerId: true } }))
        .map((m) => m.customerId)
        .sort();
    expect(await members(data.segments[0]!.id)).toEqual(repeaters);
    expect(
      (
        (await action({
          request: post("/app/segments", { intent: "template", key: "nope" }),
          params: {},
          context: {},
        })) as Response
      ).status,
    ).toBe(400);
    const fans = (await action({
      request: post("/app/segments", { intent: "template", key: "category-fans" }),
      params: {},
      context: {},
    })) as { ok: boolean };
    expect(fans).toMatchObject({ ok: true });
    const after = await loader({ request: new Request("http://localhost:3000/app/segments"), params: {}, context: {} });
    // Beans bought: quantities summed per customer over orders that count (not cancelled, not test).
    const lines = await db.prisma.orderLine.findMany({
      where: { shop: SHOP, productType: "Coffee Beans", order: { cancelledAt: null, test: false } },
      select: { quantity: true, order: { select: { customerId: true } } },
    });
    const beans = new Map<string, number>();
    for (const line of lines)
      beans.set(line.order.customerId!, (beans.get(line.order.customerId!) ?? 0) + line.quantity);
    const fansExpected = [...beans]
      .filter(([, n]) => n >= 2)
      .map(([id]) => id)
      .sort();
    expect(fansExpected.length).toBeGreaterThan(10);
    const fansSegment = after.segments.find((s) => s.template === "category-fans")!;
    expect(fansSegment.memberCount).toBe(fansExpected.length);
    expect(await members(fansSegment.id)).toEqual(fansExpected);
  });

  it("saves lifecycle thresholds from the Settings page, recomputing only segments that use stages; refuses bad ones (422, each field named) and changes nothing", async () => {
    const { action, loader } = await import("~/routes/app.settings");
    const segmentsPage = await import("~/routes/app.segments._index");
    const staged = await createSegmentHere("Lapsing", "lifecycle_stage = 'LAPSING'");
    const other = await createSegmentHere("Any order", "number_of_orders >= 1");
    const before = await db.prisma.segment.findUniqueOrThrow({ where: { id: other } });
    const stagedBefore = await db.prisma.segment.findUniqueOrThrow({ where: { id: staged } });
    const save = async (fields: Record<string, string>) =>
      (await action({
        request: post("/app/settings", { intent: "lifecycle", ...fields }),
        params: {},
        context: {},
      })) as Response;
    const thresholds = async () =>
      (await loader({ request: new Request("http://localhost:3000/app/settings"), params: {}, context: {} })).lifecycle;

    const bad = await save({ lapsingDays: "200", lapsedDays: "100", loyalOrders: "x" });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { fields: Record<string, string> }).fields).toEqual({
      loyalOrders: "Enter a whole number",
    });
    const backwards = await save({ lapsingDays: "200", lapsedDays: "100", loyalOrders: "3" });
    expect(backwards.status).toBe(422);
    expect(((await backwards.json()) as { fields: Record<string, string> }).fields).toEqual({
      lapsedDays: "lapsed must come after lapsing",
    });
    const outOfRange = await save({ lapsingDays: "0", lapsedDays: "99999", loyalOrders: "1" });
    expect(outOfRange.status).toBe(422);
    expect(((await outOfRange.json()) as { fields: Record<string, string> }).fields).toEqual({
      lapsingDays: "lapsing needs at least 1 day",
      lapsedDays: "lapsed can be at most 3650 days (10 years)",
      loyalOrders: "loyal needs at least 2 orders",
    });
    const missing = await save({ lapsingDays: "2.5" });
    expect(missing.status).toBe(422);
    expect(Object.keys(((await missing.json()) as { fields: Record<string, string> }).fields).sort()).toEqual([
      "lapsedDays",
      "lapsingDays",
      "loyalOrders",
    ]);
    expect(await thresholds()).toEqual({ lapsingDays: 90, lapsedDays: 180, loyalOrders: 4 });

    const saved = await save({ lapsingDays: "30", lapsedDays: "60", loyalOrders: "3" });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({
      ok: true,
      intent: "lifecycle",
      message: "Lifecycle thresholds saved; 1 segment recomputed",
    });
    expect(await thresholds()).toEqual({ lapsingDays: 30, lapsedDays: 60, loyalOrders: 3 });
    const stagedAfter = await db.prisma.segment.findUniqueOrThrow({ where: { id: staged } });
    expect(stagedAfter.lastComputedAt!.getTime()).toBeGreaterThan(stagedBefore.lastComputedAt!.getTime());
    expect(stagedAfter.memberCount).not.toBe(stagedBefore.memberCount);
    expect((await db.prisma.segment.findUniqueOrThrow({ where: { id: other } })).lastComputedAt).toEqual(
      before.lastComputedAt,
    );
    // The Segments page and its templates speak of the same thresholds.
    const list = await segmentsPage.loader({
      request: new Request("http://localhost:3000/app/segments"),
      params: {},
      context: {},
    });
    expect(list.lifecycle).toEqual({ lapsingDays: 30, lapsedDays: 60, loyalOrders: 3 });
    expect(list.templates.find((t) => t.key === "loyal")?.description).toBe(
      "The Loyal lifecycle stage: 3 or more orders, the latest within 30 days (set in Settings).",
    );
    const again = await save({ lapsingDays: "30", lapsedDays: "60", loyalOrders: "3" });
    expect(await again.json()).toMatchObject({ ok: true, message: "Lifecycle thresholds unchanged" });
    await save({ lapsingDays: "90", lapsedDays: "180", loyalOrders: "4" });
    await db.prisma.segment.deleteMany({ where: { id: { in: [staged, other] } } });
  });

  it("deletes the selected segments in one go from the list, with members and history; refuses bad ids (422) deleting nothing", async () => {
    const { action, loader } = await import("~/routes/app.segments._index");
    const a = await createSegmentHere("Bulk A", "number_of_orders >= 1");
    const b = await createSegmentHere("Bulk B", "number_of_orders >= 2");
    const keep = await createSegmentHere("Bulk keep", "number_of_orders >= 3");
    const form = (ids: string[]) => {
      const body = new URLSearchParams({ intent: "delete" });
      for (const id of ids) body.append("id", id);
      return new Request("http://localhost:3000/app/segments?index", { method: "POST", body });
    };
    const bad = (await action({ request: form([String(a), "7x"]), params: {}, context: {} })) as Response;
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ ok: false, error: "id 2 is not a segment id: “7x”" });
    const none = (await action({ request: form([]), params: {}, context: {} })) as Response;
    expect(none.status).toBe(422);
    expect(await db.prisma.segment.count({ where: { id: { in: [a, b] } } })).toBe(2);

    const done = (await action({ request: form([String(a), String(b), "2147483000"]), params: {}, context: {} })) as {
      ok: boolean;
      deleted: number[];
      message: string;
    };
    expect(done).toEqual({ ok: true, deleted: [a, b], message: "Deleted 2 segments" });
    expect(await db.prisma.segment.count({ where: { id: { in: [a, b] } } })).toBe(0);
    expect(await db.prisma.segmentMember.count({ where: { segmentId: { in: [a, b] } } })).toBe(0);
    expect(await db.prisma.segmentEvent.count({ where: { segmentId: { in: [a, b] } } })).toBe(0);
    expect(await db.prisma.customer.count({ where: { segmentIds: { contains: `,${a},` } } })).toBe(0);
    expect(await db.prisma.segmentMember.count({ where: { segmentId: keep } })).toBeGreaterThan(0);
    const list = await loader({ request: new Request("http://localhost:3000/app/segments"), params: {}, context: {} });
    expect(list.segments.map((s) => s.name)).toContain("Bulk keep");
    expect(list.segments.map((s) => s.name)).not.toContain("Bulk A");
    const gone = (await action({ request: form([String(a)]), params: {}, context: {} })) as Response;
    expect(gone.status).toBe(404);
    await db.prisma.segment.deleteMany({ where: { id: keep } });
  });

  it("duplicates a segment as “Copy of …” with the same query and members; a missing one is 404", async () => {
    const { action } = await import("~/routes/app.segments.$id_.duplicate");
    const original = await createSegmentHere("Two or more", "number_of_orders >= 2");
    const answer = (await action({
      request: post(`/app/segments/${original}/duplicate`, {}),
      params: { id: String(original) },
      context: {},
    })) as Response;
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { ok: boolean; id: number; message: string };
    expect(body).toMatchObject({ ok: true, message: "Created “Copy of Two or more”" });
    const copy = await db.prisma.segment.findUniqueOrThrow({ where: { id: body.id } });
    const source = await db.prisma.segment.findUniqueOrThrow({ where: { id: original } });
    expect(copy).toMatchObject({ name: "Copy of Two or more", query: source.query, template: null });
    expect(copy.memberCount).toBe(source.memberCount);
    const missing = (await action({
      request: post("/app/segments/999999/duplicate", {}),
      params: { id: "999999" },
      context: {},
    })) as Response;
    expect(missing.status).toBe(404);
    const get = (await action({
      request: new Request(`http://localhost:3000/app/segments/${original}/duplicate`, { method: "PUT" }),
      params: { id: String(original) },
      context: {},
    })) as Response;
    expect(get.status).toBe(405);
    await db.prisma.segment.deleteMany({ where: { id: { in: [original, body.id] } } });
  });

  it("answers the editor's form: field errors (400), a query mistake with its position (422) saving nothing, the new id when saved", async () => {
    const { action } = await import("~/routes/app.segments.new");
    const before = await db.prisma.segment.count();
    const empty = (await action({
      request: post("/app/segments/new", { name: "", query: "" }),
      params: {},
      context: {},
    })) as Response;
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({
      ok: false,
      errors: { name: "Give the segment a name", query: "Write the query that selects the customers" },
    });
    // A control character in the name (PostgreSQL refuses NUL in text; SQLite would keep it): a field error.
    const nul = (await action({
      request: post("/app/segments/new", { name: "VIP\u0000s", query: "amount_spent > 1" }),
      params: {},
      context: {},
    })) as Response;
    expect(nul.status).toBe(400);
    expect(await nul.json()).toEqual({ ok: false, errors: { name: "Use letters, digits and punctuation only" } });
    const missing = (await action({ request: post("/app/segments/new", {}), params: {}, context: {} })) as Response;
    expect(missing.status).toBe(400);
    const wrong = (await action({
      request: post("/app/segments/new", { name: "X", query: "amount_spnt > 5" }),
      params: {},
      context: {},
    })) as Response;
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { errors: { query: string } }).errors.query).toBe(
      "line 1, col 1: unknown attribute 'amount_spnt' (did you mean 'amount_spent'?)\namount_spnt > 5\n^^^^^^^^^^^",
    );
    expect(await db.prisma.segment.count()).toBe(before);
    const saved = (await action({
      request: post("/app/segments/new", { name: "Big", query: "amount_spent >= 100" }),
      params: {},
      context: {},
    })) as Response;
    expect(saved.status).toBe(200);
    const body = (await saved.json()) as { ok: true; id: number; message: string; redirectTo: string };
    expect(body).toEqual({
      ok: true,
      id: expect.any(Number),
      message: "Saved “Big”",
      redirectTo: `/app/segments/${body.id}`,
    });
    expect(await db.prisma.segment.findFirst({ where: { id: body.id } })).toMatchObject({
      name: "Big",
      query: "amount_spent >= 100",
    });
  });

  it("previews an empty query with a hint, and a bad one with the error", async () => {
    const { loader } = await import("~/routes/app.segment-preview");
    const hint = (await loader({
      request: new Request("http://localhost:3000/app/segment-preview?q="),
      params: {},
      context: {},
    })) as Response;
    expect(await hint.json()).toMatchObject({ ok: false });
    const good = (await loader({
      request: new Request("http://localhost:3000/app/segment-preview?q=number_of_orders%20%3E%3D%201"),
      params: {},
      context: {},
    })) as Response;
    expect(await good.json()).toMatchObject({ ok: true, count: expect.any(Number) });
  });
});
