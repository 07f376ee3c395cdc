// Segment rules against the database's limits, on both databases (issue 10, defects 2-4): SQLite's
// expression depth, a save that fails half-way, one bad segment among good ones, values no column
// holds, and on PostgreSQL the JIT and the statement timeout of merchant-driven queries.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, setStatementTimeout, type Db, type Executor } from "~/db/database.server";
import { decoder, sql, text, type SqlQuery } from "~/db/sql";
import { databaseConfig } from "~/db/config";
import { DEMO_SHOP } from "~/demo/mode.server";
import { compileSql } from "~/models/segments/compile-sql";
import { evaluate } from "~/domain/segments/evaluate";
import type { Prepared } from "~/domain/segments/engine";
import { parse } from "~/domain/segments/query-language";
import { countMatching, previewQuery } from "~/models/segments/read-models.server";
import { createSegment, listSegments, updateSegment } from "~/models/segments/definitions.server";
import { recomputeAll, recomputeSegments } from "~/models/segments/recompute.server";
import { SegmentRuleError } from "~/models/segments/errors";
import { shopContext } from "~/models/segments/rules.server";
import { subjects } from "~/models/segments/subjects.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";

const shop = DEMO_SHOP;
const now = new Date("2026-06-30T12:00:00Z");

/**
 * The database, except that any statement carrying `marker` among its values fails as a statement too
 * complex for the database would (SQLite's "Expression tree is too large", PostgreSQL's 54001), as a
 * statement past its timeout would: the failure belongs to whichever segments are in that statement.
 */
function failingWith(db: Db, marker: string): Db {
  const fault = () =>
    Object.assign(
      new Error(
        db.dialect === "sqlite" ? "Expression tree is too large (maximum depth 1000)" : "statement is too complex",
      ),
      {
        code: db.dialect === "sqlite" ? "SQLITE_ERROR" : "54001",
      },
    );
  const carries = (query: SqlQuery) => query.render(db.dialect).params.includes(marker);
  type Call = (query: SqlQuery, decode?: unknown) => Promise<never>;
  const wrap = (ex: Executor): Executor => ({
    dialect: ex.dialect,
    run: (query) => (carries(query) ? Promise.reject(fault()) : ex.run(query)),
    all: ((query, decode) =>
      carries(query) ? Promise.reject(fault()) : (ex.all as Call)(query, decode)) as Call as Executor["all"],
    tuples: (query) => (carries(query) ? Promise.reject(fault()) : ex.tuples(query)),
    transaction: (fn) => ex.transaction((tx) => fn(wrap(tx))),
  });
  return { ...wrap(db), prisma: db.prisma, close: () => db.close() };
}

const orChain = (n: number) => Array.from({ length: n }, (_, i) => `amount_spent > ${i}`).join(" OR ");

describe.each(DIALECTS)("segment limits on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "seed", "--customers", "150", "--seed", "4", "--now", now.toISOString());
    db = openDatabase(database.config);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const ctx = () => shopContext(db, { shop, now });
  const count = async (query: string) => {
    const parsed = parse(query);
    if (!parsed.ok) throw new Error(query);
    return countMatching(db, { shop, rule: parsed.rule, ctx: await ctx() });
  };
  /** A segment row written straight into the table, as an older version or a bug could have left it. */
  const insertRaw = async (name: string, query: string, rule: string) =>
    (
      await db.prisma.segment.create({
        data: { shop, name, query, rule, createdAt: now, updatedAt: now },
        select: { id: true },
      })
    ).id;
  const ruleOf = (query: string) => {
    const parsed = parse(query);
    if (!parsed.ok) throw new Error(query);
    return JSON.stringify(parsed.rule);
  };
  const rows = async (where: { segmentId: number }) => ({
    segments: await db.prisma.segment.count({ where: { id: where.segmentId } }),
    members: await db.prisma.segmentMember.count({ where: { shop, ...where } }),
    events: await db.prisma.segmentEvent.count({ where: { shop, ...where } }),
  });

  it("compiles a 4,000-term OR chain and a 4,000-term AND chain within SQLite's expression depth, and both engines agree", async () => {
    const people = await subjects(db, { shop });
    for (const kind of ["or", "and"] as const) {
      const prepared: Prepared = {
        kind,
        children: Array.from({ length: 4_000 }, (_, i) => ({
          kind: "int" as const,
          field: "amountSpentMinor" as const,
          op: kind === "or" ? ("=" as const) : ("!=" as const),
          value: BigInt(i * 10),
        })),
      };
      const where = compileSql(prepared, db.dialect);
      const found = await db.all(
        sql`SELECT c."id" FROM "Customer" c LEFT JOIN "CustomerFacts" f ON f."shop" = c."shop" AND f."customerId" = c."id" WHERE c."shop" = ${shop} AND ${where} ORDER BY c."id"`,
        decoder({ id: text }),
      );
      const expected = [...people]
        .filter(([, s]) => evaluate(prepared, s))
        .map(([id]) => id)
        .sort();
      expect(found.map((r) => r.id)).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it("refuses to save a 4,000-term OR chain with a position, and leaves no segment behind", async () => {
    const before = await db.prisma.segment.count();
    const saving = createSegment(db, { shop, name: "Huge", query: orChain(4_000), now });
    await expect(saving).rejects.toBeInstanceOf(SegmentRuleError);
    await expect(saving).rejects.toThrow(/^line 1, col \d+: /);
    expect(await db.prisma.segment.count()).toBe(before);
  });

  it("a save whose first computation fails leaves nothing: no segment, members or events", async () => {
    const before = {
      segments: await db.prisma.segment.count(),
      members: await db.prisma.segmentMember.count(),
      events: await db.prisma.segmentEvent.count(),
    };
    const lists = await db.prisma.customer.findMany({
      where: { shop },
      select: { id: true, segmentIds: true },
      orderBy: { id: "asc" },
    });
    const broken = failingWith(db, "marker-tag");
    await expect(
      createSegment(broken, {
        shop,
        name: "Fails",
        query: "customer_tags CONTAINS 'marker-tag' OR number_of_orders >= 1",
        now,
      }),
    ).rejects.toThrow(/could not compute/);
    expect({
      segments: await db.prisma.segment.count(),
      members: await db.prisma.segmentMember.count(),
      events: await db.prisma.segmentEvent.count(),
    }).toEqual(before);
    expect(
      await db.prisma.customer.findMany({
        where: { shop },
        select: { id: true, segmentIds: true },
        orderBy: { id: "asc" },
      }),
    ).toEqual(lists);
  });

  it("an edit whose computation fails keeps the segment as it was", async () => {
    const id = await createSegment(db, { shop, name: "Repeat", query: "number_of_orders >= 2", now });
    const before = {
      row: await db.prisma.segment.findFirstOrThrow({ where: { id } }),
      ...(await rows({ segmentId: id })),
    };
    const broken = failingWith(db, "marker-tag");
    await expect(
      updateSegment(broken, { shop, id, name: "Changed", query: "customer_tags CONTAINS 'marker-tag'", now }),
    ).rejects.toThrow(/could not compute/);
    const row = await db.prisma.segment.findFirstOrThrow({ where: { id } });
    expect({ name: row.name, query: row.query, rule: row.rule, memberCount: row.memberCount }).toEqual({
      name: before.row.name,
      query: before.row.query,
      rule: before.row.rule,
      memberCount: before.row.memberCount,
    });
    expect(row.memberCount).toBe(await count("number_of_orders >= 2"));
    expect((await rows({ segmentId: id })).members).toBe(before.members);
  });

  it("recomputes every good segment of a shop when others are bad, and marks the bad ones", async () => {
    await db.prisma.segment.deleteMany({ where: { shop } });
    const good = {
      repeat: await insertRaw("Repeat", "number_of_orders >= 2", ruleOf("number_of_orders >= 2")),
      big: await insertRaw("Big", "amount_spent >= 100", ruleOf("amount_spent >= 100")),
    };
    const bad = {
      notJson: await insertRaw("Not JSON", "?", "{"),
      unknown: await insertRaw(
        "Unknown",
        "zzz > 1",
        JSON.stringify({ kind: "condition", attribute: "zzz", operator: ">", value: { kind: "number", value: "1" } }),
      ),
      // Each passed the parser before issue 10 and failed the statement of every segment beside it.
      int4: await insertRaw(
        "Int4",
        "number_of_orders < 2147483648",
        JSON.stringify({
          kind: "condition",
          attribute: "number_of_orders",
          operator: "<",
          value: { kind: "number", value: "2147483648" },
        }),
      ),
      huge: await insertRaw(
        "Huge",
        orChain(4_000),
        JSON.stringify({
          kind: "or",
          children: Array.from({ length: 4_000 }, (_, i) => ({
            kind: "condition",
            attribute: "amount_spent",
            operator: ">",
            value: { kind: "number", value: String(i) },
          })),
        }),
      ),
      nul: await insertRaw(
        "NUL",
        "customer_tags CONTAINS 'a\\u0000'",
        JSON.stringify({
          kind: "condition",
          attribute: "customer_tags",
          operator: "CONTAINS",
          value: { kind: "string", value: "a\u0000" },
        }),
      ),
    };
    const results = await recomputeAll(db, { shop, now });
    const byId = new Map(results.map((r) => [r.segmentId, r]));
    expect([byId.get(good.repeat)?.members, byId.get(good.repeat)?.error]).toEqual([
      await count("number_of_orders >= 2"),
      undefined,
    ]);
    expect([byId.get(good.big)?.members, byId.get(good.big)?.error]).toEqual([
      await count("amount_spent >= 100"),
      undefined,
    ]);
    expect(await count("number_of_orders >= 2")).toBeGreaterThan(0);
    for (const [name, id] of Object.entries(bad))
      expect([name, byId.get(id)?.error]).toEqual([name, expect.any(String)]);
    expect(byId.get(bad.int4)?.error).toMatch(/number_of_orders must be a whole number from 0 to 2,147,483,647/);
    expect(byId.get(bad.huge)?.error).toMatch(/at most 200 conditions/);

    const listed = new Map((await listSegments(db, { shop, now })).map((s) => [s.id, s]));
    expect(listed.get(good.repeat)).toMatchObject({ computeError: null, lastComputedAt: now });
    expect(listed.get(bad.unknown)).toMatchObject({
      computeError: expect.stringMatching(/unknown attribute 'zzz'/),
      lastComputedAt: null,
    });
    expect(listed.get(bad.notJson)?.computeError).toMatch(/stored rule/);

    // Fixed, the segment computes and its mark goes.
    await updateSegment(db, { shop, id: bad.int4, name: "Int4", query: "number_of_orders < 2147483647", now });
    expect((await listSegments(db, { shop, now })).find((s) => s.id === bad.int4)).toMatchObject({
      computeError: null,
      memberCount: await count("number_of_orders >= 0"),
    });
  });

  it("splits a batch whose statement fails until only the failing segment is left out", async () => {
    await db.prisma.segment.deleteMany({ where: { shop } });
    const queries = [
      "number_of_orders >= 1",
      "number_of_orders >= 2",
      "amount_spent >= 50",
      "customer_tags CONTAINS 'marker-tag'",
      "amount_spent >= 200",
      "last_order_date >= -90d",
      "number_of_orders = 0",
    ];
    const ids: number[] = [];
    for (const q of queries) ids.push(await insertRaw(q, q, ruleOf(q)));
    const broken = failingWith(db, "marker-tag");
    // In chunks of 40 customers on SQLite: the halves of a failed batch go on chunk by chunk.
    const results = await recomputeSegments(broken, {
      shop,
      ctx: await ctx(),
      ...(dialect === "sqlite" ? { chunkSize: 40 } : {}),
    });
    for (const [i, q] of queries.entries()) {
      const result = results.find((r) => r.segmentId === ids[i]);
      if (q.includes("marker-tag")) expect(result?.error).toMatch(/could not compute/);
      else expect([q, result?.error, result?.members]).toEqual([q, undefined, await count(q)]);
    }
    const marked = await db.prisma.segment.findMany({
      where: { shop, computeError: { not: null } },
      select: { id: true },
    });
    expect(marked.map((s) => s.id)).toEqual([ids[3]]);
    // The members written are the members: what a recompute without the fault changes is nothing.
    const again = await recomputeSegments(db, { shop, ctx: await ctx(), segmentIds: ids.filter((_, i) => i !== 3) });
    expect(again.every((r) => r.entered === 0 && r.left === 0)).toBe(true);
  });

  it.each([
    ["amount_spent > 100000000000000000000000000"],
    ["number_of_orders > 9223372036854775808"],
    ["number_of_orders < 2147483648"],
    ["last_order_date > 9999-12-31"],
    ["last_order_date > -100000y"],
    ["customer_tags CONTAINS 'a\u0000b'"],
    ["products_purchased MATCHES (quantity > 2147483648)"],
    ["orders_placed MATCHES (sum_amount > 100000000000000000000)"],
  ])("previews %j as a positioned mistake, not a database error", async (query) => {
    const preview = await previewQuery(db, { shop, query, now });
    expect(preview).toEqual({ ok: false, error: expect.stringMatching(/^line 1, col \d+: /) });
  });
});

describe("merchant-driven queries on PostgreSQL", () => {
  let database: TestDatabase;
  let db: Db;
  let locker: pg.Client;

  beforeAll(async () => {
    database = await createEmptyDatabase("postgres");
    await cliJson(database.url, "seed", "--customers", "60", "--seed", "5", "--now", now.toISOString());
    db = openDatabase(database.config);
    locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await locker?.end();
    await db?.close();
    await database?.drop();
  });

  it("run without JIT, on the driver's connections and on Prisma's", async () => {
    expect(await db.all(sql`SHOW jit`)).toEqual([{ jit: "off" }]);
    expect(await db.prisma.$queryRawUnsafe("SHOW jit")).toEqual([{ jit: "off" }]);
    // The daily recompute's connection too, inside its transactions.
    expect(await db.transaction((tx) => tx.all(sql`SHOW jit`))).toEqual([{ jit: "off" }]);
  });

  it("run without JIT on the driver's connections even when DATABASE_URL carries options of its own", async () => {
    const url = new URL(database.url);
    url.searchParams.set("options", "-c search_path=public");
    const other = openDatabase(databaseConfig(url.toString(), process.cwd()));
    try {
      expect(await other.all(sql`SHOW search_path`)).toEqual([{ search_path: "public" }]);
      expect(await other.all(sql`SHOW jit`)).toEqual([{ jit: "off" }]);
    } finally {
      await other.close();
    }
  });

  it("set their statement timeout for their own transaction only, and can hand back the session's own", async () => {
    const show = (tx: Executor) => tx.all(sql`SHOW statement_timeout`);
    const seen = await db.transaction(async (tx) => {
      const before = await show(tx);
      await setStatementTimeout(tx, 1500);
      const bounded = await show(tx);
      await setStatementTimeout(tx, "default");
      return [before, bounded, await show(tx)];
    });
    expect(seen).toEqual([
      [{ statement_timeout: "0" }],
      [{ statement_timeout: "1500ms" }],
      [{ statement_timeout: "0" }],
    ]);
    expect(await show(db)).toEqual([{ statement_timeout: "0" }]);
  });

  it("are cancelled after their statement timeout, and say so; a recompute marks the segment and goes on", async () => {
    const id = await createSegment(db, { shop, name: "Repeat", query: "number_of_orders >= 2", now });
    const parsed = parse("number_of_orders >= 2");
    if (!parsed.ok) throw new Error("parse");
    const ctx = await shopContext(db, { shop, now });
    vi.stubEnv("TAILORED_SEGMENT_QUERY_TIMEOUT_MS", "200");
    vi.stubEnv("TAILORED_SEGMENT_RECOMPUTE_TIMEOUT_MS", "200");
    // A statement that cannot finish while the facts are locked: it waits until its timeout cancels it.
    await locker.query(`BEGIN; LOCK TABLE "CustomerFacts" IN ACCESS EXCLUSIVE MODE`);
    try {
      const { SegmentTimeoutError } = await import("~/models/segments/errors");
      await expect(previewQuery(db, { shop, query: "number_of_orders >= 2", now })).rejects.toBeInstanceOf(
        SegmentTimeoutError,
      );
      await expect(countMatching(db, { shop, rule: parsed.rule, ctx })).rejects.toThrow(/took longer than 0.2 s/);
      const before = await db.prisma.segment.count();
      await expect(createSegment(db, { shop, name: "Slow", query: "amount_spent >= 10", now })).rejects.toBeInstanceOf(
        SegmentTimeoutError,
      );
      expect(await db.prisma.segment.count()).toBe(before);
      const [result] = await recomputeSegments(db, { shop, ctx, segmentIds: [id] });
      expect(result?.error).toMatch(/took longer than 0.2 s/);
    } finally {
      await locker.query("ROLLBACK");
    }
    vi.unstubAllEnvs();
    const [result] = await recomputeSegments(db, { shop, ctx, segmentIds: [id] });
    expect([result?.segmentId, result?.error]).toEqual([id, undefined]);
    expect((await db.prisma.segment.findFirstOrThrow({ where: { id } })).computeError).toBeNull();
  });
});
