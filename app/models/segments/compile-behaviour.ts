// Browsing behaviour (app/domain/segments/engine/behaviour.ts) in SQL, for compile-sql.ts: each node
// is one uncorrelated set of customer ids over the shop's PixelEvent rows, as the purchase calls are
// over its orders (compile-sql.ts says why: computed once per statement, whatever the number of
// customers). Only events with a customerId count, as in memory. sessions_count and last_seen_date
// read the per-customer rollup of those events instead, PixelActivity (app/pixel/activity.server.ts,
// kept equal to the events; docs/decisions/037-pixel-activity-rollup.md): one row per customer with an
// event, where grouping every event of the shop took seconds at a few million.
import { join, raw, sql, type SqlQuery } from "~/db/sql";
import { CART_EVENTS, GRACE_MS, type Behaviour, type ViewTest } from "~/domain/segments/engine/behaviour";
import type { Instants, IntTest } from "~/domain/segments/engine";

export type Dialect = "sqlite" | "postgres";
export type Range = { after: string | null; upTo: string | null } | undefined;

const NOTHING = raw("");

function lower(dialect: Dialect, expr: string): string {
  return dialect === "sqlite" ? `LOWER(${expr})` : `LOWER((${expr}) COLLATE "C")`;
}

function instant(dialect: Dialect, ms: number): number | Date {
  return dialect === "sqlite" ? ms : new Date(ms);
}

function intervalSql(dialect: Dialect, col: string, range: Instants): SqlQuery {
  const parts = [
    ...(range.from === null ? [] : [sql`${raw(col)} >= ${instant(dialect, range.from)}`]),
    ...(range.to === null ? [] : [sql`${raw(col)} < ${instant(dialect, range.to)}`]),
  ];
  const inside = parts.length === 0 ? raw("1 = 1") : join(parts, " AND ");
  return range.negate ? sql`NOT (${inside})` : sql`(${inside})`;
}

function intTestSql(expr: string, t: IntTest): SqlQuery {
  return t.op === "BETWEEN"
    ? sql`${raw(expr)} BETWEEN ${t.low} AND ${t.high}`
    : sql`${raw(expr)} ${raw(t.op === "!=" ? "<>" : t.op)} ${t.value}`;
}

function intTest(v: bigint, t: IntTest): boolean {
  if (t.op === "BETWEEN") return v >= t.low && v <= t.high;
  const b = t.value;
  return t.op === "="
    ? v === b
    : t.op === "!="
      ? v !== b
      : t.op === ">"
        ? v > b
        : t.op === ">="
          ? v >= b
          : t.op === "<"
            ? v < b
            : v <= b;
}

/** The shop's events that are some customer's, within the recompute's range of customers. */
function known(shop: string, range: Range): SqlQuery {
  const after = range?.after == null ? NOTHING : sql` AND pe."customerId" > ${range.after}`;
  const upTo = range?.upTo == null ? NOTHING : sql` AND pe."customerId" <= ${range.upTo}`;
  return sql`pe."shop" = ${shop} AND pe."customerId" IS NOT NULL${after}${upTo}`;
}

/** The shop's PixelActivity rows (customers with an event), within the recompute's range of customers. */
function active(shop: string, range: Range): SqlQuery {
  const after = range?.after == null ? NOTHING : sql` AND pa."customerId" > ${range.after}`;
  const upTo = range?.upTo == null ? NOTHING : sql` AND pa."customerId" <= ${range.upTo}`;
  return sql`SELECT pa."customerId" FROM "PixelActivity" pa WHERE pa."shop" = ${shop}${after}${upTo}`;
}

function dated(dialect: Dialect, dates: Instants[]): SqlQuery {
  return join(
    dates.map((range) => sql` AND ${intervalSql(dialect, `pe."at"`, range)}`),
    "",
  );
}

function viewTestSql(dialect: Dialect, t: ViewTest, shop: string): SqlQuery {
  if (t.field === "tags") {
    const tags = `(',' || ${lower(dialect, `pp."tags"`)} || ',')`;
    const position = dialect === "sqlite" ? "instr" : "strpos";
    const any = join(
      t.values.map((v) => sql`(${raw(position)}(${raw(tags)}, ',' || ${v} || ',') > 0)`),
      " OR ",
    );
    const tagged = sql`((pe."productId" IN (SELECT pp."id" FROM "Product" pp WHERE pp."shop" = ${shop} AND (${any}))) IS TRUE)`;
    return t.negate ? sql`(NOT ${tagged})` : tagged;
  }
  const column = `pe."${t.field}"`;
  const col = t.field === "productId" || t.field === "collectionId" ? column : lower(dialect, column);
  const member = sql`${raw(col)} IN (${join(t.values)})`;
  // A positive test stands bare: it is one of the conditions ANDed in a WHERE, where NULL and false
  // both leave the row out, and bare it is an index condition (migration 0024's index on the folded
  // product type; wrapped in IS TRUE neither database used it).
  return t.negate ? sql`((${raw(column)} IS NOT NULL AND NOT (${member})) IS TRUE)` : sql`(${member})`;
}

/** `at + ms` on each database (SQLite keeps instants as integer milliseconds). */
function plus(dialect: Dialect, col: string, ms: number): SqlQuery {
  return dialect === "sqlite"
    ? sql`(${raw(col)} + ${ms})`
    : sql`(${raw(col)} + (${ms}::bigint * interval '1 millisecond'))`;
}

const within = (set: SqlQuery) => sql`((c."id" IN (${set})) IS TRUE)`;

export function behaviourSql(dialect: Dialect, node: Behaviour, range: Range): SqlQuery {
  switch (node.kind) {
    case "viewed": {
      if (node.countAtLeast <= 0n) return raw("(1 = 1)");
      const tests = join(
        node.tests.map((t) => sql` AND ${viewTestSql(dialect, t, node.shop)}`),
        "",
      );
      const from = sql`FROM "PixelEvent" pe WHERE ${known(node.shop, range)} AND pe."name" = ${node.event}${dated(dialect, node.dates)}${tests}`;
      // SQLite: grouping by the bare column made it walk the (shop, customerId, …) index for the
      // groups' order and read every event of the window; `+` (a no-op on text) lets it take the index
      // on the rule's filters (migration 0024) and group in a temporary b-tree instead ("viewed Tea 3
      // times in 30 days" over 10M events: 6.3 s to 0.2 s on the benchmark's database).
      const key = raw(dialect === "sqlite" ? `+pe."customerId"` : `pe."customerId"`);
      return within(
        node.countAtLeast === 1n
          ? sql`SELECT pe."customerId" ${from}`
          : sql`SELECT pe."customerId" ${from} GROUP BY ${key} HAVING COUNT(*) >= ${node.countAtLeast}`,
      );
    }
    case "searched": {
      const position = dialect === "sqlite" ? "instr" : "strpos";
      const text =
        node.contains === null
          ? NOTHING
          : sql` AND ${raw(position)}(${raw(lower(dialect, `pe."query"`))}, ${node.contains}) > 0`;
      return within(
        sql`SELECT pe."customerId" FROM "PixelEvent" pe WHERE ${known(node.shop, range)} AND pe."name" = 'search_submitted'
          AND pe."query" IS NOT NULL${dated(dialect, node.dates)}${text}`,
      );
    }
    case "abandoned": {
      const from = plus(dialect, `pe."at"`, -GRACE_MS);
      const to = plus(dialect, `pe."at"`, node.windowMs);
      const carts = join(CART_EVENTS.map((name) => sql`${name}`));
      return within(
        sql`SELECT pe."customerId" FROM "PixelEvent" pe WHERE ${known(node.shop, range)} AND pe."name" IN (${carts})${dated(dialect, node.dates)}
          AND NOT EXISTS (SELECT 1 FROM "PixelEvent" pc WHERE pc."shop" = pe."shop" AND pc."customerId" = pe."customerId"
            AND pc."name" = 'checkout_completed' AND pc."at" >= ${from} AND pc."at" < ${to})
          AND NOT EXISTS (SELECT 1 FROM "Order" po WHERE po."shop" = pe."shop" AND po."customerId" = pe."customerId"
            AND po."test" = false AND po."cancelledAt" IS NULL AND po."processedAt" >= ${from} AND po."processedAt" < ${to})`,
      );
    }
    case "sessions": {
      const count = `pa."sessions"`;
      // A customer without a row has no event, so 0 sessions, as one whose events carry no session id
      // (whose row says 0): when 0 passes, the set is those whose row fails.
      return intTest(0n, node.test)
        ? sql`(NOT ${within(sql`${active(node.shop, range)} AND NOT (${intTestSql(count, node.test)})`)})`
        : within(sql`${active(node.shop, range)} AND ${intTestSql(count, node.test)}`);
    }
    case "lastSeen": {
      if (node.range === null) return within(active(node.shop, range));
      return within(sql`${active(node.shop, range)} AND ${intervalSql(dialect, `pa."lastSeenAt"`, node.range)}`);
    }
  }
}
