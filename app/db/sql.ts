// The one way to write SQL: a tagged template that keeps text and values apart, rendered for a
// dialect when it runs, and typed decoders for the rows that come back.
//
//   const rows = await db.all(
//     sql`SELECT "id", "updatedAt" FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, ids)}`,
//     decoder({ id: text, updatedAt: date }),
//   );
//
// Every interpolated value becomes a parameter; only `SqlQuery` fragments (sql`…`, sqlIn, raw, join)
// become text. `raw` is for text the code itself wrote (a column list, a dialect's expression), never
// for input.
import type { Dialect } from "./config";

type Part = SqlQuery | Raw | InList | { value: unknown };

class Raw {
  constructor(readonly text: string) {}
}

class InList {
  constructor(
    readonly column: string,
    readonly values: readonly (string | number | bigint)[],
  ) {}
}

export class SqlQuery {
  constructor(
    readonly strings: readonly string[],
    readonly parts: readonly Part[],
  ) {}

  /** The statement's text with the dialect's numbered placeholders, and its parameters in order. */
  render(dialect: Dialect): { text: string; params: unknown[] } {
    const params: unknown[] = [];
    const text = this.write(dialect, params);
    return { text, params };
  }

  private write(dialect: Dialect, params: unknown[]): string {
    const placeholder = (value: unknown) => {
      params.push(value);
      return dialect === "sqlite" ? `@p${params.length}` : `$${params.length}`;
    };
    let out = this.strings[0]!;
    this.parts.forEach((part, i) => {
      if (part instanceof SqlQuery) out += part.write(dialect, params);
      else if (part instanceof Raw) out += part.text;
      else if (part instanceof InList) out += inList(dialect, part, placeholder);
      else out += placeholder(part.value);
      out += this.strings[i + 1]!;
    });
    return out;
  }
}

/**
 * `column IN (…)` on SQLite; `column = ANY($n)` with one array parameter on PostgreSQL. An empty list
 * matches nothing (rather than being the syntax error `IN ()` is).
 */
export function inList(
  dialect: Dialect,
  { column, values }: { column: string; values: readonly (string | number | bigint)[] },
  placeholder: (value: unknown) => string,
): string {
  if (values.length === 0) return "1 = 0";
  if (dialect === "postgres") {
    const type = typeof values[0] === "string" ? "text" : "bigint";
    return `${column} = ANY(${placeholder(values)}::${type}[])`;
  }
  // Padded to a power of two with repeats of the last value (the same set): the statement text, and
  // so its prepared form, repeats across calls instead of one per list length. Preparing a long
  // statement costs more than running it.
  const padded = [...values];
  while (padded.length & (padded.length - 1)) padded.push(values[values.length - 1]!);
  return `${column} IN (${padded.map(placeholder).join(", ")})`;
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery {
  return new SqlQuery(
    strings,
    values.map((value) =>
      value instanceof SqlQuery || value instanceof Raw || value instanceof InList ? value : { value },
    ),
  );
}

/** `column` is text the code wrote (a quoted column name), never input. */
export function sqlIn(column: string, values: readonly (string | number | bigint)[]): SqlQuery {
  return new SqlQuery(["", ""], [new InList(column, values)]);
}

/** Text the code itself wrote: a column list, an expression for one dialect. Never input. */
export function raw(text: string): SqlQuery {
  return new SqlQuery(["", ""], [new Raw(text)]);
}

export function join(queries: readonly SqlQuery[], separator = ", "): SqlQuery {
  if (queries.length === 0) return raw("");
  return new SqlQuery(["", ...queries.slice(1).map(() => separator), ""], queries);
}

// ---------------------------------------------------------------------------------------------------
// Reading rows back. Drivers give integers as bigint (SQLite with safeIntegers) or as bigint/string
// (PostgreSQL's int8 and numeric), times as integer ms (SQLite) or Date (PostgreSQL): a decoder turns
// a row into the type the caller names, on either database.

export type Decode<T> = (value: unknown) => T;

export const bigint: Decode<bigint> = (value) => {
  if (value === null || value === undefined) return 0n;
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  return BigInt(String(value).split(".")[0]!);
};

export const int: Decode<number> = (value) => (typeof value === "number" ? value : Number(bigint(value)));

export const text: Decode<string> = (value) => (value === null || value === undefined ? "" : String(value));

export const bool: Decode<boolean> = (value) => value === true || value === 1 || value === 1n || value === "t";

export const date: Decode<Date | null> = (value) => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(Number(value));
};

/** The same decoder, keeping null as null. */
export const nullable =
  <T>(decode: Decode<T>): Decode<T | null> =>
  (value) =>
    value === null || value === undefined ? null : decode(value);

export type RowDecoder<T> = (row: Record<string, unknown>) => T;

/** A row decoder from one decoder per column: `decoder({ id: text, orders: int })`. */
export function decoder<S extends Record<string, Decode<unknown>>>(
  columns: S,
): RowDecoder<{ [K in keyof S]: ReturnType<S[K]> }> {
  const entries = Object.entries(columns);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [name, decode] of entries) out[name] = decode(row[name]);
    return out as { [K in keyof S]: ReturnType<S[K]> };
  };
}
