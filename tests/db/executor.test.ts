// The driver-level executor that the bulk paths use, on both databases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Sql, toDate, toNumber, type Db } from "~/db/database.server";
import { bigint, date, decoder, int, join, sql, sqlIn, text } from "~/db/sql";
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
    const sql = new Sql(tx.dialect);
    const at = new Date("2025-01-02T03:04:05.678Z");
    await tx.run(
      sql,
      `INSERT INTO "Product" ("shop", "id", "handle", "title", "tags", "status", "createdAt", "updatedAt", "syncedAt")
       VALUES (${sql.p(SHOP)}, ${sql.p(id)}, ${sql.p(`h-${id}`)}, ${sql.p("T")}, ${sql.p("")}, ${sql.p("ACTIVE")}, ${sql.p(at)}, ${sql.p(at)}, ${sql.p(at)})`,
    );
  };
  const count = async () => {
    const sql = new Sql(db.dialect);
    const [row] = await db.all(sql, `SELECT COUNT(*) AS n FROM "Product" WHERE "shop" = ${sql.p(SHOP)}`);
    return toNumber(row?.n);
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
    const sql = new Sql(db.dialect);
    const [row] = await db.all(sql, `SELECT "createdAt" FROM "Product" WHERE "shop" = ${sql.p(SHOP)} AND "id" = 'p'`);
    expect(toDate(row?.createdAt)?.toISOString()).toBe(at.toISOString());
    await insert(db, "q");
    const product = await db.prisma.product.findFirstOrThrow({ where: { shop: SHOP, id: "q" } });
    expect(product.createdAt.toISOString()).toBe("2025-01-02T03:04:05.678Z");
  });

  it("matches nothing for an empty IN list", async () => {
    await insert(db, "1");
    const sql = new Sql(db.dialect);
    expect(await db.all(sql, `SELECT "id" FROM "Product" WHERE ${sql.in(`"id"`, [])}`)).toEqual([]);
    const sql2 = new Sql(db.dialect);
    expect(await db.all(sql2, `SELECT "id" FROM "Product" WHERE ${sql2.in(`"id"`, ["1", "9"])}`)).toEqual([
      { id: "1" },
    ]);
  });

  it("binds each placeholder to its own value, wherever it sits in the text and however often", async () => {
    // SQLite's statements run with positional parameters: the numbered placeholders are rewritten.
    const sql = new Sql(db.dialect);
    const a = sql.p("a");
    const b = sql.p("b");
    const ten = sql.p(10);
    const cast = db.dialect === "postgres" ? "::text" : "";
    const [row] = await db.all(
      sql,
      `SELECT ${b}${cast} AS "b", ${a}${cast} AS "a", ${b}${cast} AS "again", '@p1' AS "literal", ${ten}${db.dialect === "postgres" ? "::int" : ""} + 1 AS "n"`,
    );
    expect({ ...row, n: Number(row?.n) }).toEqual({ b: "b", a: "a", again: "b", literal: "@p1", n: 11 });
  });
});

describe("the test process", () => {
  it("runs outside UTC, so that no code can assume the server's zone is UTC", () => {
    expect(new Date("2025-01-01T00:00:00Z").getTimezoneOffset()).toBe(300);
  });
});
