// The prediction attributes (p_alive, expected_orders_90d, predicted_clv, predicted_spend_tier,
// churn_risk, cluster) in both engines: random rules over random customers whose predictions sit on the
// edges (exactly on a band's boundary, 0 and 1, no prediction at all, a cluster name in another case),
// the in-memory evaluator against the SQL on SQLite and PostgreSQL; and a segment's members following
// when the predictions are rewritten.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { createRandom, type Random } from "~/demo/random";
import type { CustomerRow } from "~/domain/rows";
import { evaluate } from "~/domain/segments/evaluate";
import { prepare, type EngineContext } from "~/domain/segments/engine";
import { print } from "~/domain/segments/query-language";
import type { Rule, ScalarValue } from "~/domain/segments/rule";
import { recomputePredictionSegments } from "~/models/predictions/fit.server";
import { writeClusters, writePredictions, type PredictionRow } from "~/models/predictions/store.server";
import { createSegment } from "~/models/segments/definitions.server";
import { matchingIds } from "~/models/segments/read-models.server";
import { subjects } from "~/models/segments/subjects.server";
import { recomputeFacts, upsertCustomers, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";

const SHOP = "predictions-engines.myshopify.com";
const ctx: EngineContext = { now: new Date("2026-03-08T15:30:00Z"), timeZone: "UTC", currencyCode: "USD", shop: SHOP };
const TIERS = ["HIGH", "MEDIUM", "LOW"];
const CLUSTERS = ["frequent, high spend", "Frequent, High Spend", "one-time, low spend", "lapsed"];
const EDGE_REALS = [0, 1, 0.33, 0.34, 0.66, 0.67, 0.5, 1e-9, 0.1 + 0.2];
const CMP = ["=", "!=", ">", ">=", "<", "<="] as const;

function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r.next() * items.length)]!;
}

function customer(i: number): CustomerRow {
  return {
    id: String(5000 + i),
    email: null,
    firstName: null,
    lastName: null,
    countryCode: null,
    provinceCode: null,
    city: null,
    tags: [],
    emailMarketingState: "NOT_SUBSCRIBED",
    smsMarketingState: "NOT_SUBSCRIBED",
    createdAt: new Date("2025-01-01T00:00:00Z"),
    updatedAt: ctx.now,
  };
}

function prediction(r: Random, id: string): PredictionRow {
  const real = () => (r.next() < 0.4 ? pick(r, EDGE_REALS) : Math.round(r.next() * 1000) / 1000);
  return {
    customerId: id,
    pAlive: real(),
    expectedOrders90d: r.next() < 0.3 ? pick(r, EDGE_REALS) * 3 : r.next() * 4,
    predictedClvMinor: r.next() < 0.15 ? null : BigInt(Math.floor(r.next() * 50_000)),
    predictedSpendTier: r.next() < 0.15 ? null : pick(r, TIERS),
    churnRisk: pick(r, TIERS),
  };
}

function realText(r: Random): string {
  return pick(r, ["0", "1", "0.33", "0.34", "0.66", "0.5", "0.3", "2", "0.001", "3.5"]);
}

function predictionCondition(r: Random): Rule {
  const which = Math.floor(r.next() * 6);
  const nul = r.next() < 0.1;
  const nullOp = r.next() < 0.5 ? ("IS NULL" as const) : ("IS NOT NULL" as const);
  const num = (value: string): ScalarValue => ({ kind: "number", value });
  switch (which) {
    case 0:
    case 1: {
      const attribute = which === 0 ? "p_alive" : "expected_orders_90d";
      if (nul) return { kind: "condition", attribute, operator: nullOp };
      if (r.next() < 0.2) {
        const [lo, hi] = [realText(r), realText(r)].sort((a, b) => Number(a) - Number(b)) as [string, string];
        return {
          kind: "condition",
          attribute,
          operator: "BETWEEN",
          value: { kind: "range", low: num(lo), high: num(hi) },
        };
      }
      return { kind: "condition", attribute, operator: pick(r, CMP), value: num(realText(r)) };
    }
    case 2: {
      if (nul) return { kind: "condition", attribute: "predicted_clv", operator: nullOp };
      const money = () => pick(r, ["0", "10", "99.99", "250", "250.5", "500", "-1"]);
      if (r.next() < 0.2) {
        const [lo, hi] = [money(), money()].sort((a, b) => Number(a) - Number(b)) as [string, string];
        return {
          kind: "condition",
          attribute: "predicted_clv",
          operator: "BETWEEN",
          value: { kind: "range", low: num(lo), high: num(hi) },
        };
      }
      return { kind: "condition", attribute: "predicted_clv", operator: pick(r, CMP), value: num(money()) };
    }
    case 3:
    case 4: {
      const attribute = which === 3 ? "predicted_spend_tier" : "churn_risk";
      if (nul) return { kind: "condition", attribute, operator: nullOp };
      return {
        kind: "condition",
        attribute,
        operator: r.next() < 0.7 ? "=" : "!=",
        value: { kind: "string", value: pick(r, TIERS) },
      };
    }
    default:
      if (nul) return { kind: "condition", attribute: "cluster", operator: nullOp };
      return {
        kind: "condition",
        attribute: "cluster",
        operator: r.next() < 0.7 ? "=" : "!=",
        value: { kind: "string", value: pick(r, [...CLUSTERS, "FREQUENT, HIGH SPEND", "none"]) },
      };
  }
}

function randomRule(r: Random, depth = 0): Rule {
  const roll = r.next();
  if (depth >= 3 || roll < 0.45) {
    if (r.next() < 0.15)
      return {
        kind: "condition",
        attribute: "number_of_orders",
        operator: ">=",
        value: { kind: "number", value: "1" },
      };
    return predictionCondition(r);
  }
  if (roll < 0.55) return { kind: "not", child: randomRule(r, depth + 1) };
  const children = Array.from({ length: 2 + Math.floor(r.next() * 2) }, () => randomRule(r, depth + 1));
  return { kind: roll < 0.8 ? "and" : "or", children };
}

describe.each(DIALECTS)("prediction attributes, evaluator = SQL on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const random = createRandom(Number(process.env.ENGINES_SEED ?? 20261201));
  const people = Array.from({ length: 300 }, (_, i) => customer(i));

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Predictions", currencyCode: "USD", ianaTimezone: "UTC" });
    await upsertCustomers(db, { shop: SHOP, rows: people, now: ctx.now });
    await recomputeFacts(db, { shop: SHOP, now: ctx.now });
    // A fifth without any prediction row; of the others, some without a cluster.
    const scored = people.filter(() => random.next() < 0.8).map((p) => prediction(random, p.id));
    await writePredictions(db, { shop: SHOP, rows: scored, computedAt: ctx.now });
    await writeClusters(db, {
      shop: SHOP,
      rows: scored
        .filter(() => random.next() < 0.8)
        .map((p, i) => ({ customerId: p.customerId, clusterId: i % 4, clusterName: CLUSTERS[i % 4]! })),
      computedAt: ctx.now,
    });
  });
  afterAll(async () => close());

  it("agrees on 300 random rules, customer by customer", async () => {
    const loaded = await subjects(db, { shop: SHOP });
    expect(loaded.size).toBe(people.length);
    let nonTrivial = 0;
    for (let i = 0; i < 300; i++) {
      const rule = randomRule(random);
      const prepared = prepare(rule, ctx);
      expect(prepared.ok, JSON.stringify(rule)).toBe(true);
      if (!prepared.ok) continue;
      const inMemory = [...loaded]
        .filter(([, s]) => evaluate(prepared.prepared, s))
        .map(([id]) => id)
        .sort();
      const inSql = await matchingIds(db, { shop: SHOP, rule, ctx });
      expect(inSql, `rule: ${print(rule)}`).toEqual(inMemory);
      if (inMemory.length > 0 && inMemory.length < people.length) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(150);
  });

  it("moves a segment's members when the predictions are rewritten", async () => {
    const id = await createSegment(db, { shop: SHOP, name: "At risk", query: "churn_risk = 'HIGH'", now: ctx.now });
    const before = await db.prisma.segment.findUniqueOrThrow({ where: { id } });
    const everyone: PredictionRow[] = people.map((p) => ({
      customerId: p.id,
      pAlive: 0.1,
      expectedOrders90d: 0,
      predictedClvMinor: 0n,
      predictedSpendTier: "LOW",
      churnRisk: "HIGH",
    }));
    await writePredictions(db, { shop: SHOP, rows: everyone, computedAt: new Date(ctx.now.getTime() + 1000) });
    expect(await recomputePredictionSegments(db, { shop: SHOP, now: ctx.now })).toBe(1);
    const after = await db.prisma.segment.findUniqueOrThrow({ where: { id } });
    expect(before.memberCount).toBeLessThan(people.length);
    expect(after.memberCount).toBe(people.length);
    expect(await db.prisma.segmentMember.count({ where: { shop: SHOP, segmentId: id } })).toBe(people.length);
  });
});
