// Browsing behaviour in both engines: random pixel events over random customers (day-boundary times,
// mixed-case types and vendors, unknown products, events without a session, carts completed by a
// checkout or an order just inside or outside the window, anonymous events that must not count), and
// random rules over products_viewed, collections_viewed, searched, abandoned_cart, sessions_count and
// last_seen_date, mixed with order attributes; the in-memory evaluator (over the events) against the
// SQL (over the events, and their PixelActivity rollup for sessions and last seen), on SQLite and
// PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import { createRandom, type Random } from "~/demo/random";
import type { CustomerRow, OrderRow, ProductRow } from "~/domain/rows";
import { evaluate } from "~/domain/segments/evaluate";
import { prepare, readsBehaviour, type EngineContext } from "~/domain/segments/engine";
import { parse, print } from "~/domain/segments/query-language";
import type { FunctionArg, Rule, ScalarValue } from "~/domain/segments/rule";
import { countMatching, matchingIds } from "~/models/segments/read-models.server";
import { subjects } from "~/models/segments/subjects.server";
import { recomputeFacts, upsertCustomers, upsertOrders, upsertProducts, upsertShop } from "~/models/store.server";
import { customersOf, refreshActivity } from "~/pixel/activity.server";
import type { PixelEventRow } from "~/pixel/events";
import { insertEvents } from "~/pixel/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";

const SHOP = "behaviour.myshopify.com";
const ZONE = "America/New_York";
const ctx: EngineContext = { now: new Date("2026-03-08T15:30:00Z"), timeZone: ZONE, currencyCode: "USD", shop: SHOP };
const TODAY = localDate(ctx.now, ZONE);
const PRODUCT_IDS = ["601", "602", "603", "604", "699"]; // 699 is never synced
const TYPES = ["Coffee Beans", "coffee beans", "Tea", null];
const VENDORS = ["Roastery", "ROASTERY", "Leafy", null];
const TAGS = ["espresso", "Decaf", "gift"];
const COLLECTIONS = ["91", "92", "93"];
const QUERIES = ["espresso beans", "decaf", "green tea", "Espresso", "mug"];
const NAMES = [
  "page_viewed",
  "product_viewed",
  "product_viewed",
  "collection_viewed",
  "search_submitted",
  "product_added_to_cart",
  "checkout_started",
  "checkout_completed",
  "product_removed_from_cart",
] as const;

const products: ProductRow[] = PRODUCT_IDS.slice(0, 4).map((id, i) => ({
  id,
  handle: `p-${id}`,
  title: `Product ${id}`,
  productType: TYPES[i % TYPES.length]!,
  vendor: VENDORS[i % VENDORS.length]!,
  tags: TAGS.filter((_, j) => (i + j) % 2 === 0),
  status: "ACTIVE",
  imageUrl: null,
  priceMinor: 1000n,
  createdAt: new Date("2020-01-01T00:00:00Z"),
  updatedAt: new Date("2020-01-01T00:00:00Z"),
}));

function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r.next() * items.length)]!;
}

/** Within 40 days of now, often on a day's start in the shop's zone or a millisecond either side. */
function edgeInstant(r: Random): Date {
  const day = addToYmd(TODAY, -Math.floor(r.next() * 40), "d");
  if (r.next() < 0.4) return new Date(dayStart(day, ZONE).getTime() + pick(r, [-1, 0, 1]));
  return new Date(dayStart(day, ZONE).getTime() + Math.floor(r.next() * 86_400_000));
}

let eventSeq = 0;
function event(r: Random, customerId: string | null, at: Date, name = pick(r, NAMES)): PixelEventRow {
  const product = name.startsWith("product") ? pick(r, PRODUCT_IDS) : null;
  const i = product ? PRODUCT_IDS.indexOf(product) : 0;
  return {
    shop: SHOP,
    eventId: `e${eventSeq++}`,
    name,
    at,
    clientId: `client-${customerId ?? "anon"}`,
    sessionId: r.next() < 0.15 ? null : `s${Math.floor(r.next() * 4)}`,
    customerId,
    productId: product,
    variantId: product ? `${product}1` : null,
    collectionId: name === "collection_viewed" ? pick(r, COLLECTIONS) : null,
    // The event's own type and vendor, which may differ in case from the product's.
    productType: product ? (TYPES[(i + (r.next() < 0.3 ? 1 : 0)) % TYPES.length] ?? null) : null,
    vendor: product ? (VENDORS[i % VENDORS.length] ?? null) : null,
    query: name === "search_submitted" ? pick(r, QUERIES).toLowerCase() : null,
    valueMinor: null,
    currencyCode: null,
  };
}

type Person = { customer: CustomerRow; events: PixelEventRow[]; orders: OrderRow[] };

function person(r: Random, n: number): Person {
  const id = String(5000 + n);
  const customer: CustomerRow = {
    id,
    email: null,
    firstName: null,
    lastName: null,
    tags: [],
    countryCode: null,
    provinceCode: null,
    city: null,
    emailMarketingState: "NOT_SUBSCRIBED",
    smsMarketingState: "NOT_SUBSCRIBED",
    createdAt: new Date("2025-01-01T00:00:00Z"),
    updatedAt: new Date("2025-01-01T00:00:00Z"),
  };
  const events: PixelEventRow[] = [];
  const orders: OrderRow[] = [];
  const count = r.next() < 0.2 ? 0 : Math.floor(r.next() * 12);
  for (let k = 0; k < count; k++) events.push(event(r, id, edgeInstant(r)));
  // A cart, then a completion (checkout or order) just inside or outside 24 hours, or a little before.
  if (r.next() < 0.4) {
    const cart = edgeInstant(r);
    events.push(event(r, id, cart, pick(r, ["product_added_to_cart", "checkout_started"] as const)));
    const offset = pick(r, [-11 * 60_000, -9 * 60_000, 0, 3_600_000, 86_400_000 - 1, 86_400_000, 3 * 86_400_000]);
    const at = new Date(cart.getTime() + offset);
    if (r.next() < 0.5) events.push(event(r, id, at, "checkout_completed"));
    else
      orders.push({
        id: `${id}-o`,
        name: null,
        customerId: id,
        email: null,
        createdAt: at,
        processedAt: at,
        updatedAt: at,
        cancelledAt: r.next() < 0.2 ? at : null,
        currencyCode: "USD",
        totalMinor: 1000n,
        refundedMinor: 0n,
        financialStatus: "PAID",
        test: false,
        lines: [],
      });
  }
  // Anonymous browsing on the same shop never counts for anyone.
  if (r.next() < 0.3) events.push(event(r, null, edgeInstant(r)));
  return { customer, events, orders };
}

const CMP = ["=", "!=", ">", ">=", "<", "<="] as const;

function dateArg(r: Random): FunctionArg {
  const value: ScalarValue = { kind: "relative", amount: -Math.floor(1 + r.next() * 30), unit: "d" };
  return { name: "date", operator: pick(r, [">=", "<", "=", ">"] as const), value };
}

function behaviourRule(r: Random): Rule {
  const x = r.next();
  const negated = r.next() < 0.2;
  if (x < 0.25) {
    const args: FunctionArg[] = [];
    if (r.next() < 0.4)
      args.push({
        name: "product_type",
        operator: pick(r, ["=", "!="] as const),
        value: { kind: "string", value: pick(r, ["coffee beans", "TEA"]) },
      });
    if (r.next() < 0.3)
      args.push({
        name: "vendor",
        operator: "IN",
        value: {
          kind: "list",
          items: [
            { kind: "string", value: "roastery" },
            { kind: "string", value: "Leafy" },
          ],
        },
      });
    if (r.next() < 0.3)
      args.push(
        r.next() < 0.5
          ? { name: "tag", operator: "=", value: { kind: "string", value: "Espresso" } }
          : { name: "tag", operator: "NOT IN", value: { kind: "list", items: [{ kind: "string", value: "gift" }] } },
      );
    if (r.next() < 0.3)
      args.push({ name: "id", operator: "=", value: { kind: "number", value: pick(r, PRODUCT_IDS) } });
    if (r.next() < 0.6) args.push(dateArg(r));
    if (r.next() < 0.5)
      args.push({
        name: "count_at_least",
        operator: "=",
        value: { kind: "number", value: String(Math.floor(r.next() * 4)) },
      });
    return { kind: "function", name: "products_viewed", args, negated };
  }
  if (x < 0.35) {
    const args: FunctionArg[] = [];
    if (r.next() < 0.6)
      args.push({
        name: "id",
        operator: pick(r, ["=", "!="] as const),
        value: { kind: "number", value: pick(r, COLLECTIONS) },
      });
    if (r.next() < 0.5) args.push(dateArg(r));
    if (r.next() < 0.4)
      args.push({
        name: "count_at_least",
        operator: "=",
        value: { kind: "number", value: String(1 + Math.floor(r.next() * 3)) },
      });
    return { kind: "function", name: "collections_viewed", args, negated };
  }
  if (x < 0.5) {
    const args: FunctionArg[] = [];
    if (r.next() < 0.7)
      args.push({
        name: "query_contains",
        operator: "=",
        value: { kind: "string", value: pick(r, ["ESPRESSO", "tea", "", "decaf beans"]) },
      });
    if (r.next() < 0.5) args.push(dateArg(r));
    return { kind: "function", name: "searched", args, negated };
  }
  if (x < 0.7) {
    const args: FunctionArg[] = [];
    if (r.next() < 0.6) args.push(dateArg(r));
    if (r.next() < 0.4)
      args.push({
        name: "within_hours",
        operator: "=",
        value: { kind: "number", value: pick(r, ["1", "24", "48", "0"]) },
      });
    return { kind: "function", name: "abandoned_cart", args, negated };
  }
  if (x < 0.85) {
    if (r.next() < 0.2)
      return {
        kind: "condition",
        attribute: "sessions_count",
        operator: "BETWEEN",
        value: { kind: "range", low: { kind: "number", value: "1" }, high: { kind: "number", value: "3" } },
      };
    return {
      kind: "condition",
      attribute: "sessions_count",
      operator: pick(r, CMP),
      value: { kind: "number", value: String(Math.floor(r.next() * 5)) },
    };
  }
  if (r.next() < 0.2)
    return { kind: "condition", attribute: "last_seen_date", operator: pick(r, ["IS NULL", "IS NOT NULL"] as const) };
  return {
    kind: "condition",
    attribute: "last_seen_date",
    operator: pick(r, CMP),
    value: { kind: "relative", amount: -Math.floor(1 + r.next() * 30), unit: "d" },
  };
}

function randomRule(r: Random): Rule {
  const a = behaviourRule(r);
  const y = r.next();
  if (y < 0.5) return a;
  if (y < 0.7) return { kind: "not", child: a };
  const b =
    r.next() < 0.5
      ? behaviourRule(r)
      : ({
          kind: "condition",
          attribute: "number_of_orders",
          operator: "=",
          value: { kind: "number", value: "0" },
        } as Rule);
  return { kind: r.next() < 0.5 ? "and" : "or", children: [a, b] };
}

describe.each(DIALECTS)("browsing behaviour: evaluator = SQL on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const random = createRandom(Number(process.env.BEHAVIOUR_SEED ?? 20261201));
  const population = Array.from({ length: 250 }, (_, i) => person(random, i));

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Behaviour", currencyCode: "USD", ianaTimezone: ZONE });
    await upsertCustomers(db, { shop: SHOP, rows: population.map((p) => p.customer), now: ctx.now });
    await upsertProducts(db, { shop: SHOP, rows: products, now: ctx.now });
    await upsertOrders(db, { shop: SHOP, rows: population.flatMap((p) => p.orders), now: ctx.now });
    await recomputeFacts(db, { shop: SHOP, now: ctx.now });
    const events = population.flatMap((p) => p.events);
    await insertEvents(db, { rows: events, receivedAt: ctx.now });
    // As the writer does: sessions_count and last_seen_date read the rollup of these events in SQL.
    await refreshActivity(db, { shop: SHOP, customerIds: customersOf(events) });
  });
  afterAll(async () => close());

  it("agrees on 300 random behavioural rules, customer by customer", async () => {
    const people = await subjects(db, { shop: SHOP, purchases: true, behaviour: true });
    expect(people.size).toBe(population.length);
    let nonTrivial = 0;
    for (let i = 0; i < 300; i++) {
      const rule = randomRule(random);
      const prepared = prepare(rule, ctx);
      expect(prepared.ok, JSON.stringify(rule)).toBe(true);
      if (!prepared.ok) continue;
      expect(readsBehaviour(prepared.prepared)).toBe(true);
      const inMemory = [...people]
        .filter(([, s]) => evaluate(prepared.prepared, s))
        .map(([id]) => id)
        .sort();
      const inSql = await matchingIds(db, { shop: SHOP, rule, ctx });
      expect(inSql, `rule: ${print(rule)}`).toEqual(inMemory);
      if (inMemory.length > 0 && inMemory.length < population.length) nonTrivial += 1;
    }
    expect(nonTrivial).toBeGreaterThan(150);
  });

  it.each([
    ["products_viewed MATCHES (product_type = 'Coffee Beans', count_at_least = 2, date >= -30d)"],
    ["products_viewed MATCHES (tag = 'espresso')"],
    ["collections_viewed MATCHES (id = 91)"],
    ["searched MATCHES (query_contains = 'Espresso', date >= -7d)"],
    ["abandoned_cart MATCHES (date >= -7d)"],
    ["abandoned_cart MATCHES (within_hours = 1)"],
    ["sessions_count >= 3"],
    ["sessions_count = 0"],
    ["last_seen_date >= -7d"],
    ["last_seen_date IS NULL"],
    ["products_viewed MATCHES (date >= -7d) AND orders_placed NOT MATCHES (date >= -7d)"],
  ])("counts %s the same way in both engines", async (query) => {
    const parsed = parse(query);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const prepared = prepare(parsed.rule, ctx);
    if (!prepared.ok) throw new Error(prepared.error);
    const people = await subjects(db, { shop: SHOP, purchases: true, behaviour: true });
    const expected = [...people.values()].filter((s) => evaluate(prepared.prepared, s)).length;
    expect(expected).toBeGreaterThan(0);
    expect(await countMatching(db, { shop: SHOP, rule: parsed.rule, ctx })).toBe(expected);
  });

  it("refuses to evaluate browsing on a subject loaded without it", async () => {
    const parsed = parse("sessions_count > 1");
    if (!parsed.ok) throw new Error("parse");
    const prepared = prepare(parsed.rule, ctx);
    if (!prepared.ok) throw new Error(prepared.error);
    const [subject] = (await subjects(db, { shop: SHOP, ids: ["5000"] })).values();
    expect(() => evaluate(prepared.prepared, subject!)).toThrow(/reads browsing/);
  });
});
