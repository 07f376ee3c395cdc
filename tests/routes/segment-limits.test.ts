// The segment routes at the edges (issue 10): every bad query a 422 with where it is wrong, never a
// 500; at most two previews or saves of a shop computing at a time; segment ids that cannot exist are 404s; the list
// shows a segment a recompute could not compute.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { stubDemoEnv } from "../helpers/demo-env";

describe("segment routes at the limits (demo mode)", () => {
  let database: TestDatabase;
  let db: Db;
  const shop = "tailored-demo.myshopify.com";
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "seed", "--customers", "120", "--seed", "6");
    stubDemoEnv(database.url);
    ({ db } = await import("~/db.server"));
  });
  afterAll(async () => {
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const url = (path: string) => `http://localhost:3000${path}`;
  const preview = async (query: string) => {
    const { loader } = await import("~/routes/app.segment-preview");
    return (await loader({
      request: new Request(url(`/app/segment-preview?q=${encodeURIComponent(query)}`)),
      params: {},
      context: {},
    })) as Response;
  };
  const orChain = (n: number) => Array.from({ length: n }, (_, i) => `amount_spent > ${i}`).join(" OR ");

  it.each([
    ["money beyond 10^26", "amount_spent > 100000000000000000000000000", 1, 16],
    ["a count beyond 2^63", "number_of_orders > 9223372036854775808", 1, 20],
    ["a count beyond int4", "number_of_orders < 2147483648", 1, 20],
    ["a date in 9999", "last_order_date > 9999-12-31", 1, 19],
    ["-100000y", "last_order_date > -100000y", 1, 19],
    ["a NUL byte", "customer_tags CONTAINS 'a\u0000b'", 1, 26],
    ["a unit count beyond int4", "products_purchased MATCHES (quantity > 2147483648)", 1, 40],
    ["a product ID of 30 digits", "products_purchased MATCHES (id = 123456789012345678901234567890)", 1, 34],
    ["201 conditions", orChain(201), 1, orChain(200).length + 5],
    ["a 4,000-term OR chain", orChain(4_000), 1, 20_001],
    [
      "51 function calls",
      Array.from({ length: 51 }, (_, i) => `products_purchased MATCHES (tag = 't${i}')`).join(" OR "),
      1,
      Array.from({ length: 50 }, (_, i) => `products_purchased MATCHES (tag = 't${i}')`).join(" OR ").length + 5,
    ],
    ["a typo on line 2", "amount_spent > 5 AND\n  number_of_ordrs > 1", 2, 3],
    ["a bad operator", "customer_tags = 'vip'", 1, 15],
  ])("previews %s as a 422 with where it is wrong", async (_name, query, line, column) => {
    const response = await preview(query);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { ok: boolean; error: string };
    expect(body.ok).toBe(false);
    expect(body.error.startsWith(`line ${line}, col ${column}: `), body.error).toBe(true);
  });

  it("previews a good query (200) and an empty one with a hint", async () => {
    const good = await preview("number_of_orders >= 1");
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ ok: true, count: expect.any(Number) });
    const hint = await preview("  ");
    expect(await hint.json()).toMatchObject({ ok: false, error: expect.stringMatching(/Write a query/) });
  });

  it("answers a third preview of the shop while two run with 429 and Retry-After, and runs it once one is done", async () => {
    const { acquireComputeSlot: acquirePreviewSlot } = await import("~/models/segments/slots.server");
    const first = acquirePreviewSlot(shop);
    const second = acquirePreviewSlot(shop);
    expect(first && second).toBeTruthy();
    // Another shop's previews are not held up by this one's.
    const elsewhere = acquirePreviewSlot("other.myshopify.com");
    expect(elsewhere).toBeTruthy();
    elsewhere?.();
    const busy = await preview("number_of_orders >= 1");
    expect(busy.status).toBe(429);
    expect(busy.headers.get("Retry-After")).toBe("1");
    expect(await busy.json()).toEqual({ ok: false, error: expect.stringMatching(/previews at once/), retry: true });
    // A bad query is answered without a slot: it never reaches the database.
    expect((await preview("number_of_ordrs > 1")).status).toBe(422);
    first?.();
    expect((await preview("number_of_orders >= 1")).status).toBe(200);
    second?.();
    second?.(); // releasing twice frees one slot only once
    const a = acquirePreviewSlot(shop);
    const b = acquirePreviewSlot(shop);
    expect(acquirePreviewSlot(shop)).toBeNull();
    a?.();
    b?.();
  });

  it("answers a save while the shop computes two previews with 429 and Retry-After, and writes nothing", async () => {
    const { acquireComputeSlot } = await import("~/models/segments/slots.server");
    const created = await import("~/routes/app.segments.new");
    const edit = await import("~/routes/app.segments.$id_.edit");
    const post = (to: string, fields: Record<string, string>) =>
      new Request(url(to), { method: "POST", body: new URLSearchParams(fields) });
    const existing = await db.prisma.segment.create({
      data: {
        shop,
        name: "Kept",
        query: "number_of_orders >= 1",
        rule: "{}",
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    const segments = () =>
      db.prisma.segment.findMany({ where: { shop }, select: { id: true, name: true, query: true } });
    const before = await segments();
    const held = [acquireComputeSlot(shop), acquireComputeSlot(shop)];
    try {
      const answers = [
        (await created.action({
          request: post("/app/segments/new", { name: "Busy", query: "number_of_orders >= 2" }),
          params: {},
          context: {},
        })) as Response,
        (await edit.action({
          request: post(`/app/segments/${existing.id}/edit`, { name: "Changed", query: "number_of_orders >= 3" }),
          params: { id: String(existing.id) },
          context: {},
        })) as Response,
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(429);
        expect(answer.headers.get("Retry-After")).toBe("1");
        expect(await answer.json()).toMatchObject({
          ok: false,
          errors: { query: expect.stringMatching(/nothing was saved/) },
        });
      }
      expect(await segments()).toEqual(before);
    } finally {
      for (const release of held) release?.();
    }
    // With the shop quiet again the same save goes through.
    const saved = (await created.action({
      request: post("/app/segments/new", { name: "Busy", query: "number_of_orders >= 2" }),
      params: {},
      context: {},
    })) as Response;
    expect(await saved.json()).toMatchObject({ ok: true });
    await db.prisma.segment.deleteMany({ where: { shop, name: { in: ["Busy", "Kept"] } } });
  });

  const rejection = async (promise: Promise<unknown>) => {
    try {
      const value = await promise;
      return value as Response;
    } catch (thrown) {
      return thrown as Response;
    }
  };

  it.each([
    "99999999999999999999",
    "-1",
    "0",
    "abc",
    "2147483648",
    "9007199254740993",
    "1e3",
    "0x10",
    "1.5",
    " 7",
    "07",
  ])("/app/segments/%s is a 404 on the detail, edit and delete routes", async (param) => {
    const detail = await import("~/routes/app.segments.$id");
    const edit = await import("~/routes/app.segments.$id_.edit");
    const remove = await import("~/routes/app.segments.$id_.delete");
    const path = `/app/segments/${encodeURIComponent(param)}`;
    const params = { id: param };
    const post = (to: string, fields: Record<string, string>) =>
      new Request(url(to), { method: "POST", body: new URLSearchParams(fields) });
    const statuses = [
      (await rejection(detail.loader({ request: new Request(url(path)), params, context: {} }))).status,
      (await rejection(edit.loader({ request: new Request(url(`${path}/edit`)), params, context: {} }))).status,
      (
        await rejection(
          edit.action({
            request: post(`${path}/edit`, { name: "X", query: "number_of_orders >= 1" }),
            params,
            context: {},
          }),
        )
      ).status,
      (await rejection(remove.action({ request: post(`${path}/delete`, {}), params, context: {} }))).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 404]);
  });

  it("lists a segment the last recompute could not compute with why", async () => {
    const { loader } = await import("~/routes/app.segments._index");
    await db.prisma.segment.create({
      data: { shop, name: "Broken", query: "zzz > 1", rule: "{", createdAt: new Date(), updatedAt: new Date() },
    });
    const { recomputeAll } = await import("~/models/segments/recompute.server");
    await recomputeAll(db, { shop, now: new Date() });
    const data = await loader({ request: new Request(url("/app/segments")), params: {}, context: {} });
    expect(data.segments.find((s) => s.name === "Broken")).toMatchObject({
      computeError: expect.stringMatching(/stored rule/),
    });
  });
  it("lists the shop's own values for the builder and refuses a kind it does not know with a 400", async () => {
    const { loader } = await import("~/routes/app.segment-values");
    const call = async (query: string) =>
      (await loader({
        request: new Request(url(`/app/segment-values?${query}`)),
        params: {},
        context: {},
      })) as Response;
    const bad = await call("kind=passwords");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: expect.stringMatching(/kind must be one of/) });
    const types = await call("kind=product_type");
    expect(types.status).toBe(200);
    const { values } = (await types.json()) as { values: { value: string; count: number }[] };
    expect(values.length).toBeGreaterThan(0);
    const check = await call(`kind=product_type&check=${encodeURIComponent(values[0]!.value.toUpperCase())}`);
    expect(await check.json()).toMatchObject({ found: true });
  });
});
