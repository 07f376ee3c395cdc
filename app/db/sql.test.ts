import { describe, expect, it } from "vitest";
import { bigint, bool, date, decoder, int, join, nullable, raw, sql, sqlIn, text } from "./sql";

describe("sql`…`", () => {
  it.each([
    ["sqlite", 'SELECT * FROM "Customer" WHERE "shop" = @p1 AND "id" = @p2'],
    ["postgres", 'SELECT * FROM "Customer" WHERE "shop" = $1 AND "id" = $2'],
  ] as const)("numbers its placeholders for %s and keeps values apart from the text", (dialect, expected) => {
    const hostile = `x'); DROP TABLE "Customer"; --`;
    expect(
      sql`SELECT * FROM "Customer" WHERE "shop" = ${"a.myshopify.com"} AND "id" = ${hostile}`.render(dialect),
    ).toEqual({
      text: expected,
      params: ["a.myshopify.com", hostile],
    });
  });

  it("nests fragments, numbering across them in order", () => {
    const where = sql`"shop" = ${"s"} AND "n" > ${3}`;
    const query = sql`SELECT ${raw('"id"')} FROM "T" WHERE ${where} AND "m" < ${9} ORDER BY ${raw('"id"')}`;
    expect(query.render("postgres")).toEqual({
      text: 'SELECT "id" FROM "T" WHERE "shop" = $1 AND "n" > $2 AND "m" < $3 ORDER BY "id"',
      params: ["s", 3, 9],
    });
  });

  it("writes IN lists per dialect, padded to a power of two on SQLite, one value as a comparison on PostgreSQL, and an empty one matches nothing", () => {
    expect(sql`WHERE ${sqlIn('"id"', ["a", "b", "c"])}`.render("sqlite")).toEqual({
      text: 'WHERE "id" IN (@p1, @p2, @p3, @p4)',
      params: ["a", "b", "c", "c"],
    });
    expect(sql`WHERE ${sqlIn('"id"', [1n, 2n])}`.render("postgres")).toEqual({
      text: 'WHERE "id" = ANY($1::bigint[])',
      params: [[1n, 2n]],
    });
    expect(sql`WHERE ${sqlIn('"id"', [])}`.render("sqlite")).toEqual({ text: "WHERE 1 = 0", params: [] });
    // One value on PostgreSQL: a plain comparison (a kept statement's generic plan is then one row's).
    expect(sql`WHERE ${sqlIn('"id"', ["a"])}`.render("postgres")).toEqual({
      text: 'WHERE "id" = $1::text',
      params: ["a"],
    });
  });

  it("joins fragments with a separator", () => {
    const rows = [1, 2, 3].map((n) => sql`(${n}, ${String(n)})`);
    expect(sql`VALUES ${join(rows)}`.render("sqlite")).toEqual({
      text: "VALUES (@p1, @p2), (@p3, @p4), (@p5, @p6)",
      params: [1, "1", 2, "2", 3, "3"],
    });
    expect(join([]).render("sqlite")).toEqual({ text: "", params: [] });
  });

  it("joins plain values as parameters, never as text", () => {
    expect(sql`VALUES (${join(["a", 1, raw("DEFAULT"), `'); --`])})`.render("postgres")).toEqual({
      text: "VALUES ($1, $2, DEFAULT, $3)",
      params: ["a", 1, `'); --`],
    });
  });

  it("renders the same text for the same shape, whatever the values (the prepared-statement cache's key)", () => {
    const row = (id: string, at: Date) => sql`(${"s"}, ${id}, ${at})`;
    const statement = (ids: string[]) =>
      sql`INSERT INTO "T" VALUES ${join(ids.map((id) => row(id, new Date(0))))}`.render("sqlite").text;
    expect(statement(["a", "b"])).toBe(statement(["c", "d"]));
    expect(statement(["a"])).not.toBe(statement(["a", "b"]));
  });

  it("numbers a fragment's parameters afresh wherever it is used again", () => {
    const shop = sql`"shop" = ${"s"}`;
    expect(sql`${shop} OR ${shop}`.render("postgres")).toEqual({
      text: '"shop" = $1 OR "shop" = $2',
      params: ["s", "s"],
    });
  });
});

describe("row decoders", () => {
  it.each([
    ["bigint from SQLite", bigint, 12345678901234567n, 12345678901234567n],
    ["bigint from PostgreSQL's numeric text", bigint, "42.000", 42n],
    ["bigint of null", bigint, null, 0n],
    ["int from bigint", int, 7n, 7],
    ["int from text", int, "7", 7],
    ["text of null", text, null, ""],
    ["bool from SQLite", bool, 1n, true],
    ["bool from PostgreSQL", bool, false, false],
    ["date from SQLite ms", date, 1767225600000n, new Date("2026-01-01T00:00:00Z")],
    ["date of null", date, null, null],
    ["nullable int of null", nullable(int), null, null],
  ] as const)("%s", (_name, decode, input, expected) => {
    expect((decode as (v: unknown) => unknown)(input)).toEqual(expected);
  });

  it("decodes a row into the named types", () => {
    const row = decoder({ id: text, orders: int, spent: bigint, last: date });
    expect(row({ id: "1", orders: 3n, spent: "1999", last: 0n, extra: "ignored" })).toEqual({
      id: "1",
      orders: 3,
      spent: 1999n,
      last: new Date(0),
    });
  });
});
