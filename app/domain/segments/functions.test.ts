// What products_purchased, orders_placed and customer_cities mean, one customer at a time (the SQL
// side is held to the same answers by tests/segments/engines.test.ts).
import { describe, expect, it } from "vitest";
import { cityCode, evaluate } from "./evaluate";
import {
  prepare,
  readsPurchases,
  type EngineContext,
  type PurchaseLine,
  type PurchaseOrder,
  type Subject,
} from "./engine";
import { parse } from "./query-language";
import type { Rule } from "./rule";

// Noon in New York on 2026-03-08 (the day clocks go forward): "today" there began at 05:00Z.
const ctx: EngineContext = {
  now: new Date("2026-03-08T16:00:00Z"),
  timeZone: "America/New_York",
  currencyCode: "USD",
  shop: "f.myshopify.com",
};

const line = (over: Partial<PurchaseLine> = {}): PurchaseLine => ({
  productId: "101",
  productType: "Coffee Beans",
  vendor: "Northbound",
  tags: ["espresso", "Organic"],
  quantity: 1,
  ...over,
});

const order = (at: string, lines: PurchaseLine[], amountMinor = 2500n): PurchaseOrder => ({
  processedAt: new Date(at),
  amountMinor,
  lines,
});

function subject(over: Partial<Subject> = {}): Subject {
  return {
    createdAt: new Date("2024-01-01T00:00:00Z"),
    email: "a@example.com",
    tags: [],
    countryCode: "US",
    provinceCode: "NY",
    city: "New York City",
    emailMarketingState: "SUBSCRIBED",
    smsMarketingState: "NOT_SUBSCRIBED",
    rfmGroup: null,
    ordersCount: 0,
    amountSpentMinor: 0n,
    aovMinor: null,
    firstOrderAt: null,
    lastOrderAt: null,
    orders: [],
    ...over,
  };
}

function rule(query: string): Rule {
  const parsed = parse(query);
  if (!parsed.ok) throw new Error(`${query}: ${JSON.stringify(parsed.errors)}`);
  return parsed.rule;
}

function run(query: string, s: Subject): boolean {
  const prepared = prepare(rule(query), ctx);
  if (!prepared.ok) throw new Error(`${query}: ${prepared.error}`);
  return evaluate(prepared.prepared, s);
}

// One buyer: two espresso bags 40 days ago, a grinder and one more bag today, a tea last year.
const buyer = subject({
  orders: [
    order("2026-01-27T15:00:00Z", [line({ quantity: 2 })]),
    order(
      "2026-03-08T05:00:00Z",
      [
        line({ productId: "202", productType: "Grinders", vendor: "Burr & Co.", tags: ["espresso"] }),
        line({ quantity: 1 }),
      ],
      30_000n,
    ),
    order("2025-03-01T12:00:00Z", [line({ productId: "303", productType: "Tea", vendor: null, tags: [] })], 1200n),
  ],
});

describe("products_purchased", () => {
  it.each([
    ["products_purchased MATCHES ()", true],
    ["products_purchased(id: 101) = true", true],
    ["products_purchased(id: 999) = true", false],
    ["products_purchased(id: 999) = false", true],
    ["products_purchased MATCHES (id IN (999, 303))", true],
    ["products_purchased MATCHES (id NOT IN (101, 202, 303))", false],
    ["products_purchased MATCHES (tag = 'ESPRESSO')", true], // ASCII case folded, like customer tags
    ["products_purchased MATCHES (tag = 'organic', product_type = 'grinders')", false], // one line must pass every filter
    ["products_purchased MATCHES (tag != 'espresso')", true], // the tea has no tags
    ["products_purchased MATCHES (vendor = 'burr & co.')", true],
    ["products_purchased MATCHES (vendor != 'Northbound', product_type = 'Tea')", false], // no vendor: neither = nor !=
    ["products_purchased MATCHES (product_type = 'Coffee Beans', date >= -30d)", true],
    ["products_purchased MATCHES (product_type = 'Coffee Beans', date = today)", true], // 05:00Z is today's first instant there
    ["products_purchased MATCHES (product_type = 'Grinders', date < today)", false],
    ["products_purchased MATCHES (product_type = 'Tea', date BETWEEN 2025-03-01 AND 2025-03-01)", true],
    ["products_purchased(tag: 'espresso', date: -30d) = true", true],
    ["products_purchased MATCHES (quantity >= 2)", true], // the first order: two bags on one line
    ["products_purchased MATCHES (product_type = 'Coffee Beans', quantity >= 2, date >= -30d)", false],
    ["products_purchased MATCHES (tag = 'espresso', quantity = 2)", true], // today: grinder + bag, per order
    ["products_purchased MATCHES (product_type = 'Coffee Beans', sum_quantity = 3)", true],
    ["products_purchased MATCHES (product_type = 'Coffee Beans', sum_quantity > 3)", false],
    ["products_purchased MATCHES (product_type = 'Coffee Beans', quantity >= 2, sum_quantity = 2)", true], // only qualifying orders add up
    ["products_purchased MATCHES (sum_quantity BETWEEN 5 AND 5)", true],
    ["products_purchased NOT MATCHES (product_type = 'Tea', date >= -90d)", true],
  ])("%s -> %s", (query, expected) => {
    expect(run(query, buyer)).toBe(expected);
  });

  it("matches nobody without purchases, and everybody with NOT", () => {
    expect(run("products_purchased MATCHES ()", subject())).toBe(false);
    expect(run("products_purchased MATCHES (sum_quantity < 1)", subject())).toBe(false);
    expect(run("products_purchased NOT MATCHES (tag = 'espresso')", subject())).toBe(true);
  });

  it("counts a zero-quantity line as a line, and zero units", () => {
    const s = subject({ orders: [order("2026-03-01T12:00:00Z", [line({ quantity: 0 })])] });
    expect(run("products_purchased MATCHES (id = 101)", s)).toBe(true);
    expect(run("products_purchased MATCHES (id = 101, sum_quantity >= 1)", s)).toBe(false);
  });
});

describe("orders_placed", () => {
  it.each([
    ["orders_placed MATCHES ()", true],
    ["orders_placed MATCHES (count_at_least = 3)", true],
    ["orders_placed MATCHES (count_at_least = 4)", false],
    ["orders_placed(count_at_least: 2, date: -90d) = true", true],
    ["orders_placed MATCHES (count_at_least = 2, date >= -30d)", false],
    ["orders_placed MATCHES (sum_amount = 337)", true], // 25 + 300 + 12
    ["orders_placed MATCHES (sum_amount > 300, date >= -30d)", false],
    ["orders_placed MATCHES (sum_amount BETWEEN 12 AND 12, date < -1y)", true], // -1y is 2025-03-08: only the tea is older
    ["orders_placed MATCHES (date BETWEEN -2y AND -1y)", true],
    ["orders_placed MATCHES (date < -2y)", false],
    ["orders_placed NOT MATCHES (date >= -7d)", false],
  ])("%s -> %s", (query, expected) => {
    expect(run(query, buyer)).toBe(expected);
  });

  it("needs orders unless the count asked for is zero", () => {
    expect(run("orders_placed MATCHES ()", subject())).toBe(false);
    expect(run("orders_placed MATCHES (count_at_least = 0)", subject())).toBe(true);
    expect(run("orders_placed MATCHES (count_at_least = 0, sum_amount < 10)", subject())).toBe(true);
    expect(run("orders_placed MATCHES (count_at_least = 0, sum_amount > 0)", subject())).toBe(false);
  });
});

describe("customer_cities", () => {
  it.each([
    ["New York City", "US", "NY", "US-NY-NewYorkCity", true],
    ["new-york city", "US", "NY", "us-ny-newyorkcity", true],
    ["New York", "US", "NY", "US-NY-NewYorkCity", false],
    ["St. John's", "CA", "NL", "CA-NL-StJohns", true],
    ["Berlin", "DE", null, "DE-Berlin", true],
    ["Zürich", "CH", "ZH", "CH-ZH-Zurich", false], // letters outside ASCII are kept as they are
    ["Zürich", "CH", "ZH", "ch-zh-zürich", true],
  ] as const)("%s, %s-%s CONTAINS %s -> %s", (city, country, province, value, expected) => {
    expect(
      run(`customer_cities CONTAINS '${value}'`, subject({ city, countryCode: country, provinceCode: province })),
    ).toBe(expected);
  });

  it("has no city without a country or a city name", () => {
    expect(run("customer_cities IS NULL", subject({ countryCode: null }))).toBe(true);
    expect(run("customer_cities IS NULL", subject({ city: " " }))).toBe(true);
    expect(run("customer_cities IS NOT NULL", subject())).toBe(true);
    expect(run("customer_cities NOT CONTAINS 'US-NY-NewYorkCity'", subject({ city: null }))).toBe(true);
  });

  it("runs a city name together as Shopify's codes do", () => {
    expect(cityCode("Winston-Salem")).toBe("WinstonSalem");
    expect(cityCode("Frankfurt (Oder)")).toBe("FrankfurtOder");
  });
});

describe("preparing purchase rules", () => {
  it("says which rules read purchases", () => {
    const reads = (q: string) => {
      const p = prepare(rule(q), ctx);
      return p.ok && readsPurchases(p.prepared);
    };
    expect(reads("amount_spent > 5 OR NOT (orders_placed MATCHES ())")).toBe(true);
    expect(reads("customer_cities CONTAINS 'US-NY-NewYorkCity' AND number_of_orders > 1")).toBe(false);
  });

  it("refuses to evaluate purchases the subject was loaded without", () => {
    const p = prepare(rule("products_purchased MATCHES ()"), ctx);
    if (!p.ok) throw new Error(p.error);
    expect(() => evaluate(p.prepared, subject({ orders: undefined }))).toThrow(/reads purchases/);
  });

  const call = (name: string, args: unknown[], negated = false) => ({ kind: "function", name, args, negated }) as Rule;
  const num = (value: string) => ({ kind: "number", value });

  // Rules also arrive as stored JSON: prepare checks them again and names the problem.
  it.each([
    [call("products_bought", []), /unknown function products_bought/],
    [
      call("products_purchased", [{ name: "colour", operator: "=", value: { kind: "string", value: "red" } }]),
      /no parameter 'colour'/,
    ],
    [
      call("products_purchased", [{ name: "tag", operator: ">", value: { kind: "string", value: "x" } }]),
      /'>' does not apply to tag/,
    ],
    [call("products_purchased", [{ name: "tag", operator: "=", value: num("5") }]), /tag compares with text/],
    [
      call("products_purchased", [{ name: "id", operator: "=", value: { kind: "string", value: "abc" } }]),
      /numeric product ID/,
    ],
    [call("products_purchased", [{ name: "quantity", operator: "=", value: num("1.5") }]), /whole number/],
    [call("products_purchased", [{ name: "date", operator: ">=", value: num("30") }]), /expected a date/],
    [
      call("products_purchased", [{ name: "tag", operator: "=", value: { kind: "string", value: "a,b" } }]),
      /cannot be empty or contain a comma/,
    ],
    [
      call("products_purchased", [
        { name: "tag", operator: "=", value: { kind: "string", value: "x" } },
        { name: "tag", operator: "=", value: { kind: "string", value: "y" } },
      ]),
      /given twice/,
    ],
    [
      call("orders_placed", [{ name: "count_at_least", operator: ">", value: num("2") }]),
      /count_at_least takes only '=', not '>'/,
    ],
    [
      call("orders_placed", [{ name: "count_at_least", operator: "=", value: num("-1") }]),
      /count_at_least must be a whole number from 0/,
    ],
    [
      {
        kind: "condition",
        attribute: "customer_tags",
        operator: "CONTAINS",
        value: { kind: "string", value: "" },
      } as Rule,
      /cannot be empty/,
    ],
  ])("refuses %j", (bad, message) => {
    const p = prepare(bad, ctx);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error).toMatch(message);
  });

  it("needs the shop to compile purchases (a caller's mistake, so it throws)", () => {
    const { shop: _shop, ...noShop } = ctx;
    expect(() => prepare(rule("orders_placed MATCHES ()"), noShop)).toThrow(/needs the shop/);
  });
});
