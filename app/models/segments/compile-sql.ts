// A prepared segment rule (app/domain/segments/engine.ts) as one boolean SQL expression over `c`
// (Customer) LEFT JOIN `f` (CustomerFacts), for SQLite and PostgreSQL: the database's engine, which
// must select exactly the customers `evaluate` (app/domain/segments/evaluate.ts) would (decision 004;
// tests/segments/engines.test.ts). It knows the tables, their aliases and what each database's planner
// needs. The result is an `SqlQuery` fragment (app/db/sql.ts): every value of the rule is a parameter;
// the text the compiler writes itself (columns, the dialect's functions, the operators of the validated
// rule) is built as strings, which hold no value, and goes in through `raw`.
import { join, raw, sql, type SqlQuery } from "~/db/sql";
import { CITY_SEPARATORS, intTest } from "~/domain/segments/evaluate";
import type { Instants, IntTest, LineTest, OrdersPlaced, Prepared, Purchased } from "~/domain/segments/engine";
import { behaviourSql } from "./compile-behaviour";

/** The customers a compiled rule is tested against, with their facts: the aliases it speaks of. */
/**
 * The customers a rule is tested on: their facts and their predictions, both by primary key. A rule that
 * reads no prediction pays nothing for the second join (PostgreSQL and SQLite both drop a LEFT JOIN on
 * a unique key whose columns are not used); one that does gets a join the planner can hash, where a
 * lookup per customer cost PostgreSQL 0.8 s over 100k customers.
 */
export const CUSTOMERS_FROM = raw(
  `FROM "Customer" c LEFT JOIN "CustomerFacts" f ON f."shop" = c."shop" AND f."customerId" = c."id"
   LEFT JOIN "CustomerPrediction" p ON p."shop" = c."shop" AND p."customerId" = c."id"`,
);

export type SqlDialect = "sqlite" | "postgres";

const NOTHING = raw("");

function lower(dialect: SqlDialect, expr: string): string {
  // SQLite's LOWER folds ASCII only (without ICU); PostgreSQL's folds by locale, except under the "C"
  // collation, where it folds A-Z alone, like SQLite (and several times faster than translate()).
  return dialect === "sqlite" ? `LOWER(${expr})` : `LOWER((${expr}) COLLATE "C")`;
}

/** An instant as the parameter each database compares its DateTime columns with. */
function instant(dialect: SqlDialect, ms: number): number | Date {
  // SQLite keeps DateTime as integer milliseconds (app/db/client.server.ts); PostgreSQL as timestamp.
  return dialect === "sqlite" ? ms : new Date(ms);
}

/** A column of the customer's predictions (CustomerPrediction, app/models/predictions; NULL without one). */
function predicted(column: string): string {
  return `p."${column}"`;
}

const INT_SQL = {
  ordersCount: `COALESCE(f."ordersCount", 0)`,
  amountSpentMinor: `COALESCE(f."amountSpentMinor", 0)`,
  aovMinor: `f."aovMinor"`,
  predictedClvMinor: predicted("predictedClvMinor"),
};
const PREDICTED_COLUMNS: Record<string, true> = {
  pAlive: true,
  expectedOrders90d: true,
  predictedClvMinor: true,
  predictedSpendTier: true,
  churnRisk: true,
  clusterName: true,
};
const REAL_SQL = { pAlive: predicted("pAlive"), expectedOrders90d: predicted("expectedOrders90d") };
const DATE_SQL = { createdAt: `c."createdAt"`, firstOrderAt: `f."firstOrderAt"`, lastOrderAt: `f."lastOrderAt"` };

function emailDomainSql(dialect: SqlDialect): string {
  return dialect === "sqlite"
    ? `(CASE WHEN instr(c."email", '@') > 0 THEN ${lower(dialect, `substr(c."email", instr(c."email", '@') + 1)`)} END)`
    : `(CASE WHEN strpos(c."email", '@') > 0 THEN ${lower(dialect, `substr(c."email", strpos(c."email", '@') + 1)`)} END)`;
}

function listSql(dialect: SqlDialect, field: "tags" | "countries" | "regions"): string {
  // Every list as ',a,b,' so that one containment test serves; an empty list is ',,'.
  const item =
    field === "tags"
      ? `c."tags"`
      : field === "countries"
        ? `COALESCE(c."countryCode", '')`
        : `(CASE WHEN c."countryCode" IS NOT NULL AND c."provinceCode" IS NOT NULL THEN c."countryCode" || '-' || c."provinceCode" ELSE '' END)`;
  return `(',' || ${lower(dialect, item)} || ',')`;
}

function contains(dialect: SqlDialect, haystack: string, needle: SqlQuery): SqlQuery {
  return sql`(${raw(dialect === "sqlite" ? "instr" : "strpos")}(${raw(haystack)}, ${needle}) > 0)`;
}

/** `customerCity` in SQL: NULL where the customer has no city code. The separators are constants. */
function citySql(dialect: SqlDialect): string {
  let city = `c."city"`;
  for (const ch of CITY_SEPARATORS) city = `REPLACE(${city}, '${ch === "'" ? "''" : ch}', '')`;
  const present = (expr: string) => `${expr} IS NOT NULL AND ${expr} <> ''`;
  const province = `(CASE WHEN ${present(`c."provinceCode"`)} THEN c."provinceCode" || '-' ELSE '' END)`;
  return `(CASE WHEN ${present(`c."countryCode"`)} AND ${present(city)} THEN ${lower(dialect, `c."countryCode" || '-' || ${province} || ${city}`)} END)`;
}

// Purchases are read from the orders as one set per rule: `c."id" IN (SELECT customerId FROM the
// shop's counted orders WHERE … GROUP BY … HAVING …)`. The subquery names the shop as a parameter, not
// as `c."shop"`, so it does not depend on the customer row: SQLite materialises it once per statement
// and PostgreSQL hashes it once, one pass over the shop's orders whatever the number of customers.
// A correlated form (per customer through Order(shop, customerId)) cost PostgreSQL a subplan per
// customer, about 0.1 ms each, and without planner statistics SQLite put OrderLine first and scanned
// every line of the shop for each customer (50 s instead of 18 ms over 2,000 customers).
// On PostgreSQL the lines are read alone: each carries its order's customer, time, test flag and
// cancellation (decision 039), so a purchase set is one pass over the shop's lines instead of a hash
// join with millions of orders (7.8 s against 2.1 s for one rule at 4M orders). On SQLite a full
// recompute goes 50,000 customers at a time, and the lines of those customers are reached from their
// orders (Order(shop, customerId)) through a CROSS JOIN, which keeps "Order" the outer table whatever
// the statistics say.

/** The FROM clause of a purchase set, and the alias that holds the order's fields. */
function purchaseSource(dialect: SqlDialect): { from: string; order: string } {
  return dialect === "sqlite"
    ? {
        from: `"Order" po CROSS JOIN "OrderLine" pl ON pl."shop" = po."shop" AND pl."orderId" = po."id"`,
        order: "po",
      }
    : { from: `"OrderLine" pl`, order: "pl" };
}

/**
 * Which customers a statement tests, when not all of the shop's: a range of ids in key order, as a
 * full recompute goes chunk by chunk. The purchase sets then read only those customers' orders (on
 * Order(shop, customerId)) instead of the shop's every order for every chunk.
 */
export type CustomerRange = { after: string | null; upTo: string | null };

/**
 * The orders CustomerFacts counts (app/models/store.server.ts recomputeFacts), of the shop; `o` is the
 * alias holding the order's fields ("po", or "pl": a line's copy of them).
 */
function countedOrders(shop: string, range: CustomerRange | undefined, o = "po"): SqlQuery {
  const after = range?.after == null ? NOTHING : sql` AND ${raw(o)}."customerId" > ${range.after}`;
  const upTo = range?.upTo == null ? NOTHING : sql` AND ${raw(o)}."customerId" <= ${range.upTo}`;
  return sql`${raw(o)}."shop" = ${shop} AND ${raw(o)}."customerId" IS NOT NULL${after}${upTo} AND ${raw(o)}."test" = false AND ${raw(o)}."cancelledAt" IS NULL`;
}

function intervalSql(dialect: SqlDialect, col: string, range: Instants): SqlQuery {
  const parts = [
    ...(range.from === null ? [] : [sql`${raw(col)} >= ${instant(dialect, range.from)}`]),
    ...(range.to === null ? [] : [sql`${raw(col)} < ${instant(dialect, range.to)}`]),
  ];
  const inside = parts.length === 0 ? raw("1 = 1") : join(parts, " AND ");
  return range.negate ? sql`NOT (${inside})` : sql`(${inside})`;
}

function datesSql(dialect: SqlDialect, dates: Instants[], o = "po"): SqlQuery {
  return join(
    dates.map((range) => sql` AND ${intervalSql(dialect, `${o}."processedAt"`, range)}`),
    "",
  );
}

/** `expr` (the compiler's own text) tested against the rule's numbers. */
function intTestSql(expr: string, t: IntTest): SqlQuery {
  return t.op === "BETWEEN"
    ? sql`${raw(expr)} BETWEEN ${t.low} AND ${t.high}`
    : sql`${raw(expr)} ${raw(t.op === "!=" ? "<>" : t.op)} ${t.value}`;
}

/**
 * `a OP b OP c …` as a balanced tree of parenthesised groups of at most 8. SQLite parses a flat chain
 * as a left-deep tree, one level per term, and refuses an expression deeper than 1,000 levels
 * (SQLITE_MAX_EXPR_DEPTH): a 4,000-term OR failed the whole statement. Balanced, depth grows with
 * the logarithm of the number of terms.
 */
export function joinBalanced(parts: readonly SqlQuery[], op: "AND" | "OR"): SqlQuery {
  const FANOUT = 8;
  if (parts.length <= FANOUT) return sql`(${join(parts, ` ${op} `)})`;
  const size = Math.ceil(parts.length / FANOUT);
  const groups: SqlQuery[] = [];
  for (let i = 0; i < parts.length; i += size) groups.push(joinBalanced(parts.slice(i, i + size), op));
  return joinBalanced(groups, op);
}

function lineTestSql(dialect: SqlDialect, t: LineTest, shop: string): SqlQuery {
  if (t.field === "tags") {
    // Tags are tested once per product, not once per line: the shop has far fewer products than lines.
    const tags = `(',' || ${lower(dialect, `pp."tags"`)} || ',')`;
    const any = joinBalanced(
      t.values.map((v) => contains(dialect, tags, sql`',' || ${v} || ','`)),
      "OR",
    );
    const tagged = sql`((pl."productId" IN (SELECT pp."id" FROM "Product" pp WHERE pp."shop" = ${shop} AND (${any}))) IS TRUE)`;
    // A line without a product, or with one we do not know, has no tags.
    return t.negate ? sql`(NOT ${tagged})` : tagged;
  }
  const column = `pl."${t.field}"`;
  const col = t.field === "productId" ? column : lower(dialect, column);
  const member = sql`${raw(col)} IN (${join(t.values)})`;
  return t.negate ? sql`((${raw(column)} IS NOT NULL AND NOT (${member})) IS TRUE)` : sql`((${member}) IS TRUE)`;
}

function purchasedSql(dialect: SqlDialect, node: Purchased, range: CustomerRange | undefined): SqlQuery {
  const lines = join(
    node.lines.map((t) => sql` AND ${lineTestSql(dialect, t, node.shop)}`),
    "",
  );
  const source = purchaseSource(dialect);
  const o = source.order;
  const where = sql`${countedOrders(node.shop, range, o)}${datesSql(dialect, node.dates, o)}${lines}`;
  const from = sql`FROM ${raw(source.from)} WHERE ${where}`;
  const units = `SUM(pl."quantity")`;
  const customer = raw(`${o}."customerId"`);
  // Matching lines grouped by order: every group has at least one, so an order without any never passes.
  const perOrder = (quantity: IntTest) =>
    sql`${from} GROUP BY ${customer}, pl."orderId" HAVING ${intTestSql(units, quantity)}`;
  let set: SqlQuery;
  if (node.sumQuantity === null)
    set = node.quantity === null ? sql`SELECT ${customer} ${from}` : sql`SELECT ${customer} ${perOrder(node.quantity)}`;
  else if (node.quantity === null)
    set = sql`SELECT ${customer} ${from} GROUP BY ${customer} HAVING ${intTestSql(units, node.sumQuantity)}`;
  else {
    set = sql`SELECT q."customerId" FROM (SELECT ${customer}, ${raw(units)} AS "units" ${perOrder(node.quantity)}) q
      GROUP BY q."customerId" HAVING ${intTestSql(`SUM(q."units")`, node.sumQuantity)}`;
  }
  return sql`((c."id" IN (${set})) IS TRUE)`;
}

function ordersPlacedSql(dialect: SqlDialect, node: OrdersPlaced, range: CustomerRange | undefined): SqlQuery {
  // "At least 0 orders" holds for everyone.
  if (node.sumAmount === null && node.countAtLeast <= 0n) return raw("(1 = 1)");
  const from = sql`FROM "Order" po WHERE ${countedOrders(node.shop, range)}${datesSql(dialect, node.dates)}`;
  if (node.sumAmount === null) {
    const set =
      node.countAtLeast === 1n
        ? sql`SELECT po."customerId" ${from}`
        : sql`SELECT po."customerId" ${from} GROUP BY po."customerId" HAVING COUNT(*) >= ${node.countAtLeast}`;
    return sql`((c."id" IN (${set})) IS TRUE)`;
  }
  const atLeast = node.countAtLeast > 1n ? node.countAtLeast : 1n;
  const sum = `SUM(po."totalMinor" - po."refundedMinor")`;
  const some = sql`((c."id" IN (SELECT po."customerId" ${from} GROUP BY po."customerId" HAVING COUNT(*) >= ${atLeast} AND ${intTestSql(sum, node.sumAmount)})) IS TRUE)`;
  // Grouping only sees customers with orders in the window. With count_at_least 0 those without any
  // also match when an empty sum (0) passes the amount test.
  if (node.countAtLeast > 0n || !intTest(0n, node.sumAmount)) return some;
  return sql`(${some} OR NOT ((c."id" IN (SELECT po."customerId" ${from})) IS TRUE))`;
}

/** The rule as one boolean expression over `c`, `f` and `p` (CUSTOMERS_FROM), for `dialect`. */
export function compileSql(prepared: Prepared, dialect: SqlDialect, range?: CustomerRange): SqlQuery {
  const truth = (expr: SqlQuery) => sql`((${expr}) IS TRUE)`;
  const go = (node: Prepared): SqlQuery => {
    switch (node.kind) {
      case "and":
        return node.children.length === 0 ? raw("(1 = 1)") : joinBalanced(node.children.map(go), "AND");
      case "or":
        return node.children.length === 0 ? raw("(1 = 0)") : joinBalanced(node.children.map(go), "OR");
      case "not":
        return sql`(NOT ${go(node.child)})`;
      case "int":
        return truth(sql`${raw(INT_SQL[node.field])} ${raw(node.op === "!=" ? "<>" : node.op)} ${node.value}`);
      case "intRange":
        return truth(sql`${raw(INT_SQL[node.field])} BETWEEN ${node.low} AND ${node.high}`);
      case "real":
        return truth(sql`${raw(REAL_SQL[node.field])} ${raw(node.op === "!=" ? "<>" : node.op)} ${node.value}`);
      case "realRange":
        return truth(sql`${raw(REAL_SQL[node.field])} BETWEEN ${node.low} AND ${node.high}`);
      case "instant": {
        const col = raw(DATE_SQL[node.field]);
        const parts = [
          ...(node.range.from === null ? [] : [sql`${col} >= ${instant(dialect, node.range.from)}`]),
          ...(node.range.to === null ? [] : [sql`${col} < ${instant(dialect, node.range.to)}`]),
        ];
        const inside = truth(sql`${col} IS NOT NULL AND ${parts.length === 0 ? raw("1 = 1") : join(parts, " AND ")}`);
        return node.range.negate ? sql`(${col} IS NOT NULL AND NOT ${inside})` : inside;
      }
      case "isNull": {
        const missing =
          node.field === "email_domain"
            ? `${emailDomainSql(dialect)} IS NULL`
            : node.field === "cities"
              ? `${citySql(dialect)} IS NULL`
              : node.field === "tags" || node.field === "countries" || node.field === "regions"
                ? `${listSql(dialect, node.field)} = ',,'`
                : node.field === "ordersCount" || node.field === "amountSpentMinor"
                  ? "1 = 0" // counted as 0 without facts
                  : node.field === "emailMarketingState" || node.field === "smsMarketingState"
                    ? `c."${node.field}" IS NULL`
                    : node.field === "createdAt"
                      ? `c."createdAt" IS NULL`
                      : node.field === "rfmGroup"
                        ? `f."rfmGroup" IS NULL`
                        : node.field in PREDICTED_COLUMNS
                          ? `${predicted(node.field)} IS NULL`
                          : `f."${node.field}" IS NULL`;
        return node.negate ? sql`(NOT ${truth(raw(missing))})` : truth(raw(missing));
      }
      case "text": {
        const col =
          node.field === "email_domain"
            ? emailDomainSql(dialect)
            : node.field === "rfmGroup"
              ? `f."rfmGroup"`
              : node.field === "clusterName"
                ? lower(dialect, predicted("clusterName"))
                : node.field === "predictedSpendTier" || node.field === "churnRisk"
                  ? predicted(node.field)
                  : `c."${node.field}"`;
        return truth(sql`${raw(col)} ${raw(node.negate ? "<>" : "=")} ${node.value}`);
      }
      case "listContains": {
        let test: SqlQuery;
        if (node.field === "tags")
          test = contains(dialect, listSql(dialect, node.field), sql`',' || ${node.value} || ','`);
        else if (node.field === "countries") test = sql`c."countryCode" = ${node.value}`;
        else if (node.field === "cities") test = sql`${raw(citySql(dialect))} = ${node.value}`;
        else {
          // "US-CA": the country is everything before the first '-', the province the rest.
          const dash = node.value.indexOf("-");
          test =
            dash < 0
              ? raw("1 = 0")
              : sql`c."countryCode" = ${node.value.slice(0, dash)} AND c."provinceCode" = ${node.value.slice(dash + 1)}`;
        }
        const has = truth(test);
        return node.negate ? sql`(NOT ${has})` : has;
      }
      case "purchased":
        return sql`(${purchasedSql(dialect, node, range)})`;
      case "ordersPlaced":
        return sql`(${ordersPlacedSql(dialect, node, range)})`;
      case "viewed":
      case "searched":
      case "abandoned":
      case "sessions":
      case "lastSeen":
        return sql`(${behaviourSql(dialect, node, range)})`;
    }
  };
  return go(prepared);
}
