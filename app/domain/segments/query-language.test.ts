import { describe, expect, it } from "vitest";
import { describeError, formatError, parse, print, type ParseResult } from "./query-language";
import { validateRule, type Rule } from "./rule";

function ok(text: string): Rule {
  const result = parse(text);
  if (!result.ok)
    throw new Error(`expected ${JSON.stringify(text)} to parse: ${result.errors.map(describeError).join("; ")}`);
  return result.rule;
}

function errors(result: ParseResult) {
  return result.ok ? [] : result.errors;
}

// [input, canonical print]. Inputs already in canonical form print back unchanged.
const GOOD: [string, string][] = [
  [
    "amount_spent >= 500 AND number_of_orders > 3 AND last_order_date < -90d",
    "amount_spent >= 500 AND number_of_orders > 3 AND last_order_date < -90d",
  ],
  ["customer_tags CONTAINS 'vip'", "customer_tags CONTAINS 'vip'"],
  ["customer_countries CONTAINS 'DE'", "customer_countries CONTAINS 'DE'"],
  ["email_subscription_status = 'SUBSCRIBED'", "email_subscription_status = 'SUBSCRIBED'"],
  ["first_order_date BETWEEN 2025-01-01 AND 2025-03-31", "first_order_date BETWEEN 2025-01-01 AND 2025-03-31"],
  [
    "products_purchased(tag: 'espresso', date: -30d) = true",
    "products_purchased MATCHES (tag = 'espresso', date >= -30d)",
  ],
  ["rfm_group = 'AT_RISK'", "rfm_group = 'AT_RISK'"],
  ["last_order_date IS NULL", "last_order_date IS NULL"],
  ["last_order_date IS NOT NULL", "last_order_date IS NOT NULL"],
  ["customer_tags NOT CONTAINS 'wholesale'", "customer_tags NOT CONTAINS 'wholesale'"],
  ["customer_regions CONTAINS 'US-NY'", "customer_regions CONTAINS 'US-NY'"],
  ["customer_cities CONTAINS 'US-NY-NewYorkCity'", "customer_cities CONTAINS 'US-NY-NewYorkCity'"],
  ["customer_email_domain = 'gmail.com'", "customer_email_domain = 'gmail.com'"],
  ["customer_email_domain != 'example.com'", "customer_email_domain != 'example.com'"],
  ["sms_subscription_status != 'UNSUBSCRIBED'", "sms_subscription_status != 'UNSUBSCRIBED'"],
  ["amount_spent BETWEEN 1 AND 999.99", "amount_spent BETWEEN 1 AND 999.99"],
  ["average_order_value > 49.5", "average_order_value > 49.5"],
  ["days_since_last_order >= 30", "days_since_last_order >= 30"],
  ["customer_added_date >= -4w", "customer_added_date >= -4w"],
  ["customer_added_date < -10y", "customer_added_date < -10y"],
  ["last_order_date > -3m", "last_order_date > -3m"],
  ["last_order_date = today", "last_order_date = today"],
  ["first_order_date BETWEEN today AND +30d", "first_order_date BETWEEN today AND +30d"],
  ["lifecycle_stage = 'LAPSING'", "lifecycle_stage = 'LAPSING'"],
  ["NOT customer_tags CONTAINS 'vip'", "NOT customer_tags CONTAINS 'vip'"],
  ["NOT (amount_spent > 100 OR number_of_orders > 2)", "NOT (amount_spent > 100 OR number_of_orders > 2)"],
  ["NOT NOT amount_spent > 1", "NOT NOT amount_spent > 1"],
  [
    "amount_spent > 100 AND (customer_tags CONTAINS 'vip' OR rfm_group = 'CHAMPIONS')",
    "amount_spent > 100 AND (customer_tags CONTAINS 'vip' OR rfm_group = 'CHAMPIONS')",
  ],
  ["((amount_spent > 100))", "amount_spent > 100"],
  [
    "(amount_spent > 1 AND number_of_orders > 1) AND last_order_date > -7d",
    "(amount_spent > 1 AND number_of_orders > 1) AND last_order_date > -7d",
  ],
  [
    "(amount_spent > 1 OR number_of_orders > 1) OR last_order_date > -7d",
    "(amount_spent > 1 OR number_of_orders > 1) OR last_order_date > -7d",
  ],
  [
    "(amount_spent > 1 AND number_of_orders > 1) OR last_order_date > -7d",
    "(amount_spent > 1 AND number_of_orders > 1) OR last_order_date > -7d",
  ],
  [
    "amount_spent > 1 AND number_of_orders > 1 OR last_order_date > -7d",
    "(amount_spent > 1 AND number_of_orders > 1) OR last_order_date > -7d",
  ],
  [
    "products_purchased MATCHES (tag = 'espresso', date >= -30d)",
    "products_purchased MATCHES (tag = 'espresso', date >= -30d)",
  ],
  ["products_purchased NOT MATCHES (id = 7698145706200)", "products_purchased NOT MATCHES (id = 7698145706200)"],
  ["products_purchased MATCHES ()", "products_purchased MATCHES ()"],
  [
    "products_purchased MATCHES (id IN (7968704037080, 9180697002200), date >= -30d)",
    "products_purchased MATCHES (id IN (7968704037080, 9180697002200), date >= -30d)",
  ],
  ["products_purchased MATCHES (quantity > 5)", "products_purchased MATCHES (quantity > 5)"],
  [
    "products_purchased MATCHES (vendor NOT IN ('Acme', 'Globex'))",
    "products_purchased MATCHES (vendor NOT IN ('Acme', 'Globex'))",
  ],
  [
    "products_purchased MATCHES (product_type = 'Coffee', date BETWEEN 2025-01-01 AND 2025-01-31)",
    "products_purchased MATCHES (product_type = 'Coffee', date BETWEEN 2025-01-01 AND 2025-01-31)",
  ],
  ["products_purchased(id: '2012162031638') = true", "products_purchased MATCHES (id = 2012162031638)"],
  [
    "products_purchased(id: (2012162031638, 1012132033639)) = false",
    "products_purchased NOT MATCHES (id IN (2012162031638, 1012132033639))",
  ],
  [
    "products_purchased(tag: 'espresso', date: BETWEEN -90d AND -30d) = true",
    "products_purchased MATCHES (tag = 'espresso', date BETWEEN -90d AND -30d)",
  ],
  ["products_purchased() = true", "products_purchased MATCHES ()"],
  ["products_purchased(tag: 'x') != true", "products_purchased NOT MATCHES (tag = 'x')"],
  [
    "orders_placed MATCHES (count_at_least = 3, date >= -90d)",
    "orders_placed MATCHES (count_at_least = 3, date >= -90d)",
  ],
  ["orders_placed(count_at_least: 2, date: -1y) = true", "orders_placed MATCHES (count_at_least = 2, date >= -1y)"],
  ["orders_placed MATCHES (sum_amount > 250.5)", "orders_placed MATCHES (sum_amount > 250.5)"],
  // Case, whitespace and spelling variants normalise to one canonical text.
  ["amount_spent>=500 and number_of_orders>3", "amount_spent >= 500 AND number_of_orders > 3"],
  ["Amount_Spent > 0500.50", "amount_spent > 500.5"],
  ["rfm_group = at_risk", "rfm_group = 'AT_RISK'"],
  ["lifecycle_stage = 'lapsed'", "lifecycle_stage = 'LAPSED'"],
  ["last_order_date = TODAY", "last_order_date = today"],
  ["last_order_date = yesterday", "last_order_date = -1d"],
  [
    "customer_tags contains 'vip' or customer_tags not contains 'x'",
    "customer_tags CONTAINS 'vip' OR customer_tags NOT CONTAINS 'x'",
  ],
  ["last_order_date is not null", "last_order_date IS NOT NULL"],
  ["  amount_spent\n  >  1\r\n  AND\tnumber_of_orders > 2  ", "amount_spent > 1 AND number_of_orders > 2"],
  ["customer_tags CONTAINS 'it\\'s'", "customer_tags CONTAINS 'it\\'s'"],
  ["customer_tags CONTAINS 'back\\\\slash'", "customer_tags CONTAINS 'back\\\\slash'"],
  ["customer_tags CONTAINS 'line\\nbreak'", "customer_tags CONTAINS 'line\\nbreak'"],
  ["customer_tags CONTAINS 'Kaffee ☕ Größe'", "customer_tags CONTAINS 'Kaffee ☕ Größe'"],
  ["amount_spent > -0", "amount_spent > 0"],
  ["number_of_orders = 1.0", "number_of_orders = 1"],
];

describe("parse: good inputs", () => {
  it.each(GOOD)("%s", (input, expected) => {
    const rule = ok(input);
    expect(print(rule)).toBe(expected);
    expect(validateRule(rule)).toEqual({ ok: true, rule });
    // The canonical form is a fixed point.
    expect(print(ok(expected))).toBe(expected);
    expect(ok(expected)).toEqual(rule);
  });

  it("has the documented number of cases", () => {
    expect(GOOD.length).toBeGreaterThanOrEqual(40);
  });
});

describe("parse: trees", () => {
  it.each<[string, Rule]>([
    [
      "amount_spent >= 500 AND number_of_orders > 3 AND last_order_date < -90d",
      {
        kind: "and",
        children: [
          { kind: "condition", attribute: "amount_spent", operator: ">=", value: { kind: "number", value: "500" } },
          { kind: "condition", attribute: "number_of_orders", operator: ">", value: { kind: "number", value: "3" } },
          {
            kind: "condition",
            attribute: "last_order_date",
            operator: "<",
            value: { kind: "relative", amount: -90, unit: "d" },
          },
        ],
      },
    ],
    [
      "customer_tags CONTAINS 'vip'",
      { kind: "condition", attribute: "customer_tags", operator: "CONTAINS", value: { kind: "string", value: "vip" } },
    ],
    [
      "first_order_date BETWEEN 2025-01-01 AND 2025-03-31",
      {
        kind: "condition",
        attribute: "first_order_date",
        operator: "BETWEEN",
        value: {
          kind: "range",
          low: { kind: "absolute", date: "2025-01-01" },
          high: { kind: "absolute", date: "2025-03-31" },
        },
      },
    ],
    ["last_order_date IS NULL", { kind: "condition", attribute: "last_order_date", operator: "IS NULL" }],
    [
      "products_purchased(tag: 'espresso', date: -30d) = true",
      {
        kind: "function",
        name: "products_purchased",
        negated: false,
        args: [
          { name: "tag", operator: "=", value: { kind: "string", value: "espresso" } },
          { name: "date", operator: ">=", value: { kind: "relative", amount: -30, unit: "d" } },
        ],
      },
    ],
    [
      // NOT binds tighter than AND, AND tighter than OR.
      "NOT rfm_group = 'NEW' AND amount_spent > 1 OR number_of_orders = 0",
      {
        kind: "or",
        children: [
          {
            kind: "and",
            children: [
              {
                kind: "not",
                child: {
                  kind: "condition",
                  attribute: "rfm_group",
                  operator: "=",
                  value: { kind: "string", value: "NEW" },
                },
              },
              { kind: "condition", attribute: "amount_spent", operator: ">", value: { kind: "number", value: "1" } },
            ],
          },
          { kind: "condition", attribute: "number_of_orders", operator: "=", value: { kind: "number", value: "0" } },
        ],
      },
    ],
    [
      "(amount_spent > 1 OR amount_spent < 0) AND NOT (customer_tags CONTAINS 'a')",
      {
        kind: "and",
        children: [
          {
            kind: "or",
            children: [
              { kind: "condition", attribute: "amount_spent", operator: ">", value: { kind: "number", value: "1" } },
              { kind: "condition", attribute: "amount_spent", operator: "<", value: { kind: "number", value: "0" } },
            ],
          },
          {
            kind: "not",
            child: {
              kind: "condition",
              attribute: "customer_tags",
              operator: "CONTAINS",
              value: { kind: "string", value: "a" },
            },
          },
        ],
      },
    ],
  ])("%s", (input, tree) => {
    expect(ok(input)).toEqual(tree);
  });

  it("maps the colon form and the MATCHES form to the same tree", () => {
    expect(ok("products_purchased(tag: 'espresso', date: -30d) = true")).toEqual(
      ok("products_purchased MATCHES (tag = 'espresso', date >= -30d)"),
    );
    expect(ok("products_purchased(id: (1, 2)) = false")).toEqual(ok("products_purchased NOT MATCHES (id IN (1, 2))"));
  });
});

// [input, line, column, message]
const BAD: [string, number, number, string][] = [
  ["", 1, 1, "the query is empty: expected a condition such as amount_spent > 100"],
  ["   ", 1, 4, "the query is empty: expected a condition such as amount_spent > 100"],
  ["amount_spnt > 5", 1, 1, "unknown attribute 'amount_spnt' (did you mean 'amount_spent'?)"],
  ["zzz_qqq > 5", 1, 1, "unknown attribute 'zzz_qqq'"],
  ["amount_spent CONTAINS 'x'", 1, 14, "'CONTAINS' does not apply to amount_spent (a number)"],
  ["customer_tags = 'vip'", 1, 15, "'=' does not apply to customer_tags (a list)"],
  ["rfm_group > 'NEW'", 1, 11, "'>' does not apply to rfm_group (a fixed set of values)"],
  ["customer_email_domain BETWEEN 'a' AND 'b'", 1, 23, "'BETWEEN' does not apply to customer_email_domain (text)"],
  ["amount_spent >= 500 AND number_of_orders > 'three'", 1, 44, "expected a number after '>'"],
  ["amount_spent >", 1, 15, "expected a number after '>'"],
  ["number_of_orders > 2.5", 1, 20, "number_of_orders takes a whole number"],
  ["last_order_date < 90", 1, 19, "expected a date after '<' (like -30d, today or 2025-01-31)"],
  ["last_order_date < 90d", 1, 19, "a date offset needs a sign: '-90d' for the past, '+90d' for the future"],
  ["last_order_date < -0d", 1, 19, "use 'today' instead of '-0d'"],
  ["last_order_date < -1.5d", 1, 19, "date offsets are whole numbers, not '-1.5d'"],
  [
    "last_order_date < -999999d",
    1,
    19,
    "date offset '-999999d' is too large: at most 100 years (36525d, 5218w, 1200m, 100y)",
  ],
  ["first_order_date > 2025-02-30", 1, 20, "invalid date '2025-02-30' (expected YYYY-MM-DD)"],
  ["first_order_date > 2025-1-5", 1, 20, "invalid date '2025-1-5' (expected YYYY-MM-DD)"],
  ["first_order_date BETWEEN 2025-01-01 2025-03-31", 1, 37, "expected AND between the two values of BETWEEN"],
  ["customer_tags CONTAINS vip", 1, 24, "expected a quoted string after 'CONTAINS', like 'vip'"],
  ['customer_tags CONTAINS "vip"', 1, 24, "strings use single quotes ('like this'), not double quotes"],
  ["customer_tags CONTAINS 'vip", 1, 24, "unterminated string: missing closing '"],
  ["customer_tags CONTAINS 'a\\qb'", 1, 26, "unknown escape '\\q' (use \\' for a quote, \\\\ for a backslash)"],
  ["rfm_group = 'AT_RISKY'", 1, 13, "'AT_RISKY' is not a value of rfm_group (did you mean 'AT_RISK'?)"],
  [
    "email_subscription_status = 'MAYBE'",
    1,
    29,
    "'MAYBE' is not a value of email_subscription_status (expected one of SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING, REDACTED, INVALID)",
  ],
  ["churn_risk = 'HIGHEST'", 1, 14, "'HIGHEST' is not a value of churn_risk (expected one of HIGH, MEDIUM, LOW)"],
  ["amount_spent > 5 number_of_orders > 3", 1, 18, "expected AND or OR before 'number_of_orders'"],
  ["amount_spent > 5 AND", 1, 21, "expected a condition after 'AND'"],
  ["amount_spent > 5 OR OR amount_spent > 1", 1, 21, "expected a condition after 'OR', found 'OR'"],
  ["(amount_spent > 5", 1, 18, "expected ')' to close the '(' at line 1, col 1"],
  ["amount_spent > 5)", 1, 17, "unexpected ')' with no matching '('"],
  [
    "amount_spent 5",
    1,
    14,
    "expected an operator after 'amount_spent' (=, !=, >, >=, <, <=, BETWEEN, IS NULL, IS NOT NULL)",
  ],
  ["amount_spent <> 5", 1, 14, "use '!=' for 'not equal'"],
  ["amount_spent == 5", 1, 14, "use '=' for 'equal'"],
  ["last_order_date IS NOTHING", 1, 20, "expected NULL after 'IS'"],
  ["last_order_date IS NOT 5", 1, 24, "expected NULL after 'IS NOT'"],
  ["customer_tags NOT 'x'", 1, 19, "expected CONTAINS, IN or MATCHES after 'NOT'"],
  ["amount_spent > 5 AND\n  number_of_orders > x", 2, 22, "expected a number after '>'"],
  ["amount_spent > 5 AND\n\n  bogus = 1", 3, 3, "unknown attribute 'bogus'"],
  ["amount_spent > 12abc", 1, 16, "invalid number '12abc'"],
  ["amount_spent > 5 ; DROP TABLE", 1, 18, "unexpected character ';'"],
  ["products_purchased(tag: 'espresso')", 1, 36, "expected '= true' or '= false' after products_purchased(...)"],
  [
    "products_purchased(tga: 'espresso') = true",
    1,
    20,
    "products_purchased has no parameter 'tga' (did you mean 'tag'?)",
  ],
  ["products_purchased MATCHES (tag > 'x')", 1, 33, "'>' does not apply to tag (text)"],
  // "count_at_least" already says "at least": Shopify writes it with '=' only.
  ["orders_placed MATCHES (count_at_least > 2)", 1, 39, "count_at_least takes only '=', not '>'"],
  ["products_purchased MATCHES (date >= -30d, date <= -7d)", 1, 43, "'date' is given twice"],
  ["products_purchased MATCHES (tag = 'x'", 1, 38, "expected ')' to close the '(' at line 1, col 28"],
  ["products_purchased MATCHES tag = 'x'", 1, 28, "expected '(' after MATCHES"],
  [
    "products_purchasd MATCHES (tag = 'x')",
    1,
    1,
    "unknown function 'products_purchasd' (did you mean 'products_purchased'?)",
  ],
  ["products_purchased = true", 1, 1, "products_purchased is a function: write products_purchased MATCHES (...)"],
  ["amount_spent MATCHES ()", 1, 1, "amount_spent is an attribute, not a function"],
  ["products_purchased MATCHES (id = 'abc')", 1, 34, "expected a product ID after '='"],
  ["products_purchased MATCHES (quantity = 1.5)", 1, 40, "quantity takes a whole number"],
  ["NOT", 1, 4, "expected a condition after 'NOT'"],
  ["(".repeat(60) + "amount_spent > 1" + ")".repeat(60), 1, 51, "nesting is deeper than 50 levels"],
];

describe("parse: bad inputs", () => {
  it.each(BAD)("%j", (input, line, column, message) => {
    const result = parse(input);
    expect(result.ok).toBe(false);
    const first = errors(result)[0];
    expect({ line: first?.line, column: first?.column, message: first?.message }).toEqual({ line, column, message });
  });

  it("has the documented number of cases", () => {
    expect(BAD.length).toBeGreaterThanOrEqual(30);
  });

  it("reports every independent mistake, not just the first", () => {
    const result = parse("amount_spnt > 5 AND rfm_group = 'AT_RISKY' AND customer_tags = 'x'");
    expect(errors(result).map(describeError)).toEqual([
      "line 1, col 1: unknown attribute 'amount_spnt' (did you mean 'amount_spent'?)",
      "line 1, col 33: 'AT_RISKY' is not a value of rfm_group (did you mean 'AT_RISK'?)",
      "line 1, col 62: '=' does not apply to customer_tags (a list)",
    ]);
  });

  it("spans multi-token operators", () => {
    const [e] = errors(parse("amount_spent NOT CONTAINS 'x'"));
    expect(e).toMatchObject({
      offset: 13,
      length: 12,
      message: "'NOT CONTAINS' does not apply to amount_spent (a number)",
    });
  });
});

describe("formatError", () => {
  it("puts a caret under the problem", () => {
    const text = "amount_spent >= 500 AND number_of_orders > 'three'";
    const [e] = errors(parse(text));
    expect(formatError(text, e!)).toBe(
      [
        "line 1, col 44: expected a number after '>'",
        "amount_spent >= 500 AND number_of_orders > 'three'",
        "                                           ^^^^^^^",
      ].join("\n"),
    );
  });

  it("shows the right line of a multi-line query and keeps tabs aligned", () => {
    const text = "amount_spent > 5 AND\n\tbogus = 1";
    const [e] = errors(parse(text));
    expect(formatError(text, e!)).toBe(
      ["line 2, col 2: unknown attribute 'bogus'", "\tbogus = 1", "\t^^^^^"].join("\n"),
    );
  });

  it("points one past the end when the query stops short", () => {
    const text = "amount_spent >";
    const [e] = errors(parse(text));
    expect(formatError(text, e!)).toBe(
      ["line 1, col 15: expected a number after '>'", "amount_spent >", "              ^"].join("\n"),
    );
  });
});

describe("print", () => {
  it("writes the pre-2026-10 colon form on request, where it can", () => {
    const rule = ok("products_purchased MATCHES (tag = 'espresso', date >= -30d)");
    expect(print(rule, { functions: "legacy" })).toBe("products_purchased(tag: 'espresso', date: -30d) = true");
    const negated = ok("products_purchased NOT MATCHES (id IN (1, 2), date BETWEEN -90d AND -30d)");
    expect(print(negated, { functions: "legacy" })).toBe(
      "products_purchased(id: (1, 2), date: BETWEEN -90d AND -30d) = false",
    );
    // `quantity > 5` has no colon spelling, so it stays in MATCHES form.
    const strict = ok("products_purchased MATCHES (quantity > 5)");
    expect(print(strict, { functions: "legacy" })).toBe("products_purchased MATCHES (quantity > 5)");
    for (const r of [rule, negated, strict]) expect(ok(print(r, { functions: "legacy" }))).toEqual(r);
  });

  it("keeps nested groups of the same kind so the tree survives a round trip", () => {
    const a = {
      kind: "condition",
      attribute: "amount_spent",
      operator: ">",
      value: { kind: "number", value: "1" },
    } as const;
    const b = {
      kind: "condition",
      attribute: "number_of_orders",
      operator: ">",
      value: { kind: "number", value: "2" },
    } as const;
    const nested: Rule = { kind: "and", children: [{ kind: "and", children: [a, b] }, a] };
    expect(print(nested)).toBe("(amount_spent > 1 AND number_of_orders > 2) AND amount_spent > 1");
    expect(ok(print(nested))).toEqual(nested);
  });
});

describe("validateRule", () => {
  it("accepts a parsed rule and rejects type errors built by hand", () => {
    const bad = {
      kind: "condition",
      attribute: "amount_spent",
      operator: "CONTAINS",
      value: { kind: "string", value: "x" },
    };
    const result = validateRule(bad);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((i) => i.message)).toContain(
      "'CONTAINS' does not apply to amount_spent (a number)",
    );
  });

  it.each<[string, unknown]>([
    [
      "float money",
      { kind: "condition", attribute: "amount_spent", operator: ">", value: { kind: "number", value: "1.50" } },
    ],
    ["unknown attribute", { kind: "condition", attribute: "nope", operator: "IS NULL" }],
    [
      "one-child and",
      { kind: "and", children: [{ kind: "condition", attribute: "last_order_date", operator: "IS NULL" }] },
    ],
    [
      "bad enum",
      { kind: "condition", attribute: "rfm_group", operator: "=", value: { kind: "string", value: "at_risk" } },
    ],
    [
      "bad date",
      {
        kind: "condition",
        attribute: "last_order_date",
        operator: "=",
        value: { kind: "absolute", date: "2025-13-01" },
      },
    ],
    ["extra key", { kind: "condition", attribute: "last_order_date", operator: "IS NULL", extra: 1 }],
    ["not an object", "amount_spent > 5"],
  ])("rejects %s", (_name, input) => {
    expect(validateRule(input).ok).toBe(false);
  });

  it("rejects absurdly deep JSON without recursing", () => {
    let deep: unknown = { kind: "condition", attribute: "last_order_date", operator: "IS NULL" };
    for (let i = 0; i < 100_000; i++) deep = { kind: "not", child: deep };
    const result = validateRule(deep);
    expect(result.ok).toBe(false);
  });
});
