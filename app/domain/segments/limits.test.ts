// The size caps and value ranges (limits.ts): refused by the parser with a position, by validateRule
// for stored JSON and by prepare for anything else; everything inside them is accepted by all three.
import { describe, expect, it } from "vitest";
import { createRandom } from "~/demo/random";
import { prepare, type EngineContext } from "./engine";
import {
  MAX_CONDITIONS,
  MAX_FUNCTION_CALLS,
  MAX_LIST_ITEMS,
  MAX_QUERY_LENGTH,
  TOO_MANY_CALLS,
  TOO_MANY_CONDITIONS,
  TOO_MANY_ITEMS,
} from "./limits";
import { parse, print } from "./query-language";
import { genRule } from "./random-rules.testing";
import { validateRule, type Rule } from "./rule";
import { TEMPLATES } from "./templates";

const ctx: EngineContext = {
  now: new Date("2026-03-08T15:30:00Z"),
  timeZone: "America/New_York",
  currencyCode: "KWD",
  shop: "limits.myshopify.com",
};

const conditions = (n: number) => Array.from({ length: n }, (_, i) => `amount_spent > ${i}`).join(" OR ");
const calls = (n: number) =>
  Array.from({ length: n }, (_, i) => `products_purchased MATCHES (tag = 't${i}')`).join(" OR ");
const items = (n: number) =>
  `products_purchased MATCHES (id IN (${Array.from({ length: n }, (_, i) => i + 1).join(", ")}))`;

const MONEY = "amount_spent must be between -1,000,000,000,000,000 and 1,000,000,000,000,000";
const COUNT = (owner: string) => `${owner} must be a whole number from 0 to 2,147,483,647`;
const DATES = "dates must be between 1900-01-01 and 2100-12-31";
const OFFSET = (text: string) => `date offset '${text}' is too large: at most 100 years (36525d, 5218w, 1200m, 100y)`;

// [input, offset of the first error, its message]
const OUTSIDE: [string, string, number, string][] = [
  ["money beyond 10^15", "amount_spent > 100000000000000000000000000", 15, MONEY],
  ["money a cent beyond 10^15", "amount_spent <= 1000000000000000.01", 16, MONEY],
  ["negative money beyond 10^15", "amount_spent > -1000000000000001", 15, MONEY],
  ["a count beyond 2^63", "number_of_orders > 9223372036854775808", 19, COUNT("number_of_orders")],
  ["a count beyond PostgreSQL's int4", "number_of_orders < 2147483648", 19, COUNT("number_of_orders")],
  ["a negative count", "number_of_orders > -1", 19, COUNT("number_of_orders")],
  [
    "days beyond 100 years",
    "days_since_last_order > 36526",
    24,
    "days_since_last_order must be a whole number from 0 to 36,525 (100 years)",
  ],
  ["a unit count beyond int4", "products_purchased MATCHES (quantity > 2147483648)", 39, COUNT("quantity")],
  ["a total beyond int4", "products_purchased(sum_quantity: 99999999999) = true", 33, COUNT("sum_quantity")],
  ["count_at_least beyond int4", "orders_placed MATCHES (count_at_least = 3000000000)", 40, COUNT("count_at_least")],
  [
    "a sum beyond 10^15",
    "orders_placed MATCHES (sum_amount BETWEEN 0 AND 2000000000000000)",
    48,
    "sum_amount must be between -1,000,000,000,000,000 and 1,000,000,000,000,000",
  ],
  [
    "a 21-digit product ID",
    "products_purchased MATCHES (id = 123456789012345678901)",
    33,
    "a product ID has at most 20 digits",
  ],
  [
    "a quoted 21-digit product ID",
    "products_purchased MATCHES (id IN (1, '123456789012345678901'))",
    38,
    "a product ID has at most 20 digits",
  ],
  ["a date in year 9999", "last_order_date > 9999-12-31", 18, DATES],
  ["a date before 1900", "first_order_date BETWEEN 1899-12-31 AND 2025-01-01", 25, DATES],
  ["a date after 2100", "products_purchased MATCHES (date < 2101-01-01)", 35, DATES],
  ["-100000y", "last_order_date > -100000y", 18, OFFSET("-100000y")],
  ["-101y", "last_order_date > -101y", 18, OFFSET("-101y")],
  ["+1201m", "customer_added_date < +1201m", 22, OFFSET("+1201m")],
  ["-5219w", "orders_placed MATCHES (date >= -5219w)", 31, OFFSET("-5219w")],
  ["-36526d", "last_order_date > -36526d", 18, OFFSET("-36526d")],
  [
    "a NUL byte in a string",
    "customer_tags CONTAINS 'a\u0000b'",
    25,
    "text cannot contain the control character U+0000",
  ],
  [
    "an escape character in a string",
    "customer_email_domain = 'x\u001by'",
    26,
    "text cannot contain the control character U+001B",
  ],
  [
    "DEL in a product tag",
    "products_purchased MATCHES (tag IN ('ok', 'b\u007f'))",
    44,
    "text cannot contain the control character U+007F",
  ],
  [
    "a C1 control in a vendor",
    "products_purchased MATCHES (vendor = '\u0085')",
    38,
    "text cannot contain the control character U+0085",
  ],
  ["an unpaired surrogate", "customer_tags CONTAINS 'a\ud800'", 25, "text cannot contain an unpaired surrogate U+D800"],
  [
    `${MAX_CONDITIONS + 1} conditions`,
    conditions(MAX_CONDITIONS + 1),
    conditions(MAX_CONDITIONS).length + 4,
    TOO_MANY_CONDITIONS,
  ],
  [
    "a 4,000-term OR chain",
    conditions(4_000).slice(0, MAX_QUERY_LENGTH),
    conditions(MAX_CONDITIONS).length + 4,
    TOO_MANY_CONDITIONS,
  ],
  [
    `${MAX_FUNCTION_CALLS + 1} function calls`,
    calls(MAX_FUNCTION_CALLS + 1),
    calls(MAX_FUNCTION_CALLS).length + 4,
    TOO_MANY_CALLS,
  ],
  [`${MAX_LIST_ITEMS + 1} list items`, items(MAX_LIST_ITEMS + 1), items(MAX_LIST_ITEMS).length, TOO_MANY_ITEMS],
  [
    "a query past the length cap",
    `${conditions(10)} ${" ".repeat(MAX_QUERY_LENGTH)}`,
    MAX_QUERY_LENGTH,
    `the query is longer than ${MAX_QUERY_LENGTH} characters`,
  ],
];

describe("values and sizes outside the limits", () => {
  it.each(OUTSIDE)("%s: refused by the parser where it is", (_name, text, offset, message) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect({ offset: result.errors[0]!.offset, message: result.errors[0]!.message }).toEqual({ offset, message });
    const before = text.slice(0, offset);
    expect(result.errors[0]!.line).toBe(before.split("\n").length);
  });

  /** The rule as the parser would have read it without the limit: built by hand, as stored JSON could hold it. */
  const stored: [string, Rule, string][] = [
    [
      "money beyond 10^15",
      {
        kind: "condition",
        attribute: "amount_spent",
        operator: ">",
        value: { kind: "number", value: "100000000000000000000000000" },
      },
      MONEY,
    ],
    [
      "a count beyond int4",
      {
        kind: "condition",
        attribute: "number_of_orders",
        operator: "<",
        value: { kind: "number", value: "2147483648" },
      },
      COUNT("number_of_orders"),
    ],
    [
      "a date in year 9999",
      {
        kind: "condition",
        attribute: "last_order_date",
        operator: ">",
        value: { kind: "absolute", date: "9999-12-31" },
      },
      DATES,
    ],
    [
      "-100000y",
      {
        kind: "condition",
        attribute: "last_order_date",
        operator: ">",
        value: { kind: "relative", amount: -100000, unit: "y" },
      },
      OFFSET("-100000y"),
    ],
    [
      "a NUL byte",
      {
        kind: "condition",
        attribute: "customer_tags",
        operator: "CONTAINS",
        value: { kind: "string", value: "a\u0000b" },
      },
      "text cannot contain the control character U+0000",
    ],
    [
      "a 4,000-term OR chain",
      {
        kind: "or",
        children: Array.from(
          { length: 4_000 },
          (_, i) =>
            ({
              kind: "condition",
              attribute: "amount_spent",
              operator: ">",
              value: { kind: "number", value: String(i) },
            }) as Rule,
        ),
      },
      TOO_MANY_CONDITIONS,
    ],
    [
      "501 list items",
      {
        kind: "function",
        name: "products_purchased",
        negated: false,
        args: [
          {
            name: "id",
            operator: "IN",
            value: {
              kind: "list",
              items: Array.from({ length: 501 }, (_, i) => ({ kind: "number", value: String(i + 1) })),
            },
          },
        ],
      },
      TOO_MANY_ITEMS,
    ],
  ];

  it.each(stored)("%s: refused by validateRule (stored JSON) and by prepare", (_name, rule, message) => {
    const valid = validateRule(JSON.parse(JSON.stringify(rule)));
    expect(valid.ok).toBe(false);
    if (!valid.ok)
      expect(valid.issues.map((i) => i.message)).toContain(
        message.includes("100 years") ? "relative dates reach at most 100 years" : message,
      );
    expect(prepare(rule, ctx)).toEqual({ ok: false, error: message });
  });
});

// Each on the edge of its range, all accepted by the parser, validateRule and prepare.
const INSIDE = [
  "amount_spent <= 1000000000000000 AND amount_spent >= -1000000000000000",
  "amount_spent < 999999999999999.999",
  "number_of_orders < 2147483647 AND number_of_orders >= 0",
  "days_since_last_order BETWEEN 0 AND 36525",
  "last_order_date BETWEEN 1900-01-01 AND 2100-12-31",
  "last_order_date > -100y AND customer_added_date < +100y",
  "first_order_date >= -1200m AND first_order_date >= -5218w AND first_order_date >= -36525d",
  "products_purchased MATCHES (quantity >= 2147483647, sum_quantity BETWEEN 0 AND 2147483647, id = 99999999999999999999)",
  "orders_placed MATCHES (count_at_least = 2147483647, sum_amount > -1000000000000000, date BETWEEN 1900-01-01 AND +100y)",
  "customer_tags CONTAINS 'tab\\there' AND customer_tags CONTAINS 'line\\nbreak\\r' AND customer_tags CONTAINS 'emoji 😀 ☕'",
  conditions(MAX_CONDITIONS),
  calls(MAX_FUNCTION_CALLS),
  items(MAX_LIST_ITEMS),
];

describe("values and sizes inside the limits", () => {
  it.each(INSIDE.map((q) => [q.length > 80 ? `${q.slice(0, 77)}...` : q, q]))("%s", (_name, text) => {
    const result = parse(text);
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join("; "));
    expect(validateRule(result.rule)).toEqual({ ok: true, rule: result.rule });
    const prepared = prepare(result.rule, ctx);
    expect(prepared.ok, prepared.ok ? "" : prepared.error).toBe(true);
    expect(parse(print(result.rule))).toEqual(result);
  });

  it("admits every template", () => {
    for (const t of TEMPLATES) expect(parse(t.query).ok, t.query).toBe(true);
  });

  it("prepares every rule the parser accepts (1,000 random rules, in a 3-decimal currency)", () => {
    const g = createRandom(0x11e175);
    for (let i = 0; i < 1000; i++) {
      const rule = genRule(g, g.int(1, 6));
      const parsed = parse(print(rule));
      expect(parsed.ok).toBe(true);
      const prepared = prepare(rule, ctx);
      // Tags with commas or blanks are refused by prepare alone (they could never match); nothing else.
      if (!prepared.ok) expect(prepared.error, print(rule)).toMatch(/cannot be empty or contain a comma/);
    }
  });
});
