// Browsing behaviour, from the Web Pixel's events (app/pixel/): products_viewed, collections_viewed,
// searched and abandoned_cart (functions), sessions_count and last_seen_date (attributes), prepared
// for both engines and evaluated in memory. The SQL side is app/models/segments/compile-behaviour.ts.
//
// Only events known to be the customer's count (PixelEvent.customerId: sent while logged in, or
// stitched when the visitor was identified). Product types, vendors, tags and search text compare
// ASCII-folded, like products_purchased. A session is the pixel's per-tab session id; events without
// one count for last_seen_date but not for sessions_count.
import { argOperators, getFunction, getParam } from "../attributes";
import type { Condition, FunctionArg, FunctionCall, ScalarValue } from "../rule";
import type { Cmp, EngineContext, Instants, IntTest, Prepared } from "../engine";
import { Unsupported, checkTag, dayInterval, foldAscii, integer, numberOf, ymdOf } from "./values";

/** One stored pixel event of the customer, as the evaluator reads it. */
export type BrowseEvent = {
  name: string;
  at: Date;
  sessionId: string | null;
  productId: string | null;
  productType: string | null;
  vendor: string | null;
  /** The viewed product's current tags (normalised like Product.tags); empty when unknown. */
  productTags: readonly string[];
  collectionId: string | null;
  query: string | null;
};

export type ViewTest = {
  field: "productId" | "productType" | "vendor" | "tags" | "collectionId";
  values: string[];
  negate: boolean;
};

/** products_viewed / collections_viewed: at least `countAtLeast` matching views in the window. */
export type Viewed = {
  kind: "viewed";
  shop: string;
  event: "product_viewed" | "collection_viewed";
  tests: ViewTest[];
  dates: Instants[];
  countAtLeast: bigint;
};

/** searched: a search in the window whose query holds `contains` (folded); any search when null. */
export type Searched = { kind: "searched"; shop: string; contains: string | null; dates: Instants[] };

/**
 * abandoned_cart: an add to cart or a checkout start in the window, with no completed checkout and no
 * counted order of the customer from `GRACE_MS` before it to `windowMs` after it. A cart not yet
 * followed by an order is abandoned at once; the order, when it comes, takes the customer out.
 */
export type Abandoned = { kind: "abandoned"; shop: string; dates: Instants[]; windowMs: number };

/** sessions_count: distinct session ids of the customer's events (0 without any). */
export type Sessions = { kind: "sessions"; shop: string; test: IntTest };

/** last_seen_date: the newest event's time in `range`; `range` null tests only that there is one. */
export type LastSeen = { kind: "lastSeen"; shop: string; range: Instants | null };

export type Behaviour = Viewed | Searched | Abandoned | Sessions | LastSeen;

export const BEHAVIOUR_FUNCTIONS: ReadonlySet<string> = new Set([
  "products_viewed",
  "collections_viewed",
  "searched",
  "abandoned_cart",
]);
export const BEHAVIOUR_ATTRIBUTES: ReadonlySet<string> = new Set(["sessions_count", "last_seen_date"]);

export const CART_EVENTS = ["product_added_to_cart", "checkout_started"] as const;
export const DEFAULT_ABANDON_HOURS = 24n;
/** A completing order may carry a time a little before the cart event's (the browser's clock). */
export const GRACE_MS = 10 * 60_000;
const MAX_ABANDON_HOURS = 876_000n; // 100 years: further apart than any two stored events

const CMPS: readonly string[] = ["=", "!=", ">", ">=", "<", "<="];

function comparison(arg: FunctionArg): { op: Cmp; value: ScalarValue } {
  if (!CMPS.includes(arg.operator) || arg.value.kind === "range" || arg.value.kind === "list") {
    throw new Unsupported(`${arg.operator} does not apply to ${arg.name}`);
  }
  return { op: arg.operator as Cmp, value: arg.value };
}

function datesOf(arg: FunctionArg | undefined, ctx: EngineContext): Instants[] {
  if (!arg) return [];
  if (arg.operator === "BETWEEN" && arg.value.kind === "range") {
    return [dayInterval(">=", ymdOf(arg.value.low, ctx), ctx), dayInterval("<=", ymdOf(arg.value.high, ctx), ctx)];
  }
  const { op, value } = comparison(arg);
  return [dayInterval(op, ymdOf(value, ctx), ctx)];
}

function scalars(arg: FunctionArg): ScalarValue[] {
  return arg.value.kind === "range"
    ? [arg.value.low, arg.value.high]
    : arg.value.kind === "list"
      ? arg.value.items
      : [arg.value];
}

function textOf(value: ScalarValue, what: string): string {
  if (value.kind !== "string") throw new Unsupported(`${what} compares with text in single quotes`);
  return value.value;
}

function idOf(value: ScalarValue, what: string): string {
  if (value.kind !== "number" || !/^[0-9]+$/.test(value.value))
    throw new Unsupported(`${what} compares with a numeric ID`);
  return value.value;
}

function wholeAtLeast(arg: FunctionArg | undefined, name: string, fallback: bigint): bigint {
  if (!arg) return fallback;
  const n = integer(numberOf(comparison(arg).value), name);
  if (n < 0n) throw new Unsupported(`${name} cannot be negative`);
  return n;
}

/** A behaviour function call, prepared (engine.ts's prepFunction hands these over). */
export function prepBehaviourFunction(call: FunctionCall, ctx: EngineContext): Prepared {
  const fn = getFunction(call.name);
  if (!fn || !fn.available) throw new Unsupported(`unknown function ${call.name}`);
  const args = new Map<string, FunctionArg>();
  for (const arg of call.args) {
    const param = getParam(fn, arg.name);
    if (!param) throw new Unsupported(`${call.name} has no parameter '${arg.name}'`);
    if (args.has(arg.name)) throw new Unsupported(`'${arg.name}' is given twice`);
    if (!argOperators(param).includes(arg.operator))
      throw new Unsupported(`'${arg.operator}' does not apply to ${arg.name}`);
    args.set(arg.name, arg);
  }
  if (ctx.shop === undefined) throw new Error(`${call.name} needs the shop in the engine context`);
  const shop = ctx.shop;
  const dates = datesOf(args.get("date"), ctx);
  let prepared: Behaviour;
  if (call.name === "products_viewed" || call.name === "collections_viewed") {
    const fields =
      call.name === "products_viewed"
        ? ({ id: "productId", product_type: "productType", vendor: "vendor", tag: "tags" } as const)
        : ({ id: "collectionId" } as const);
    const tests: ViewTest[] = [];
    for (const [name, field] of Object.entries(fields) as [string, ViewTest["field"]][]) {
      const arg = args.get(name);
      if (!arg) continue;
      if (arg.operator !== "=" && arg.operator !== "!=" && arg.operator !== "IN" && arg.operator !== "NOT IN") {
        throw new Unsupported(`'${arg.operator}' does not apply to ${name}`);
      }
      const values = scalars(arg).map((v) =>
        field === "productId" || field === "collectionId"
          ? idOf(v, name)
          : field === "tags"
            ? checkTag(textOf(v, name), "a product tag")
            : foldAscii(textOf(v, name)),
      );
      tests.push({ field, values: [...new Set(values)], negate: arg.operator === "!=" || arg.operator === "NOT IN" });
    }
    prepared = {
      kind: "viewed",
      shop,
      event: call.name === "products_viewed" ? "product_viewed" : "collection_viewed",
      tests,
      dates,
      countAtLeast: wholeAtLeast(args.get("count_at_least"), "count_at_least", 1n),
    };
  } else if (call.name === "searched") {
    const arg = args.get("query_contains");
    prepared = {
      kind: "searched",
      shop,
      contains: arg ? foldAscii(textOf(comparison(arg).value, "query_contains")) : null,
      dates,
    };
  } else if (call.name === "abandoned_cart") {
    let hours = wholeAtLeast(args.get("within_hours"), "within_hours", DEFAULT_ABANDON_HOURS);
    if (hours > MAX_ABANDON_HOURS) hours = MAX_ABANDON_HOURS;
    prepared = { kind: "abandoned", shop, dates, windowMs: Number(hours) * 3_600_000 };
  } else {
    throw new Unsupported(`${call.name} is not evaluated yet`);
  }
  return call.negated ? { kind: "not", child: prepared } : prepared;
}

/** sessions_count and last_seen_date conditions, prepared. */
export function prepBehaviourAttribute(
  rule: Condition,
  ctx: EngineContext,
  valueOf: (c: Condition) => ScalarValue,
): Prepared {
  if (ctx.shop === undefined) throw new Error(`${rule.attribute} needs the shop in the engine context`);
  const shop = ctx.shop;
  if (
    rule.operator === "CONTAINS" ||
    rule.operator === "NOT CONTAINS" ||
    rule.operator === "IN" ||
    rule.operator === "NOT IN"
  )
    throw new Unsupported(`${rule.operator} does not apply to ${rule.attribute}`);
  if (rule.attribute === "sessions_count") {
    // A count: never missing (0 without events), as number_of_orders.
    if (rule.operator === "IS NULL") return { kind: "or", children: [] };
    if (rule.operator === "IS NOT NULL") return { kind: "and", children: [] };
    const whole = (v: ScalarValue) => integer(numberOf(v), "sessions_count");
    const test: IntTest =
      rule.operator === "BETWEEN"
        ? { op: "BETWEEN", low: whole(rule.value.low), high: whole(rule.value.high) }
        : { op: rule.operator, value: whole(valueOf(rule)) };
    return { kind: "sessions", shop, test };
  }
  if (rule.attribute === "last_seen_date") {
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL") {
      const seen: LastSeen = { kind: "lastSeen", shop, range: null };
      return rule.operator === "IS NULL" ? { kind: "not", child: seen } : seen;
    }
    if (rule.operator === "BETWEEN") {
      return {
        kind: "and",
        children: [
          { kind: "lastSeen", shop, range: dayInterval(">=", ymdOf(rule.value.low, ctx), ctx) },
          { kind: "lastSeen", shop, range: dayInterval("<=", ymdOf(rule.value.high, ctx), ctx) },
        ],
      };
    }
    return { kind: "lastSeen", shop, range: dayInterval(rule.operator, ymdOf(valueOf(rule), ctx), ctx) };
  }
  throw new Unsupported(`${rule.attribute} is not computed yet`);
}

// ---------------------------------------------------------------------------------------------------
// In memory.

function inInterval(t: number, range: Instants): boolean {
  const inside = (range.from === null || t >= range.from) && (range.to === null || t < range.to);
  return range.negate ? !inside : inside;
}

function compareInt(a: bigint, t: IntTest): boolean {
  if (t.op === "BETWEEN") return a >= t.low && a <= t.high;
  switch (t.op) {
    case "=":
      return a === t.value;
    case "!=":
      return a !== t.value;
    case ">":
      return a > t.value;
    case ">=":
      return a >= t.value;
    case "<":
      return a < t.value;
    case "<=":
      return a <= t.value;
  }
}

function viewMatches(t: ViewTest, e: BrowseEvent): boolean {
  if (t.field === "tags") {
    const has = e.productTags.some((tag) => t.values.includes(foldAscii(tag)));
    return t.negate ? !has : has;
  }
  const raw = e[t.field];
  if (raw === null) return false;
  const v = t.field === "productId" || t.field === "collectionId" ? raw : foldAscii(raw);
  return t.values.includes(v) !== t.negate;
}

/**
 * Evaluates a behaviour node for one customer: `events` are their pixel events, `orderTimes` the
 * processedAt of their counted orders (abandoned_cart only).
 */
export function evaluateBehaviour(
  p: Behaviour,
  events: readonly BrowseEvent[],
  orderTimes: () => readonly Date[],
): boolean {
  const dated = (e: BrowseEvent, dates: Instants[]) => dates.every((range) => inInterval(e.at.getTime(), range));
  switch (p.kind) {
    case "viewed": {
      if (p.countAtLeast <= 0n) return true;
      let n = 0n;
      for (const e of events) {
        if (e.name !== p.event || !dated(e, p.dates) || !p.tests.every((t) => viewMatches(t, e))) continue;
        n += 1n;
        if (n >= p.countAtLeast) return true;
      }
      return false;
    }
    case "searched":
      return events.some(
        (e) =>
          e.name === "search_submitted" &&
          e.query !== null &&
          dated(e, p.dates) &&
          (p.contains === null || foldAscii(e.query).includes(p.contains)),
      );
    case "abandoned": {
      const completions = [
        ...events.filter((e) => e.name === "checkout_completed").map((e) => e.at.getTime()),
        ...orderTimes().map((d) => d.getTime()),
      ];
      return events.some((e) => {
        if (!(CART_EVENTS as readonly string[]).includes(e.name) || !dated(e, p.dates)) return false;
        const t = e.at.getTime();
        return !completions.some((c) => c >= t - GRACE_MS && c < t + p.windowMs);
      });
    }
    case "sessions": {
      const sessions = new Set<string>();
      for (const e of events) if (e.sessionId !== null) sessions.add(e.sessionId);
      return compareInt(BigInt(sessions.size), p.test);
    }
    case "lastSeen": {
      if (events.length === 0) return false;
      if (p.range === null) return true;
      let last = -Infinity;
      for (const e of events) last = Math.max(last, e.at.getTime());
      return inInterval(last, p.range);
    }
  }
}
