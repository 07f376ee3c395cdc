// A prepared segment rule (app/domain/segments/engine.ts) as one boolean SQL expression over `c`
// (Customer) LEFT JOIN `f` (CustomerFacts), for SQLite and PostgreSQL: the database's engine, which
// must select exactly the customers `evaluate` (app/domain/segments/evaluate.ts) would (decision 004;
// tests/segments/engines.test.ts). It knows the tables, their aliases and what each database's planner
// needs; values are always parameters.
import { CITY_SEPARATORS, intTest } from "~/domain/segments/evaluate";
import type { Instants, IntTest, LineTest, OrdersPlaced, Prepared, Purchased } from "~/domain/segments/engine";

/** The customers a compiled rule is tested against, with their facts: the aliases it speaks of. */
export const CUSTOMERS_FROM = `FROM "Customer" c LEFT JOIN "CustomerFacts" f ON f."shop" = c."shop" AND f."customerId" = c."id"`;

export type SqlDialect = "sqlite" | "postgres";
export type Param = (value: unknown) => string;

function lower(dialect: SqlDialect, expr: string): string {
  // SQLite's LOWER folds ASCII only (without ICU); PostgreSQL's folds by locale, except under the "C"
  // collation, where it folds A-Z alone, like SQLite (and several times faster than translate()).
  return dialect === "sqlite" ? `LOWER(${expr})` : `LOWER((${expr}) COLLATE "C")`;
}

function instantParam(dialect: SqlDialect, p: Param, ms: number): string {
  // SQLite keeps DateTime as integer milliseconds (app/db/client.server.ts); PostgreSQL as timestamp.
  return p(dialect === "sqlite" ? ms : new Date(ms));
}

const INT_SQL = {
  ordersCount: `COALESCE(f."ordersCount", 0)`,
  amountSpentMinor: `COALESCE(f."amountSpentMinor", 0)`,
  aovMinor: `f."aovMinor"`,
};
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

function contains(dialect: SqlDialect, haystack: string, needle: string): string {
  return dialect === "sqlite" ? `(instr(${haystack}, ${needle}) > 0)` : `(strpos(${haystack}, ${needle}) > 0)`;
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
// On SQLite the lines are reached from their order through a CROSS JOIN, which keeps "Order" the
// outer table whatever the statistics say.

function linesJoin(dialect: SqlDialect): string {
  return `${dialect === "sqlite" ? "CROSS JOIN" : "JOIN"} "OrderLine" pl ON pl."shop" = po."shop" AND pl."orderId" = po."id"`;
}

/**
 * Which customers a statement tests, when not all of the shop's: a range of ids in key order, as a
 * full recompute goes chunk by chunk. The purchase sets then read only those customers' orders (on
 * Order(shop, customerId)) instead of the shop's every order for every chunk.
 */
export type CustomerRange = { after: string | null; upTo: string | null };

/** The orders CustomerFacts counts (app/models/store.server.ts recomputeFacts), of the shop. */
function countedOrders(p: Param, shop: string, range: CustomerRange | undefined): string {
  const within = range
    ? `${range.after === null ? "" : ` AND po."customerId" > ${p(range.after)}`}${range.upTo === null ? "" : ` AND po."customerId" <= ${p(range.upTo)}`}`
    : "";
  return `po."shop" = ${p(shop)} AND po."customerId" IS NOT NULL${within} AND po."test" = false AND po."cancelledAt" IS NULL`;
}

function intervalSql(dialect: SqlDialect, p: Param, col: string, range: Instants): string {
  const parts = [
    ...(range.from === null ? [] : [`${col} >= ${instantParam(dialect, p, range.from)}`]),
    ...(range.to === null ? [] : [`${col} < ${instantParam(dialect, p, range.to)}`]),
  ];
  const inside = parts.length === 0 ? "1 = 1" : parts.join(" AND ");
  return range.negate ? `NOT (${inside})` : `(${inside})`;
}

function datesSql(dialect: SqlDialect, p: Param, dates: Instants[]): string {
  return dates.map((range) => ` AND ${intervalSql(dialect, p, `po."processedAt"`, range)}`).join("");
}

function intTestSql(p: Param, expr: string, t: IntTest): string {
  return t.op === "BETWEEN"
    ? `${expr} BETWEEN ${p(t.low)} AND ${p(t.high)}`
    : `${expr} ${t.op === "!=" ? "<>" : t.op} ${p(t.value)}`;
}

/**
 * `a OP b OP c …` as a balanced tree of parenthesised groups of at most 8. SQLite parses a flat chain
 * as a left-deep tree, one level per term, and refuses an expression deeper than 1,000 levels
 * (SQLITE_MAX_EXPR_DEPTH): a 4,000-term OR failed the whole statement. Balanced, depth grows with
 * the logarithm of the number of terms.
 */
export function joinBalanced(parts: readonly string[], op: "AND" | "OR"): string {
  const FANOUT = 8;
  if (parts.length <= FANOUT) return `(${parts.join(` ${op} `)})`;
  const size = Math.ceil(parts.length / FANOUT);
  const groups: string[] = [];
  for (let i = 0; i < parts.length; i += size) groups.push(joinBalanced(parts.slice(i, i + size), op));
  return joinBalanced(groups, op);
}

function lineTestSql(dialect: SqlDialect, p: Param, t: LineTest, shop: string): string {
  if (t.field === "tags") {
    // Tags are tested once per product, not once per line: the shop has far fewer products than lines.
    const tags = `(',' || ${lower(dialect, `pp."tags"`)} || ',')`;
    const any = joinBalanced(
      t.values.map((v) => contains(dialect, tags, `',' || ${p(v)} || ','`)),
      "OR",
    );
    const tagged = `((pl."productId" IN (SELECT pp."id" FROM "Product" pp WHERE pp."shop" = ${p(shop)} AND (${any}))) IS TRUE)`;
    // A line without a product, or with one we do not know, has no tags.
    return t.negate ? `(NOT ${tagged})` : tagged;
  }
  const raw = `pl."${t.field}"`;
  const col = t.field === "productId" ? raw : lower(dialect, raw);
  const member = `${col} IN (${t.values.map((v) => p(v)).join(", ")})`;
  return t.negate ? `((${raw} IS NOT NULL AND NOT (${member})) IS TRUE)` : `((${member}) IS TRUE)`;
}

function purchasedSql(dialect: SqlDialect, p: Param, node: Purchased, range: CustomerRange | undefined): string {
  const where = `${countedOrders(p, node.shop, range)}${datesSql(dialect, p, node.dates)}${node.lines.map((t) => ` AND ${lineTestSql(dialect, p, t, node.shop)}`).join("")}`;
  const from = `FROM "Order" po ${linesJoin(dialect)} WHERE ${where}`;
  const units = `SUM(pl."quantity")`;
  // Matching lines grouped by order: every group has at least one, so an order without any never passes.
  const perOrder = (quantity: IntTest) =>
    `${from} GROUP BY po."customerId", po."id" HAVING ${intTestSql(p, units, quantity)}`;
  let set: string;
  if (node.sumQuantity === null)
    set =
      node.quantity === null ? `SELECT po."customerId" ${from}` : `SELECT po."customerId" ${perOrder(node.quantity)}`;
  else if (node.quantity === null)
    set = `SELECT po."customerId" ${from} GROUP BY po."customerId" HAVING ${intTestSql(p, units, node.sumQuantity)}`;
  else {
    set = `SELECT q."customerId" FROM (SELECT po."customerId", ${units} AS "units" ${perOrder(node.quantity)}) q
      GROUP BY q."customerId" HAVING ${intTestSql(p, `SUM(q."units")`, node.sumQuantity)}`;
  }
  return `((c."id" IN (${set})) IS TRUE)`;
}

function ordersPlacedSql(dialect: SqlDialect, p: Param, node: OrdersPlaced, range: CustomerRange | undefined): string {
  // "At least 0 orders" holds for everyone. Decided before any parameter is numbered: PostgreSQL
  // refuses a statement with a parameter its text never uses.
  if (node.sumAmount === null && node.countAtLeast <= 0n) return "(1 = 1)";
  const from = `FROM "Order" po WHERE ${countedOrders(p, node.shop, range)}${datesSql(dialect, p, node.dates)}`;
  if (node.sumAmount === null) {
    const set =
      node.countAtLeast === 1n
        ? `SELECT po."customerId" ${from}`
        : `SELECT po."customerId" ${from} GROUP BY po."customerId" HAVING COUNT(*) >= ${p(node.countAtLeast)}`;
    return `((c."id" IN (${set})) IS TRUE)`;
  }
  const atLeast = node.countAtLeast > 1n ? node.countAtLeast : 1n;
  const sum = `SUM(po."totalMinor" - po."refundedMinor")`;
  const some = `((c."id" IN (SELECT po."customerId" ${from} GROUP BY po."customerId" HAVING COUNT(*) >= ${p(atLeast)} AND ${intTestSql(p, sum, node.sumAmount)})) IS TRUE)`;
  // Grouping only sees customers with orders in the window. With count_at_least 0 those without any
  // also match when an empty sum (0) passes the amount test.
  if (node.countAtLeast > 0n || !intTest(0n, node.sumAmount)) return some;
  const fromNone = `FROM "Order" po WHERE ${countedOrders(p, node.shop, range)}${datesSql(dialect, p, node.dates)}`;
  return `(${some} OR NOT ((c."id" IN (SELECT po."customerId" ${fromNone})) IS TRUE))`;
}

export function compileSql(prepared: Prepared, dialect: SqlDialect, p: Param, range?: CustomerRange): string {
  const truth = (expr: string) => `((${expr}) IS TRUE)`;
  const go = (node: Prepared): string => {
    switch (node.kind) {
      case "and":
        return node.children.length === 0 ? "(1 = 1)" : joinBalanced(node.children.map(go), "AND");
      case "or":
        return node.children.length === 0 ? "(1 = 0)" : joinBalanced(node.children.map(go), "OR");
      case "not":
        return `(NOT ${go(node.child)})`;
      case "int":
        return truth(`${INT_SQL[node.field]} ${node.op === "!=" ? "<>" : node.op} ${p(node.value)}`);
      case "intRange":
        return truth(`${INT_SQL[node.field]} BETWEEN ${p(node.low)} AND ${p(node.high)}`);
      case "instant": {
        const col = DATE_SQL[node.field];
        const parts = [
          ...(node.range.from === null ? [] : [`${col} >= ${instantParam(dialect, p, node.range.from)}`]),
          ...(node.range.to === null ? [] : [`${col} < ${instantParam(dialect, p, node.range.to)}`]),
        ];
        const inside = truth(`${col} IS NOT NULL AND ${parts.join(" AND ") || "1 = 1"}`);
        return node.range.negate ? `(${col} IS NOT NULL AND NOT ${inside})` : inside;
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
                        : `f."${node.field}" IS NULL`;
        return node.negate ? `(NOT ${truth(missing)})` : truth(missing);
      }
      case "text": {
        const col =
          node.field === "email_domain"
            ? emailDomainSql(dialect)
            : node.field === "rfmGroup"
              ? `f."rfmGroup"`
              : `c."${node.field}"`;
        return truth(`${col} ${node.negate ? "<>" : "="} ${p(node.value)}`);
      }
      case "listContains": {
        let test: string;
        if (node.field === "tags")
          test = contains(dialect, listSql(dialect, node.field), `',' || ${p(node.value)} || ','`);
        else if (node.field === "countries") test = `c."countryCode" = ${p(node.value)}`;
        else if (node.field === "cities") test = `${citySql(dialect)} = ${p(node.value)}`;
        else {
          // "US-CA": the country is everything before the first '-', the province the rest.
          const dash = node.value.indexOf("-");
          test =
            dash < 0
              ? "1 = 0"
              : `c."countryCode" = ${p(node.value.slice(0, dash))} AND c."provinceCode" = ${p(node.value.slice(dash + 1))}`;
        }
        const has = truth(test);
        return node.negate ? `(NOT ${has})` : has;
      }
      case "purchased":
        return `(${purchasedSql(dialect, p, node, range)})`;
      case "ordersPlaced":
        return `(${ordersPlacedSql(dialect, p, node, range)})`;
    }
  };
  return go(prepared);
}
