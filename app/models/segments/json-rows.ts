// A correlated subquery's rows as one JSON column (an array of arrays), on SQLite and PostgreSQL: the
// per-event read of a customer's orders and events rides on the customer's own statement.
import { raw, type SqlQuery } from "~/db/sql";
import type { SqlDialect } from "./compile-sql";

/**
 * `(SELECT <array of values per row> FROM …)`: `values` and `from` are SQL the code wrote, never input.
 * No rows: `[]` on SQLite, NULL on PostgreSQL (parseJsonRows reads both as none).
 */
export function jsonRows(dialect: SqlDialect, values: readonly string[], from: string): SqlQuery {
  const list = values.join(", ");
  return raw(
    dialect === "postgres"
      ? `(SELECT json_agg(json_build_array(${list})) ${from})`
      : `(SELECT json_group_array(json_array(${list})) ${from})`,
  );
}

/** The column as it arrives: text on SQLite, already parsed on PostgreSQL (node-postgres reads json). */
export function parseJsonRows<T>(value: unknown): T[] {
  if (value === null || value === undefined) return [];
  return (typeof value === "string" ? JSON.parse(value) : value) as T[];
}
