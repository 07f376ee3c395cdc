import { describe, expect, it } from "vitest";
import {
  armOf,
  biasTowardInterest,
  bucket,
  decide,
  parseClientId,
  parseCountry,
  parseLimit,
  parseNumericId,
  parseVisitorId,
  recommendationInputs,
  visitInterest,
  type CampaignRule,
  type Visitor,
} from "./personalize";

const now = new Date("2026-12-01T12:00:00Z");
const campaign = (over: Partial<CampaignRule> & { id: number }): CampaignRule => ({
  status: "active",
  segmentId: null,
  countries: [],
  newVisitorsOnly: false,
  priority: 0,
  startsAt: null,
  endsAt: null,
  holdoutPercent: 0,
  strategy: "personal",
  interestProductType: null,
  interestViews: 3,
  ...over,
});
const customer = (segmentIds: number[], id = "1001"): Visitor => ({
  customerId: id,
  segmentIds,
  country: "US",
  visitorId: null,
  newVisitor: false,
  interest: new Map(),
});
const anonymous = (over: Partial<Visitor> = {}): Visitor => ({
  customerId: null,
  segmentIds: [],
  country: null,
  visitorId: "v-abcdef123",
  newVisitor: false,
  interest: new Map(),
  ...over,
});

const VIP = campaign({ id: 1, segmentId: 10, priority: 5 });
const LAPSED = campaign({ id: 2, segmentId: 20, priority: 9 });
const NEW_CA = campaign({ id: 3, countries: ["CA"], newVisitorsOnly: true, priority: 1 });
const EVERYONE = campaign({ id: 4, priority: 0 });

describe("decide", () => {
  it.each([
    ["in no segment, no catch-all", [VIP, LAPSED], customer([]), null],
    ["in one segment", [VIP, LAPSED], customer([10]), 1],
    ["in several: the higher priority wins", [VIP, LAPSED], customer([10, 20]), 2],
    ["in a segment no campaign targets", [VIP], customer([99]), null],
    ["a catch-all reaches anyone", [VIP, EVERYONE], customer([]), 4],
    ["a segment campaign beats a lower catch-all", [VIP, EVERYONE], customer([10]), 1],
    ["anonymous never matches a segment campaign", [VIP, LAPSED], anonymous(), null],
    ["anonymous new visitor from CA", [NEW_CA], anonymous({ country: "CA", newVisitor: true }), 3],
    ["anonymous returning visitor from CA", [NEW_CA], anonymous({ country: "CA" }), null],
    ["anonymous new visitor from US", [NEW_CA], anonymous({ country: "US", newVisitor: true }), null],
    ["anonymous without a country, country campaign", [NEW_CA], anonymous({ newVisitor: true }), null],
    ["a logged-in customer is not a new visitor", [NEW_CA], { ...customer([]), country: "CA", newVisitor: true }, null],
  ] as const)("%s", (_, campaigns, visitor, expected) => {
    const d = decide(campaigns, visitor, now);
    expect(d.campaign?.id ?? null).toBe(expected);
    expect(d.kind).toBe(expected === null ? "fallback" : "campaign");
  });

  it("breaks priority ties by the older campaign, whatever the order given", () => {
    const a = campaign({ id: 7, segmentId: 10, priority: 3 });
    const b = campaign({ id: 8, segmentId: 10, priority: 3 });
    expect(decide([b, a], customer([10]), now).campaign?.id).toBe(7);
    expect(decide([a, b], customer([10]), now).campaign?.id).toBe(7);
  });

  it.each([
    ["draft", { status: "draft" as const }, false],
    ["paused", { status: "paused" as const }, false],
    ["not started", { startsAt: new Date("2026-12-02T00:00:00Z") }, false],
    ["started", { startsAt: new Date("2026-12-01T00:00:00Z") }, true],
    ["ended (end is exclusive)", { endsAt: new Date("2026-12-01T12:00:00Z") }, false],
    ["ending later", { endsAt: new Date("2026-12-01T12:00:01Z") }, true],
  ])("dates and status: %s", (_, over, live) => {
    const d = decide([campaign({ id: 1, segmentId: 10, ...over })], customer([10]), now);
    expect(d.kind === "campaign").toBe(live);
  });

  it("a paused higher-priority campaign gives way to the next", () => {
    const paused = { ...LAPSED, status: "paused" as const };
    expect(decide([VIP, paused], customer([10, 20]), now).campaign?.id).toBe(1);
  });
});

describe("holdout", () => {
  const held = campaign({ id: 11, segmentId: 10, holdoutPercent: 20 });

  it("puts about holdoutPercent of customers in the control arm, who see the fallback", () => {
    let holdout = 0;
    for (let i = 0; i < 10_000; i++) {
      const d = decide([held], customer([10], String(1_000_000 + i)), now);
      expect(d.campaign?.id).toBe(11);
      if (d.kind === "holdout") holdout += 1;
    }
    expect(holdout / 10_000).toBeGreaterThan(0.18);
    expect(holdout / 10_000).toBeLessThan(0.22);
  });

  it("is stable for a customer and differs between campaigns", () => {
    const subjects = Array.from({ length: 200 }, (_, i) => `c:${5000 + i}`);
    const first = subjects.map((s) => armOf(11, s, 30));
    expect(subjects.map((s) => armOf(11, s, 30))).toEqual(first);
    expect(subjects.map((s) => armOf(12, s, 30))).not.toEqual(first);
  });

  it("0 % holds no one out, 100 % everyone", () => {
    expect(armOf(1, "c:1", 0)).toBe("campaign");
    expect(armOf(1, "c:1", 100)).toBe("holdout");
  });

  it("assigns anonymous visitors by their visitor id; without one they see the campaign", () => {
    const everyone = campaign({ id: 12, holdoutPercent: 50 });
    const arms = new Set(
      Array.from({ length: 50 }, (_, i) => decide([everyone], anonymous({ visitorId: `visitor-${i}xx` }), now).kind),
    );
    expect(arms).toEqual(new Set(["campaign", "holdout"]));
    expect(decide([everyone], anonymous({ visitorId: null }), now).kind).toBe("campaign");
  });

  it("spreads buckets evenly", () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[Math.floor(bucket(`3:c:${i}`) / 1000)] += 1;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });
});

describe("recommendationInputs", () => {
  const v = customer([10, 20], "42");
  it.each([
    ["personal", 10, { customerId: "42", segmentIds: [10, 20] }],
    ["segment", 10, { customerId: null, segmentIds: [10] }],
    ["bestsellers", 10, { customerId: null, segmentIds: [] }],
    [null, null, { customerId: "42", segmentIds: [10, 20] }],
  ] as const)("%s", (strategy, segment, expected) => {
    expect(recommendationInputs(strategy, v, segment)).toEqual(expected);
  });
});

describe("the blocks' parameters, read leniently", () => {
  it.each([
    ["us", "US"],
    [" CA ", "CA"],
    ["USA", null],
    ["", null],
    [null, null],
    ["<x>", null],
  ])("country %j", (input, out) => expect(parseCountry(input)).toBe(out));
  it.each([
    ["abcdef12", "abcdef12"],
    ["short", null],
    ["x".repeat(65), null],
    ["bad id!", null],
  ])("visitor id %j", (input, out) => expect(parseVisitorId(input)).toBe(out));
  it.each([
    ["123", "123"],
    ["", null],
    ["0", null],
    ["12a", null],
    ["gid://shopify/Customer/1", null],
  ])("numeric id %j", (input, out) => expect(parseNumericId(input)).toBe(out));
  it.each([
    ["6", 6],
    ["0", 4],
    ["13", 4],
    ["x", 4],
    [null, 4],
  ])("limit %j", (input, out) => expect(parseLimit(input)).toBe(out));
});

describe("the visit's interest", () => {
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  it("counts views per type (case and spaces folded) back to a 30-minute gap", () => {
    const interest = visitInterest(
      [
        { productType: "Coffee Beans", at: at(1) },
        { productType: " coffee beans", at: at(20) },
        { productType: "Tea", at: at(45) },
        { productType: null, at: at(50) },
        { productType: "Tea", at: at(90) }, // 40 minutes before the view after it: another visit
      ],
      now,
    );
    expect([...interest]).toEqual([
      ["coffee beans", 2],
      ["tea", 1],
    ]);
  });

  it("is empty once the visit ended, and ignores views dated far ahead", () => {
    expect(visitInterest([{ productType: "Tea", at: at(31) }], now).size).toBe(0);
    expect(visitInterest([{ productType: "Tea", at: at(-120) }], now).size).toBe(0);
  });

  it("matches a campaign's interest at its number of views, logged in or not", () => {
    const c = campaign({ id: 1, interestProductType: "Coffee Beans", interestViews: 3 });
    const two = anonymous({ interest: new Map([["coffee beans", 2]]) });
    const three = anonymous({ interest: new Map([["coffee beans", 3]]) });
    expect(decide([c], two, now).kind).toBe("fallback");
    expect(decide([c], three, now).kind).toBe("campaign");
    expect(decide([c], { ...customer([]), interest: new Map([["coffee beans", 4]]) }, now).kind).toBe("campaign");
    // With a segment as well, both must hold.
    const both = campaign({ id: 2, segmentId: 5, interestProductType: "tea", interestViews: 1 });
    expect(decide([both], { ...customer([5]), interest: new Map([["tea", 1]]) }, now).kind).toBe("campaign");
    expect(decide([both], { ...customer([5]) }, now).kind).toBe("fallback");
    expect(decide([both], anonymous({ interest: new Map([["tea", 1]]) }), now).kind).toBe("fallback");
  });

  it("re-ranks products toward the most viewed types, keeping the model's order within each group", () => {
    const p = (id: string, productType: string | null) => ({ id, productType });
    const products = [p("1", "Tea"), p("2", "Mugs"), p("3", "Coffee Beans"), p("4", null), p("5", "tea")];
    const interest = new Map([
      ["tea", 1],
      ["coffee beans", 2],
    ]);
    expect(biasTowardInterest(products, interest).map((x) => x.id)).toEqual(["3", "1", "5", "2", "4"]);
    expect(biasTowardInterest(products, new Map()).map((x) => x.id)).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("reads the pixel's clientId leniently", () => {
    expect(parseClientId("c0ffee00-aaaa-4bbb-8ccc-000000000001")).toBe("c0ffee00-aaaa-4bbb-8ccc-000000000001");
    for (const bad of [null, "", "short", "<script>", "a b c d e f", "x".repeat(101)])
      expect(parseClientId(bad)).toBe(null);
  });
});
