// One meaning, two engines: random rules over random customers, the in-memory evaluator against the
// SQL the database runs, on SQLite and PostgreSQL. Customers are drawn to sit on the edges that break
// engines: exactly at a day's start in the shop's zone and a millisecond either side, no orders, no
// email, tags in mixed case.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { Sql } from "~/db/database.server";
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import { createRandom, type Random } from "~/demo/random";
import type { CustomerRow } from "~/domain/rows";
import { evaluate, prepare, type EngineContext } from "~/domain/segments/engine";
import { parse, print } from "~/domain/segments/query-language";
import type { Rule, ScalarValue } from "~/domain/segments/rule";
import { countMatching, matchingIds, subjects } from "~/models/segments.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";

const SHOP = "engines.myshopify.com";
const ZONE = "America/New_York";
const ctx: EngineContext = { now: new Date("2026-03-08T15:30:00Z"), timeZone: ZONE, currencyCode: "USD" }; // a DST-change day
const TODAY = localDate(ctx.now, ZONE);
const TAGS = ["vip", "VIP", "Wholesale", "newsletter", "gift-buyer", "ümlaut"];
const COUNTRIES: [string, string | null][] = [["US", "NY"], ["US", "CA"], ["DE", null], ["CA", "ON"], ["GB", null]];
const STATES = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING"];
const DOMAINS = ["example.com", "Example.COM", "mail.example.net", "example.org"];
const OFFSETS = [-1, 0, 1];

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

type Facts = { rfmGroup: string | null; ordersCount: number; amountSpentMinor: bigint; aovMinor: bigint | null; firstOrderAt: Date | null; lastOrderAt: Date | null };

function randomCustomer(r: Random, i: number): { customer: CustomerRow; facts: Facts | null } {
  const [country, province] = r.next() < 0.15 ? [null, null] : pick(r, COUNTRIES);
  const tags = TAGS.filter(() => r.next() < 0.2);
  const customer: CustomerRow = {
    id: String(1000 + i),
    email: r.next() < 0.1 ? null : r.next() < 0.05 ? "no-at-sign" : `c${i}@${pick(r, DOMAINS)}`,
    firstName: null,
    lastName: null,
    countryCode: country,
    provinceCode: province,
    city: null,
    tags,
    emailMarketingState: pick(r, STATES) as CustomerRow["emailMarketingState"],
    smsMarketingState: pick(r, STATES) as CustomerRow["smsMarketingState"],
    createdAt: edgeInstant(r),
    updatedAt: ctx.now,
  };
  if (r.next() < 0.1) return { customer, facts: null }; // facts not computed yet
  const orders = r.next() < 0.3 ? 0 : 1 + Math.floor(r.next() * 6);
  const spent = orders === 0 ? 0n : BigInt(Math.floor(r.next() * 60_000));
  const first = orders ? edgeInstant(r) : null;
  const last = orders ? (r.next() < 0.3 ? first : edgeInstant(r)) : null;
  const [a, b] = first && last && last < first ? [last, first] : [first, last];
  return {
    customer,
    facts: { rfmGroup: r.next() < 0.1 ? null : pick(r, GROUPS), ordersCount: orders, amountSpentMinor: spent, aovMinor: orders ? spent / BigInt(orders) : null, firstOrderAt: a, lastOrderAt: b },
  };
}

function dateValue(r: Random): ScalarValue {
  const roll = r.next();
  if (roll < 0.15) return { kind: "today" };
  if (roll < 0.6) return { kind: "relative", amount: -(1 + Math.floor(r.next() * 800)), unit: pick(r, ["d", "w", "m", "y"] as const) };
  return { kind: "absolute", date: addToYmd(TODAY, -Math.floor(r.next() * 1100) + 3, "d") };
}

const CMP = ["=", "!=", ">", ">=", "<", "<="] as const;

function randomCondition(r: Random): Rule {
  const which = Math.floor(r.next() * 10);
  // (case 8 below sometimes asks for a lifecycle stage instead)
  const nul = r.next() < 0.08;
  const nullOp = r.next() < 0.5 ? ("IS NULL" as const) : ("IS NOT NULL" as const);
  switch (which) {
    case 0:
    case 1: {
      const attribute = pick(r, ["amount_spent", "average_order_value", "number_of_orders"]);
      if (nul) return { kind: "condition", attribute, operator: nullOp };
      const num = () => (attribute === "number_of_orders" ? String(Math.floor(r.next() * 7)) : `${Math.floor(r.next() * 600)}${r.next() < 0.5 ? "" : ".5"}`);
      if (r.next() < 0.15) {
        const [lo, hi] = [num(), num()].sort((x, y) => Number(x) - Number(y)) as [string, string];
        return { kind: "condition", attribute, operator: "BETWEEN", value: { kind: "range", low: { kind: "number", value: lo }, high: { kind: "number", value: hi } } };
      }
      return { kind: "condition", attribute, operator: pick(r, CMP), value: { kind: "number", value: num() } };
    }
    case 2:
    case 3: {
      const attribute = pick(r, ["first_order_date", "last_order_date", "customer_added_date"]);
      if (nul) return { kind: "condition", attribute, operator: nullOp };
      if (r.next() < 0.15) return { kind: "condition", attribute, operator: "BETWEEN", value: { kind: "range", low: dateValue(r), high: dateValue(r) } };
      return { kind: "condition", attribute, operator: pick(r, CMP), value: dateValue(r) };
    }
    case 4:
      return { kind: "condition", attribute: "days_since_last_order", operator: pick(r, CMP), value: { kind: "number", value: String(Math.floor(r.next() * 900)) } };
    case 5:
    case 6: {
      const attribute = pick(r, ["customer_tags", "customer_countries", "customer_regions"]);
      if (nul) return { kind: "condition", attribute, operator: nullOp };
      const value = attribute === "customer_tags" ? pick(r, [...TAGS, "missing"]) : attribute === "customer_countries" ? pick(r, ["US", "DE", "ca", "FR"]) : pick(r, ["US-NY", "CA-ON", "us-ca", "DE-BE"]);
      return { kind: "condition", attribute, operator: r.next() < 0.7 ? "CONTAINS" : "NOT CONTAINS", value: { kind: "string", value } };
    }
    case 7:
      if (nul) return { kind: "condition", attribute: "customer_email_domain", operator: nullOp };
      return { kind: "condition", attribute: "customer_email_domain", operator: r.next() < 0.7 ? "=" : "!=", value: { kind: "string", value: pick(r, ["example.com", "EXAMPLE.org", "mail.example.net"]) } };
    case 8:
      if (r.next() < 0.3) {
        if (nul) return { kind: "condition", attribute: "rfm_group", operator: nullOp };
        return { kind: "condition", attribute: "rfm_group", operator: r.next() < 0.75 ? "=" : "!=", value: { kind: "string", value: pick(r, GROUPS) } };
      }
      if (r.next() < 0.5) {
        return { kind: "condition", attribute: "lifecycle_stage", operator: r.next() < 0.75 ? "=" : "!=", value: { kind: "string", value: pick(r, ["PROSPECT", "NEW", "REPEAT", "LOYAL", "LAPSING", "LAPSED"]) } };
      }
    // falls through
    default: {
      const attribute = pick(r, ["email_subscription_status", "sms_subscription_status"]);
      return { kind: "condition", attribute, operator: r.next() < 0.7 ? "=" : "!=", value: { kind: "string", value: pick(r, STATES) } };
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

describe.each(DIALECTS)("evaluator = SQL on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const random = createRandom(Number(process.env.ENGINES_SEED ?? 20261125));
  const population = Array.from({ length: 400 }, (_, i) => randomCustomer(random, i));

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Engines", currencyCode: "USD", ianaTimezone: ZONE });
    await upsertCustomers(db, { shop: SHOP, rows: population.map((p) => p.customer), now: ctx.now });
    for (const { customer, facts } of population) {
      if (!facts) continue;
      const sql = new Sql(db.dialect);
      await db.run(
        sql,
        `INSERT INTO "CustomerFacts" ("shop", "customerId", "ordersCount", "cancelledCount", "amountSpentMinor", "refundedMinor",
           "aovMinor", "firstOrderAt", "lastOrderAt", "orderDays", "computedAt", "rfmGroup")
         VALUES (${sql.p(SHOP)}, ${sql.p(customer.id)}, ${sql.p(facts.ordersCount)}, 0, ${sql.p(facts.amountSpentMinor)}, 0,
           ${sql.p(facts.aovMinor)}, ${sql.p(facts.firstOrderAt)}, ${sql.p(facts.lastOrderAt)}, 0, ${sql.p(ctx.now)}, ${sql.p(facts.rfmGroup)})`,
      );
    }
  });
  afterAll(async () => close());

  it("agrees on 300 random rules, customer by customer", async () => {
    const people = await subjects(db, { shop: SHOP });
    expect(people.size).toBe(400);
    let nonTrivial = 0;
    for (let i = 0; i < 300; i++) {
      const rule = randomRule(random);
      const prepared = prepare(rule, ctx);
      expect(prepared.ok, JSON.stringify(rule)).toBe(true);
      if (!prepared.ok) continue;
      const inMemory = [...people].filter(([, s]) => evaluate(prepared.prepared, s)).map(([id]) => id).sort();
      const inSql = await matchingIds(db, { shop: SHOP, rule, ctx });
      expect(inSql, `rule: ${print(rule)}`).toEqual(inMemory);
      if (inMemory.length > 0 && inMemory.length < 400) nonTrivial += 1;
    }
    // The rules must actually split the population, or agreement proves little.
    expect(nonTrivial).toBeGreaterThan(150);
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
  ])("counts %s the same way in both engines", async (query) => {
    const parsed = parse(query);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const prepared = prepare(parsed.rule, ctx);
    if (!prepared.ok) throw new Error(prepared.error);
    const people = await subjects(db, { shop: SHOP });
    const expected = [...people.values()].filter((s) => evaluate(prepared.prepared, s)).length;
    expect(await countMatching(db, { shop: SHOP, rule: parsed.rule, ctx })).toBe(expected);
  });

  it("puts every customer in exactly one lifecycle stage, in both engines", async () => {
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
    const { stageOf } = await import("~/domain/segments/engine");
    const tally = new Map<string, number>();
    for (const s of people.values()) tally.set(stageOf(s, ctx), (tally.get(stageOf(s, ctx)) ?? 0) + 1);
    expect(stages.map((st) => tally.get(st) ?? 0)).toEqual(counts);
  });

  it("says which parts it cannot evaluate yet, in both engines alike", () => {
    for (const query of ["customer_cities CONTAINS 'US-NY-NewYorkCity'", "products_purchased(tag: 'espresso') = true"]) {
      const parsed = parse(query);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      const prepared = prepare(parsed.rule, ctx);
      expect(prepared.ok).toBe(false);
    }
  });
});
