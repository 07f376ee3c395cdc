// One meaning, two engines: random rules over random customers, the in-memory evaluator against the
// SQL the database runs, on SQLite and PostgreSQL. Customers are drawn to sit on the edges that break
// engines: exactly at a day's start in the shop's zone and a millisecond either side, no orders, no
// email, tags in mixed case, cities spelled with blanks, dashes and non-ASCII letters, and orders that
// do not count (cancelled, test), lines without a product or with one we do not know, zero quantities;
// and rules holding the largest and smallest values the parser accepts (limits.ts), over customers
// whose facts sit at those limits too.
// Over 500 lines because the generators are this test's substance: which edges customers and rules
// are drawn on is what a reader checks, next to the property they feed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { sql } from "~/db/sql";
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import { createRandom, type Random } from "~/demo/random";
import type { CustomerRow, OrderRow, ProductRow } from "~/domain/rows";
import { evaluate } from "~/domain/segments/evaluate";
import { prepare, readsPurchases, type EngineContext } from "~/domain/segments/engine";
import { parse, print } from "~/domain/segments/query-language";
import { MAX_DATE, MAX_OFFSET, MIN_DATE } from "~/domain/segments/limits";
import type { FunctionArg, Rule, ScalarValue } from "~/domain/segments/rule";
import { countMatching, matchingIds } from "~/models/segments/read-models.server";
import { subjects } from "~/models/segments/subjects.server";
import { upsertCustomers, upsertOrders, upsertProducts, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";

const SHOP = "engines.myshopify.com";
const ZONE = "America/New_York";
const ctx: EngineContext = { now: new Date("2026-03-08T15:30:00Z"), timeZone: ZONE, currencyCode: "USD", shop: SHOP }; // a DST-change day
const TODAY = localDate(ctx.now, ZONE);
// A shop that changed its lifecycle thresholds on the Settings page: both engines must read them.
const customCtx: EngineContext = { ...ctx, lifecycle: { lapsingDays: 30, lapsedDays: 365, loyalOrders: 3 } };
const TAGS = ["vip", "VIP", "Wholesale", "newsletter", "gift-buyer", "ümlaut"];
const COUNTRIES: [string, string | null][] = [
  ["US", "NY"],
  ["US", "CA"],
  ["DE", null],
  ["CA", "ON"],
  ["GB", null],
];
const STATES = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING"];
const DOMAINS = ["example.com", "Example.COM", "mail.example.net", "example.org"];
const OFFSETS = [-1, 0, 1];
const CITIES = [
  "New York",
  "New York City",
  "new-york city",
  "Berlin",
  "St. John's",
  "Zürich",
  "Winston-Salem",
  " ",
  "",
];
const CITY_VALUES = [
  "US-NY-NewYorkCity",
  "us-ny-newyork",
  "US-NY-NewYork",
  "DE-Berlin",
  "CA-ON-StJohns",
  "GB-Zürich",
  "GB-zürich",
  "US-CA-WinstonSalem",
  "US-NY",
];

// Products as the shop knows them; lines also point at a product we never synced ("599") or none.
const PRODUCT_TYPES = ["Coffee", "coffee", "Tea", null];
const VENDORS = ["Acme", "ACME", "Globex", null];
const PRODUCT_TAGS = ["espresso", "Espresso", "decaf", "gift", "ümlaut"];
const PRODUCT_IDS = ["501", "502", "503", "504", "505", "506", "507", "508"];
const products: ProductRow[] = PRODUCT_IDS.map((id, i) => ({
  id,
  handle: `p-${id}`,
  title: `Product ${id}`,
  productType: PRODUCT_TYPES[i % PRODUCT_TYPES.length]!,
  vendor: VENDORS[(i * 3) % VENDORS.length]!,
  tags: PRODUCT_TAGS.filter((_, j) => (i + j) % 3 === 0),
  status: "ACTIVE",
  imageUrl: null,
  priceMinor: 1000n,
  createdAt: new Date("2020-01-01T00:00:00Z"),
  updatedAt: new Date("2020-01-01T00:00:00Z"),
}));

function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r.next() * items.length)]!;
}

/** An instant on or next to a day boundary, within three years of now. */
function edgeInstant(r: Random): Date {
  const day = addToYmd(TODAY, -Math.floor(r.next() * 1100) + 5, "d");
  if (r.next() < 0.5) return new Date(dayStart(day, ZONE).getTime() + pick(r, OFFSETS));
  return new Date(dayStart(day, ZONE).getTime() + Math.floor(r.next() * 86_400_000));
}

const GROUPS = ["CHAMPIONS", "LOYAL", "ACTIVE", "NEW", "AT_RISK", "DORMANT", "PROSPECTS"];

type Facts = {
  rfmGroup: string | null;
  ordersCount: number;
  amountSpentMinor: bigint;
  aovMinor: bigint | null;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
};

function randomOrders(r: Random, customerId: string): OrderRow[] {
  const count = r.next() < 0.3 ? 0 : 1 + Math.floor(r.next() * 5);
  return Array.from({ length: count }, (_, k) => {
    const at = edgeInstant(r);
    const lineCount = r.next() < 0.08 ? 0 : 1 + Math.floor(r.next() * 3);
    const total = BigInt(Math.floor(r.next() * 30_000));
    return {
      id: `${customerId}-${k}`,
      name: null,
      customerId,
      email: null,
      createdAt: at,
      processedAt: at,
      updatedAt: at,
      cancelledAt: r.next() < 0.1 ? at : null,
      currencyCode: "USD",
      totalMinor: total,
      refundedMinor: r.next() < 0.15 ? total / 3n : 0n,
      financialStatus: "PAID",
      test: r.next() < 0.08,
      lines: Array.from({ length: lineCount }, (_, n) => {
        const roll = r.next();
        const productId = roll < 0.08 ? null : roll < 0.14 ? "599" : pick(r, PRODUCT_IDS);
        const product = products.find((p) => p.id === productId);
        return {
          id: `${customerId}-${k}-${n}`,
          productId,
          variantId: null,
          title: null,
          sku: null,
          // The line keeps the type and vendor it was bought with; usually the product's.
          productType: r.next() < 0.85 ? (product?.productType ?? null) : pick(r, PRODUCT_TYPES),
          vendor: r.next() < 0.85 ? (product?.vendor ?? null) : pick(r, VENDORS),
          quantity: Math.floor(r.next() * 5),
          priceMinor: 1000n,
        };
      }),
    };
  });
}

function randomCustomer(r: Random, i: number): { customer: CustomerRow; facts: Facts | null; orders: OrderRow[] } {
  const placed = randomOrders(r, String(1000 + i));
  const [country, province] = r.next() < 0.15 ? [null, null] : pick(r, COUNTRIES);
  const tags = TAGS.filter(() => r.next() < 0.2);
  const customer: CustomerRow = {
    id: String(1000 + i),
    email: r.next() < 0.1 ? null : r.next() < 0.05 ? "no-at-sign" : `c${i}@${pick(r, DOMAINS)}`,
    firstName: null,
    lastName: null,
    countryCode: country,
    provinceCode: province,
    city: r.next() < 0.2 ? null : pick(r, CITIES),
    tags,
    emailMarketingState: pick(r, STATES) as CustomerRow["emailMarketingState"],
    smsMarketingState: pick(r, STATES) as CustomerRow["smsMarketingState"],
    createdAt: edgeInstant(r),
    updatedAt: ctx.now,
  };
  if (r.next() < 0.1) return { customer, facts: null, orders: placed }; // facts not computed yet
  const orders = r.next() < 0.3 ? 0 : 1 + Math.floor(r.next() * 6);
  const spent = orders === 0 ? 0n : BigInt(Math.floor(r.next() * 60_000));
  const first = orders ? edgeInstant(r) : null;
  const last = orders ? (r.next() < 0.3 ? first : edgeInstant(r)) : null;
  const [a, b] = first && last && last < first ? [last, first] : [first, last];
  return {
    customer,
    orders: placed,
    facts: {
      rfmGroup: r.next() < 0.1 ? null : pick(r, GROUPS),
      ordersCount: orders,
      amountSpentMinor: spent,
      aovMinor: orders ? spent / BigInt(orders) : null,
      firstOrderAt: a,
      lastOrderAt: b,
    },
  };
}

/** The accepted dates at the ends of their ranges. */
const EDGE_DATES: ScalarValue[] = [
  { kind: "absolute", date: MIN_DATE },
  { kind: "absolute", date: MAX_DATE },
  ...(["d", "w", "m", "y"] as const).flatMap((unit) =>
    [-1, 1].map((sign): ScalarValue => ({ kind: "relative", amount: sign * MAX_OFFSET[unit], unit })),
  ),
];

function dateValue(r: Random): ScalarValue {
  const roll = r.next();
  if (roll < 0.06) return pick(r, EDGE_DATES);
  if (roll < 0.15) return { kind: "today" };
  if (roll < 0.6) {
    const unit = pick(r, ["d", "w", "m", "y"] as const);
    return { kind: "relative", amount: -(1 + Math.floor(r.next() * Math.min(800, MAX_OFFSET[unit]))), unit };
  }
  return { kind: "absolute", date: addToYmd(TODAY, -Math.floor(r.next() * 1100) + 3, "d") };
}

const CMP = ["=", "!=", ">", ">=", "<", "<="] as const;

/** The accepted numbers at the ends of their ranges: counts (int4), money (±10^15). */
const EDGE_COUNTS = ["0", "2147483647"];
const EDGE_MONEY = ["1000000000000000", "-1000000000000000", "999999999999999.99", "-0.01"];

function numberArg(r: Random, name: string, max: number, decimals = false): FunctionArg {
  const num = () =>
    r.next() < 0.05
      ? pick(r, decimals ? EDGE_MONEY : EDGE_COUNTS)
      : `${Math.floor(r.next() * max)}${decimals && r.next() < 0.5 ? ".5" : ""}`;
  if (r.next() < 0.2) {
    const [lo, hi] = [num(), num()].sort((x, y) => Number(x) - Number(y)) as [string, string];
    return {
      name,
      operator: "BETWEEN",
      value: { kind: "range", low: { kind: "number", value: lo }, high: { kind: "number", value: hi } },
    };
  }
  return { name, operator: pick(r, CMP), value: { kind: "number", value: num() } };
}

function dateArg(r: Random): FunctionArg {
  if (r.next() < 0.2)
    return { name: "date", operator: "BETWEEN", value: { kind: "range", low: dateValue(r), high: dateValue(r) } };
  return { name: "date", operator: pick(r, CMP), value: dateValue(r) };
}

function textArg(r: Random, name: string, pool: readonly ScalarValue[]): FunctionArg {
  const roll = r.next();
  if (roll < 0.5) return { name, operator: "=", value: pick(r, pool) };
  if (roll < 0.65) return { name, operator: "!=", value: pick(r, pool) };
  const items = pool.filter(() => r.next() < 0.4);
  const list = { kind: "list" as const, items: items.length > 0 ? items : [pick(r, pool)] };
  return { name, operator: roll < 0.85 ? "IN" : "NOT IN", value: list };
}

const str = (value: string): ScalarValue => ({ kind: "string", value });

function randomFunction(r: Random): Rule {
  const args: FunctionArg[] = [];
  const negated = r.next() < 0.3;
  if (r.next() < 0.65) {
    if (r.next() < 0.3)
      args.push(
        textArg(
          r,
          "id",
          [...PRODUCT_IDS, "599", "42"].map((value) => ({ kind: "number", value })),
        ),
      );
    if (r.next() < 0.3) args.push(textArg(r, "tag", [...PRODUCT_TAGS, "ESPRESSO", "missing"].map(str)));
    if (r.next() < 0.3) args.push(textArg(r, "product_type", ["Coffee", "COFFEE", "Tea", "Mugs"].map(str)));
    if (r.next() < 0.3) args.push(textArg(r, "vendor", ["acme", "Globex", "Initech"].map(str)));
    if (r.next() < 0.4) args.push(dateArg(r));
    if (r.next() < 0.25) args.push(numberArg(r, "quantity", 6));
    if (r.next() < 0.3) args.push(numberArg(r, "sum_quantity", 12));
    return { kind: "function", name: "products_purchased", args, negated };
  }
  if (r.next() < 0.6)
    args.push({
      name: "count_at_least",
      operator: "=",
      value: { kind: "number", value: String(Math.floor(r.next() * 5)) },
    });
  if (r.next() < 0.4) args.push(numberArg(r, "sum_amount", 600, true));
  if (r.next() < 0.6) args.push(dateArg(r));
  return { kind: "function", name: "orders_placed", args, negated };
}

function randomCondition(r: Random): Rule {
  const which = Math.floor(r.next() * 14);
  if (which >= 11) return randomFunction(r);
  if (which === 10) {
    if (r.next() < 0.1)
      return { kind: "condition", attribute: "customer_cities", operator: r.next() < 0.5 ? "IS NULL" : "IS NOT NULL" };
    return {
      kind: "condition",
      attribute: "customer_cities",
      operator: r.next() < 0.7 ? "CONTAINS" : "NOT CONTAINS",
      value: str(pick(r, CITY_VALUES)),
    };
  }
  // (case 8 below sometimes asks for a lifecycle stage instead)
  const nul = r.next() < 0.08;
  const nullOp = r.next() < 0.5 ? ("IS NULL" as const) : ("IS NOT NULL" as const);
  switch (which) {
    case 0:
    case 1: {
      const attribute = pick(r, ["amount_spent", "average_order_value", "number_of_orders"]);
      if (nul) return { kind: "condition", attribute, operator: nullOp };
      const num = () =>
        r.next() < 0.05
          ? pick(r, attribute === "number_of_orders" ? EDGE_COUNTS : EDGE_MONEY)
          : attribute === "number_of_orders"
            ? String(Math.floor(r.next() * 7))
            : `${Math.floor(r.next() * 600)}${r.next() < 0.5 ? "" : ".5"}`;
      if (r.next() < 0.15) {
        const [lo, hi] = [num(), num()].sort((x, y) => Number(x) - Number(y)) as [string, string];
        return {
          kind: "condition",
          attribute,
          operator: "BETWEEN",
          value: { kind: "range", low: { kind: "number", value: lo }, high: { kind: "number", value: hi } },
        };
      }
      return { kind: "condition", attribute, operator: pick(r, CMP), value: { kind: "number", value: num() } };
    }
    case 2:
    case 3: {
      const attribute = pick(r, ["first_order_date", "last_order_date", "customer_added_date"]);
      if (nul) return { kind: "condition", attribute, operator: nullOp };
      if (r.next() < 0.15)
        return {
          kind: "condition",
          attribute,
          operator: "BETWEEN",
          value: { kind: "range", low: dateValue(r), high: dateValue(r) },
        };
      return { kind: "condition", attribute, operator: pick(r, CMP), value: dateValue(r) };
    }
    case 4:
      return {
        kind: "condition",
        attribute: "days_since_last_order",
        operator: pick(r, CMP),
        value: { kind: "number", value: r.next() < 0.05 ? "36525" : String(Math.floor(r.next() * 900)) },
      };
    case 5:
    case 6: {
      const attribute = pick(r, ["customer_tags", "customer_countries", "customer_regions"]);
      if (nul) return { kind: "condition", attribute, operator: nullOp };
      // Tab and line feed are the control characters text may hold (limits.ts).
      const value =
        attribute === "customer_tags"
          ? pick(r, [...TAGS, "missing", "tab\there", "two\nlines"])
          : attribute === "customer_countries"
            ? pick(r, ["US", "DE", "ca", "FR"])
            : pick(r, ["US-NY", "CA-ON", "us-ca", "DE-BE"]);
      return {
        kind: "condition",
        attribute,
        operator: r.next() < 0.7 ? "CONTAINS" : "NOT CONTAINS",
        value: { kind: "string", value },
      };
    }
    case 7:
      if (nul) return { kind: "condition", attribute: "customer_email_domain", operator: nullOp };
      return {
        kind: "condition",
        attribute: "customer_email_domain",
        operator: r.next() < 0.7 ? "=" : "!=",
        value: { kind: "string", value: pick(r, ["example.com", "EXAMPLE.org", "mail.example.net"]) },
      };
    case 8:
      if (r.next() < 0.3) {
        if (nul) return { kind: "condition", attribute: "rfm_group", operator: nullOp };
        return {
          kind: "condition",
          attribute: "rfm_group",
          operator: r.next() < 0.75 ? "=" : "!=",
          value: { kind: "string", value: pick(r, GROUPS) },
        };
      }
      if (r.next() < 0.5) {
        return {
          kind: "condition",
          attribute: "lifecycle_stage",
          operator: r.next() < 0.75 ? "=" : "!=",
          value: { kind: "string", value: pick(r, ["PROSPECT", "NEW", "REPEAT", "LOYAL", "LAPSING", "LAPSED"]) },
        };
      }
    // falls through
    default: {
      const attribute = pick(r, ["email_subscription_status", "sms_subscription_status"]);
      return {
        kind: "condition",
        attribute,
        operator: r.next() < 0.7 ? "=" : "!=",
        value: { kind: "string", value: pick(r, STATES) },
      };
    }
  }
}

function randomRule(r: Random, depth = 0): Rule {
  const roll = r.next();
  if (depth >= 3 || roll < 0.45) return randomCondition(r);
  if (roll < 0.55) return { kind: "not", child: randomRule(r, depth + 1) };
  const children = Array.from({ length: 2 + Math.floor(r.next() * 2) }, () => randomRule(r, depth + 1));
  return { kind: roll < 0.8 ? "and" : "or", children };
}

/**
 * Customers at the limits, outside the random stream: facts of 10^15 dollars and int4's largest order
 * count, dates on the first and last accepted days and a century either side of now, a line of int4's
 * largest quantity, tags with a tab and a line feed.
 */
const EXTREMES: { customer: CustomerRow; facts: Facts | null; orders: OrderRow[] }[] = [
  { at: dayStart(MIN_DATE, ZONE), spent: 10n ** 17n, orders: 2_147_483_647 },
  { at: new Date(dayStart(addToYmd(MAX_DATE, 1, "d"), ZONE).getTime() - 1), spent: -(10n ** 17n), orders: 0 },
  { at: dayStart(addToYmd(TODAY, -MAX_OFFSET.d, "d"), ZONE), spent: 99_999_999_999_999_999n, orders: 1 },
  { at: new Date(dayStart(addToYmd(TODAY, MAX_OFFSET.y, "y"), ZONE).getTime() - 1), spent: 1n, orders: 2_147_483_646 },
].map(({ at, spent, orders }, i) => {
  const id = String(9000 + i);
  const customer: CustomerRow = {
    id,
    email: `edge${i}@example.com`,
    firstName: null,
    lastName: null,
    countryCode: "US",
    provinceCode: "NY",
    city: "New York",
    tags: i % 2 ? ["tab\there", "vip"] : ["two\nlines"],
    emailMarketingState: "SUBSCRIBED",
    smsMarketingState: "NOT_SUBSCRIBED",
    createdAt: at,
    updatedAt: ctx.now,
  };
  const order: OrderRow = {
    id: `${id}-0`,
    name: null,
    customerId: id,
    email: null,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    currencyCode: "USD",
    totalMinor: spent < 0n ? 0n : spent,
    refundedMinor: 0n,
    financialStatus: "PAID",
    test: false,
    lines: [
      {
        id: `${id}-0-0`,
        productId: PRODUCT_IDS[i]!,
        variantId: null,
        title: null,
        sku: null,
        productType: "Coffee",
        vendor: "Acme",
        quantity: i === 0 ? 2_147_483_647 : 1,
        priceMinor: 1000n,
      },
    ],
  };
  const facts: Facts = {
    rfmGroup: "CHAMPIONS",
    ordersCount: orders,
    amountSpentMinor: spent,
    aovMinor: spent,
    firstOrderAt: at,
    lastOrderAt: at,
  };
  return { customer, facts, orders: [order] };
});

describe.each(DIALECTS)("evaluator = SQL on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const random = createRandom(Number(process.env.ENGINES_SEED ?? 20261125));
  const population = [...Array.from({ length: 400 }, (_, i) => randomCustomer(random, i)), ...EXTREMES];

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Engines", currencyCode: "USD", ianaTimezone: ZONE });
    await upsertCustomers(db, { shop: SHOP, rows: population.map((p) => p.customer), now: ctx.now });
    await upsertProducts(db, { shop: SHOP, rows: products, now: ctx.now });
    await upsertOrders(db, { shop: SHOP, rows: population.flatMap((p) => p.orders), now: ctx.now });
    for (const { customer, facts } of population) {
      if (!facts) continue;
      await db.run(
        sql`INSERT INTO "CustomerFacts" ("shop", "customerId", "ordersCount", "cancelledCount", "amountSpentMinor", "refundedMinor",
           "aovMinor", "firstOrderAt", "lastOrderAt", "orderDays", "computedAt", "rfmGroup")
         VALUES (${SHOP}, ${customer.id}, ${facts.ordersCount}, 0, ${facts.amountSpentMinor}, 0,
           ${facts.aovMinor}, ${facts.firstOrderAt}, ${facts.lastOrderAt}, 0, ${ctx.now}, ${facts.rfmGroup})`,
      );
    }
  });
  afterAll(async () => close());

  it.each([
    ["the default lifecycle thresholds", ctx, 400],
    ["a shop's own lifecycle thresholds", customCtx, 150],
  ] as const)("agrees on random rules with %s, customer by customer", async (_name, ctx, rules) => {
    const people = await subjects(db, { shop: SHOP, purchases: true });
    expect(people.size).toBe(population.length);
    let nonTrivial = 0;
    let functions = 0;
    for (let i = 0; i < rules; i++) {
      const rule = randomRule(random);
      const prepared = prepare(rule, ctx);
      expect(prepared.ok, JSON.stringify(rule)).toBe(true);
      if (!prepared.ok) continue;
      const inMemory = [...people]
        .filter(([, s]) => evaluate(prepared.prepared, s))
        .map(([id]) => id)
        .sort();
      const inSql = await matchingIds(db, { shop: SHOP, rule, ctx });
      expect(inSql, `rule: ${print(rule)}`).toEqual(inMemory);
      if (inMemory.length > 0 && inMemory.length < population.length) {
        nonTrivial += 1;
        if (readsPurchases(prepared.prepared)) functions += 1;
      }
    }
    // The rules must actually split the population, or agreement proves little.
    expect(nonTrivial).toBeGreaterThan(rules / 2);
    expect(functions).toBeGreaterThan(rules * 0.15);
  });

  it("loads the orders a subject needs only when asked, and then exactly the counted ones", async () => {
    const plain = await subjects(db, { shop: SHOP, ids: ["1000", "1001"] });
    expect([...plain.values()].every((s) => s.orders === undefined)).toBe(true);
    const withOrders = await subjects(db, { shop: SHOP, purchases: true });
    for (const { customer, orders } of population) {
      const counted = orders.filter((o) => !o.cancelledAt && !o.test);
      const loaded = withOrders.get(customer.id)!.orders!;
      expect(loaded.map((o) => o.processedAt.getTime()).sort()).toEqual(
        counted.map((o) => o.processedAt.getTime()).sort(),
      );
      expect(loaded.reduce((n, o) => n + o.lines.length, 0)).toBe(counted.reduce((n, o) => n + o.lines.length, 0));
    }
  });

  it.each([
    ["amount_spent >= 500 AND number_of_orders > 3"],
    ["last_order_date < -90d"],
    ["customer_tags CONTAINS 'vip'"],
    ["customer_countries CONTAINS 'DE' OR customer_regions CONTAINS 'US-NY'"],
    ["email_subscription_status = 'SUBSCRIBED' AND NOT (customer_email_domain = 'example.com')"],
    ["first_order_date BETWEEN 2025-01-01 AND 2025-03-31"],
    ["days_since_last_order >= 30"],
    ["last_order_date IS NULL"],
    ["customer_cities CONTAINS 'US-NY-NewYorkCity'"],
    ["products_purchased(tag: 'espresso', date: -30d) = true"],
    ["products_purchased MATCHES (tag = 'espresso', date >= -300d)"],
    ["products_purchased NOT MATCHES (product_type = 'coffee')"],
    ["products_purchased MATCHES (id IN (501, 502), quantity >= 2)"],
    ["products_purchased MATCHES (product_type = 'Coffee', sum_quantity >= 2)"],
    ["orders_placed MATCHES (count_at_least = 3, date >= -2y)"],
    ["orders_placed(count_at_least: 2, date: -1y) = true"],
    ["orders_placed MATCHES (sum_amount > 250.5)"],
    ["email_subscription_status IN ('SUBSCRIBED', 'PENDING') OR customer_email_domain NOT IN ('example.com')"],
    ["lifecycle_stage IN ('NEW', 'REPEAT') OR lifecycle_stage NOT IN ('LAPSED', 'PROSPECT', 'LOYAL')"],
  ])("counts %s the same way in both engines", async (query) => {
    const parsed = parse(query);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const prepared = prepare(parsed.rule, ctx);
    if (!prepared.ok) throw new Error(prepared.error);
    const people = await subjects(db, { shop: SHOP, purchases: true });
    const expected = [...people.values()].filter((s) => evaluate(prepared.prepared, s)).length;
    expect(expected).toBeGreaterThan(0);
    expect(await countMatching(db, { shop: SHOP, rule: parsed.rule, ctx })).toBe(expected);
  });

  it.each([
    ["the default thresholds", ctx],
    ["a shop's own thresholds", customCtx],
  ] as const)("puts every customer in exactly one lifecycle stage with %s, in both engines", async (_name, ctx) => {
    const people = await subjects(db, { shop: SHOP });
    const stages = ["PROSPECT", "NEW", "REPEAT", "LOYAL", "LAPSING", "LAPSED"];
    const counts = [];
    for (const stage of stages) {
      const parsed = parse(`lifecycle_stage = '${stage}'`);
      if (!parsed.ok) throw new Error(stage);
      counts.push(await countMatching(db, { shop: SHOP, rule: parsed.rule, ctx }));
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(people.size);
    expect(counts.every((n) => n > 0)).toBe(true);
    const { stageOf } = await import("~/domain/segments/evaluate");
    const tally = new Map<string, number>();
    for (const s of people.values()) tally.set(stageOf(s, ctx), (tally.get(stageOf(s, ctx)) ?? 0) + 1);
    expect(stages.map((st) => tally.get(st) ?? 0)).toEqual(counts);
    if (ctx === customCtx) {
      // The thresholds moved customers: fewer LAPSED with a year's grace, more LAPSING from 30 days.
      const byDefault = [];
      for (const stage of ["LAPSING", "LAPSED"]) {
        const parsed = parse(`lifecycle_stage = '${stage}'`);
        if (!parsed.ok) throw new Error(stage);
        byDefault.push(
          await countMatching(db, { shop: SHOP, rule: parsed.rule, ctx: { ...ctx, lifecycle: undefined } }),
        );
      }
      expect(counts[stages.indexOf("LAPSING")]).not.toBe(byDefault[0]);
      expect(counts[stages.indexOf("LAPSED")]).not.toBe(byDefault[1]);
    }
  });

  it("refuses to evaluate purchases on a subject loaded without them", async () => {
    const parsed = parse("orders_placed MATCHES (count_at_least = 1)");
    if (!parsed.ok) throw new Error("parse");
    const prepared = prepare(parsed.rule, ctx);
    if (!prepared.ok) throw new Error(prepared.error);
    const [subject] = (await subjects(db, { shop: SHOP, ids: ["1000"] })).values();
    expect(() => evaluate(prepared.prepared, subject!)).toThrow(/reads purchases/);
  });
});
