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

/**
 * A statement or a piece of one: the template's text around its values. A value that is itself a
 * `SqlQuery` is written in place (text and parameters); any other value becomes a parameter.
 */
export class SqlQuery {
  /** Kept prepared by PostgreSQL (see `reused`); SQLite keeps every statement prepared anyway. */
  reused = false;

  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** The statement's text with the dialect's numbered placeholders, and its parameters in order. */
  render(dialect: Dialect): { text: string; params: unknown[] } {
    const params: unknown[] = [];
    const text = this.write(dialect, params);
    return { text, params };
  }

  // On the hot paths (a multi-row upsert renders a fragment per value): a plain loop, no closure, no
  // wrapper per value.
  protected write(dialect: Dialect, params: unknown[]): string {
    const { strings, values } = this;
    let out = strings[0]!;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      out += value instanceof SqlQuery ? value.write(dialect, params) : placeholder(dialect, params, value);
      out += strings[i + 1]!;
    }
    return out;
  }
}

/** Adds a parameter; its placeholder, numbered on both databases (`@p1` on SQLite, `$1` on PostgreSQL). */
function placeholder(dialect: Dialect, params: unknown[], value: unknown): string {
  params.push(value);
  return dialect === "sqlite" ? `@p${params.length}` : `$${params.length}`;
}

class InList extends SqlQuery {
  constructor(
    readonly column: string,
    readonly list: readonly (string | number | bigint)[],
  ) {
    super([""], []);
  }

  protected override write(dialect: Dialect, params: unknown[]): string {
    return inList(dialect, this.column, this.list, (value) => placeholder(dialect, params, value));
  }
}

/**
 * `column IN (…)` on SQLite; `column = ANY($n)` with one array parameter on PostgreSQL, or `column = $n`
 * for one value. An empty list matches nothing (rather than being the syntax error `IN ()` is).
 */
function inList(
  dialect: Dialect,
  column: string,
  values: readonly (string | number | bigint)[],
  placeholder: (value: unknown) => string,
): string {
  if (values.length === 0) return "1 = 0";
  if (dialect === "postgres") {
    const type = typeof values[0] === "string" ? "text" : "bigint";
    // One value (the per-event path's one customer): a kept statement's generic plan then estimates
    // one row, as a custom plan does, so PostgreSQL keeps it instead of planning every call again
    // (an array parameter counts as ten rows, which made the generic plan look ten times dearer).
    // Typed as the list is: an integer column compared with a number past its range matches nothing
    // rather than failing.
    if (values.length === 1) return `${column} = ${placeholder(values[0])}::${type}`;
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
  return new SqlQuery(strings, values);
}

/**
 * A statement of a hot path, run again and again with the same text (a customer's memberships after
 * each event): on PostgreSQL it is prepared once per connection under a name made from its text, and
 * after a few runs its plan is kept too, which saves the parse and plan a statement otherwise pays each
 * time (about half the cost of such a lookup; docs/decisions/040-prepared-hot-statements.md). Only for
 * statements of a fixed shape over indexed lookups: a kept plan is not re-planned for the values, so a
 * merchant's rule or a whole-shop read stays unprepared (`when` false: the query as it is).
 */
export function reused(query: SqlQuery, when = true): SqlQuery {
  if (!when) return query;
  // Wrapped, not copied: a fragment class (an IN list) writes itself its own way.
  const wrapped = new SqlQuery(["", ""], [query]);
  wrapped.reused = true;
  return wrapped;
}

/** `column` is text the code wrote (a quoted column name), never input. */
export function sqlIn(column: string, values: readonly (string | number | bigint)[]): SqlQuery {
  return new InList(column, values);
}

/** Text the code itself wrote: a column list, an expression for one dialect. Never input. */
export function raw(text: string): SqlQuery {
  return new SqlQuery([text], []);
}

/**
 * The items one after the other, `separator` (text the code wrote) between them. As in sql`…`, an item
 * that is a fragment is written in place and any other is a parameter: `join(rows.map((r) => sql`(…)`))`
 * for a multi-row VALUES, `join([shop, id, at])` for one row's values.
 */
export function join(items: readonly unknown[], separator = ", "): SqlQuery {
  if (items.length === 0) return raw("");
  const strings = new Array<string>(items.length + 1).fill(separator);
  strings[0] = "";
  strings[items.length] = "";
  return new SqlQuery(strings, items);
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

/** A double: SQLite's REAL arrives as a number, PostgreSQL's double precision as a number too. */
export const real: Decode<number> = (value) =>
  typeof value === "number" ? value : value === null || value === undefined ? 0 : Number(value);

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
