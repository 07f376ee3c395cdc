// The driver-level executor that the bulk paths use, on both databases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { bigint, date, decoder, int, join, raw, reused, sql, sqlIn, text } from "~/db/sql";
import { createTestDb, DIALECTS } from "../helpers/db";

const SHOP = "executor.myshopify.com";

describe.each(DIALECTS)("executor on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
  });
  afterAll(async () => close());
  beforeEach(async () => {
    await db.prisma.product.deleteMany({});
  });

  const insert = async (tx: Pick<Db, "run" | "dialect">, id: string) => {
    const at = new Date("2025-01-02T03:04:05.678Z");
    await tx.run(
      sql`INSERT INTO "Product" ("shop", "id", "handle", "title", "tags", "status", "createdAt", "updatedAt", "syncedAt")
       VALUES (${SHOP}, ${id}, ${`h-${id}`}, ${"T"}, ${""}, ${"ACTIVE"}, ${at}, ${at}, ${at})`,
    );
  };
  const count = async () => {
    const [row] = await db.all(sql`SELECT COUNT(*) AS n FROM "Product" WHERE "shop" = ${SHOP}`, decoder({ n: int }));
    return row?.n;
  };

  it("runs sql`…` statements and decodes their rows into typed values", async () => {
    const at = new Date("2025-01-02T03:04:05.678Z");
    const rows = ["a", "b", "c"].map(
      (id, i) =>
        sql`(${SHOP}, ${id}, ${`h-${id}`}, ${"T"}, ${""}, ${"ACTIVE"}, ${BigInt(i) * 10_000_000_000n}, ${at}, ${at}, ${at})`,
    );
    const changed = await db.run(
      sql`INSERT INTO "Product" ("shop", "id", "handle", "title", "tags", "status", "priceMinor", "createdAt", "updatedAt", "syncedAt")
          VALUES ${join(rows)}`,
    );
    expect(changed).toBe(3);
    const found = await db.all(
      sql`SELECT "id", "priceMinor", "createdAt", COUNT(*) OVER () AS "n" FROM "Product"
          WHERE "shop" = ${SHOP} AND ${sqlIn('"id"', ["c", "a", "zz"])} ORDER BY "id"`,
      decoder({ id: text, priceMinor: bigint, createdAt: date, n: int }),
    );
    expect(found).toEqual([
      { id: "a", priceMinor: 0n, createdAt: at, n: 2 },
      { id: "c", priceMinor: 20_000_000_000n, createdAt: at, n: 2 },
    ]);
    // A value that looks like SQL stays a value.
    await db.run(
      sql`UPDATE "Product" SET "title" = ${`'; DELETE FROM "Product"; --`} WHERE "shop" = ${SHOP} AND "id" = ${"a"}`,
    );
    expect(await count()).toBe(3);
  });

  it("gives rows as arrays in the select list's order (tuples), with the values `all` gives, in and out of a transaction", async () => {
    await insert(db, "a");
    await insert(db, "b");
    const query = sql`SELECT "id", "priceMinor", "createdAt", "handle" FROM "Product" WHERE "shop" = ${SHOP} ORDER BY "id"`;
    const tuples = await db.tuples(query);
    const objects = await db.all(query);
    expect(tuples).toEqual(objects.map((o) => [o.id, o.priceMinor, o.createdAt, o.handle]));
    expect(tuples.map((t) => [t[0], date(t[2])])).toEqual([
      ["a", new Date("2025-01-02T03:04:05.678Z")],
      ["b", new Date("2025-01-02T03:04:05.678Z")],
    ]);
    // The same statement text read both ways, one after the other (SQLite keeps one prepared statement).
    expect(await db.all(query)).toEqual(objects);
    expect(await db.transaction((tx) => tx.tuples(query))).toEqual(tuples);
  });

  it("commits a transaction whole, and rolls it back whole on an error", async () => {
    await db.transaction(async (tx) => {
      await insert(tx, "1");
      await insert(tx, "2");
    });
    await expect(
      db.transaction(async (tx) => {
        await insert(tx, "3");
        await insert(tx, "1"); // duplicate key
      }),
    ).rejects.toThrow();
    expect(await count()).toBe(2);
  });

  it("joins an outer transaction instead of nesting", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.transaction(async (inner) => insert(inner, "1"));
        throw new Error("outer fails after the inner work");
      }),
    ).rejects.toThrow("outer fails");
    expect(await count()).toBe(0);
  });

  it("keeps concurrent transactions apart", async () => {
    // Each transaction inserts, yields to the event loop, then fails or succeeds; none may see or
    // keep another's work.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        db.transaction(async (tx) => {
          await insert(tx, String(i));
          await new Promise((r) => setTimeout(r, 5));
          if (i % 2 === 1) throw new Error(`fail ${i}`);
        }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(5);
    expect(await count()).toBe(5);
  });

  it("reads back what Prisma writes, and Prisma what it writes, to the millisecond", async () => {
    const at = new Date("2024-02-29T23:59:59.999Z");
    await db.prisma.product.create({
      data: { shop: SHOP, id: "p", handle: "p", title: "P", createdAt: at, updatedAt: at },
    });
    const [row] = await db.all(
      sql`SELECT "createdAt" FROM "Product" WHERE "shop" = ${SHOP} AND "id" = 'p'`,
      decoder({ createdAt: date }),
    );
    expect(row?.createdAt?.toISOString()).toBe(at.toISOString());
    await insert(db, "q");
    const product = await db.prisma.product.findFirstOrThrow({ where: { shop: SHOP, id: "q" } });
    expect(product.createdAt.toISOString()).toBe("2025-01-02T03:04:05.678Z");
  });

  it("matches nothing for an empty IN list", async () => {
    await insert(db, "1");
    expect(await db.all(sql`SELECT "id" FROM "Product" WHERE ${sqlIn(`"id"`, [])}`)).toEqual([]);
    expect(await db.all(sql`SELECT "id" FROM "Product" WHERE ${sqlIn(`"id"`, ["1", "9"])}`)).toEqual([{ id: "1" }]);
  });

  it("binds each placeholder to its own value, and leaves placeholder-like text in literals and names alone", async () => {
    // SQLite's statements run with positional parameters: the numbered placeholders are rewritten.
    const cast = raw(db.dialect === "postgres" ? "::text" : "");
    const [row] = await db.all(
      sql`SELECT ${"b"}${cast} AS "b", '@p1' AS "literal", ${"a"}${cast} AS "@p2", ${10}${raw(db.dialect === "postgres" ? "::int" : "")} + 1 AS "n"`,
      decoder({ b: text, literal: text, "@p2": text, n: int }),
    );
    expect(row).toEqual({ b: "b", literal: "@p1", "@p2": "a", n: 11 });
  });
});

describe("a reused statement on postgres", () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb("postgres"));
  });
  afterAll(async () => close());

  it("is prepared once on its connection under one name per shape and gives what the plain statement gives, for each value", async () => {
    const query = (ids: string[]) =>
      sql`SELECT "id", "handle" FROM "Product" WHERE "shop" = ${SHOP} AND ${sqlIn(`"id"`, ids)} ORDER BY "id"`;
    const at = new Date("2025-01-02T03:04:05.678Z");
    for (const id of ["r1", "r2", "r3"]) {
      await db.run(
        sql`INSERT INTO "Product" ("shop", "id", "handle", "title", "tags", "status", "createdAt", "updatedAt", "syncedAt")
         VALUES (${SHOP}, ${id}, ${`h-${id}`}, ${"T"}, ${""}, ${"ACTIVE"}, ${at}, ${at}, ${at})`,
      );
    }
    const rows = decoder({ id: text, handle: text });
    await db.transaction(async (tx) => {
      // More runs than PostgreSQL's five custom plans, so its kept plan answers the last ones.
      for (const ids of [
        ["r1"],
        ["r2", "r3"],
        ["r3"],
        ["r1", "r2"],
        ["nope"],
        ["r2"],
        ["r1", "r3"],
        ["r3", "r2", "r1"],
      ]) {
        expect(await tx.all(reused(query(ids)), rows)).toEqual(await tx.all(query(ids), rows));
      }
      const prepared = await tx.all(
        sql`SELECT "name", "statement" FROM pg_prepared_statements WHERE "statement" LIKE ${'%FROM "Product"%'}`,
        decoder({ name: text, statement: text }),
      );
      // One per shape: one value (`= $n`, whose generic plan is one row's) and a list (`= ANY($n)`).
      expect(prepared).toHaveLength(2);
      for (const p of prepared) expect(p.name).toMatch(/^t_[0-9a-f]{24}$/);
      expect(prepared.map((p) => p.statement).sort()).toEqual(
        [query(["x"]), query(["x", "y"])].map((q) => q.render("postgres").text).sort(),
      );
    });
    // `when` false: the statement as it is, not prepared.
    expect(reused(query(["r1"]), false).reused).toBe(false);
    expect(reused(query(["r1"])).reused).toBe(true);
  });

  it("compares one value as a list would: past an integer column's range it matches nothing", async () => {
    // "seq" is an int; the merchant's retry link can carry any number (app/routes/app.sync.tsx).
    for (const seqs of [[3_000_000_000], [3_000_000_000, 1]]) {
      expect(await db.all(sql`SELECT "seq" FROM "WebhookEvent" WHERE ${sqlIn(`"seq"`, seqs)}`)).toEqual([]);
    }
  });
});

describe("the test process", () => {
  it("runs outside UTC, so that no code can assume the server's zone is UTC", () => {
    expect(new Date("2025-01-01T00:00:00Z").getTimezoneOffset()).toBe(300);
  });
});
