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

  it("saves lifecycle thresholds from the Segments page, recomputing only segments that use stages; refuses bad ones (422) and changes nothing", async () => {
    const { action, loader } = await import("~/routes/app.segments._index");
    const staged = await createSegmentHere("Lapsing", "lifecycle_stage = 'LAPSING'");
    const other = await createSegmentHere("Any order", "number_of_orders >= 1");
    const before = await db.prisma.segment.findUniqueOrThrow({ where: { id: other } });
    const stagedBefore = await db.prisma.segment.findUniqueOrThrow({ where: { id: staged } });

    const bad = (await action({
      request: post("/app/segments", { intent: "lifecycle", lapsingDays: "200", lapsedDays: "100", loyalOrders: "x" }),
      params: {},
      context: {},
    })) as Response;
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { fields: Record<string, string> }).fields).toEqual({
      loyalOrders: "Enter a whole number",
    });
    const backwards = (await action({
      request: post("/app/segments", { intent: "lifecycle", lapsingDays: "200", lapsedDays: "100", loyalOrders: "3" }),
      params: {},
      context: {},
    })) as Response;
    expect(((await backwards.json()) as { fields: Record<string, string> }).fields).toEqual({
      lapsedDays: "lapsed must come after lapsing",
    });
    expect(
      (await loader({ request: new Request("http://localhost:3000/app/segments"), params: {}, context: {} })).lifecycle,
    ).toEqual({ lapsingDays: 90, lapsedDays: 180, loyalOrders: 4 });

    const saved = await action({
      request: post("/app/segments", { intent: "lifecycle", lapsingDays: "30", lapsedDays: "60", loyalOrders: "3" }),
      params: {},
      context: {},
    });
    expect(saved).toEqual({
      ok: true,
      intent: "lifecycle",
      message: "Lifecycle thresholds saved; 1 segment recomputed",
    });
    expect(
      (await loader({ request: new Request("http://localhost:3000/app/segments"), params: {}, context: {} })).lifecycle,
    ).toEqual({ lapsingDays: 30, lapsedDays: 60, loyalOrders: 3 });
    const stagedAfter = await db.prisma.segment.findUniqueOrThrow({ where: { id: staged } });
    expect(stagedAfter.lastComputedAt!.getTime()).toBeGreaterThan(stagedBefore.lastComputedAt!.getTime());
    expect(stagedAfter.memberCount).not.toBe(stagedBefore.memberCount);
    expect((await db.prisma.segment.findUniqueOrThrow({ where: { id: other } })).lastComputedAt).toEqual(
      before.lastComputedAt,
    );
    const again = await action({
      request: post("/app/segments", { intent: "lifecycle", lapsingDays: "30", lapsedDays: "60", loyalOrders: "3" }),
      params: {},
      context: {},
    });
    expect(again).toMatchObject({ ok: true, message: "Lifecycle thresholds unchanged" });
    await db.prisma.segment.deleteMany({ where: { id: { in: [staged, other] } } });
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
