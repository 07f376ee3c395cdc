// One meaning, two engines. `prepare` turns a rule into a form with every value resolved for a
// moment and a shop: relative dates become the instants their days start in the shop's time zone,
// money becomes minor units. `evaluate` (evaluate.ts: one customer in memory, per event) and the SQL
// compiler (app/models/segments/compile-sql.ts: all customers in the database, for full recomputes
// and previews) both read that prepared form and compare only instants, integers and ASCII-folded
// text, so they cannot disagree on a date boundary, a rounding or a letter case. A condition on a
// missing value is false (not unknown), and NOT is plain negation, in both: SQL's three-valued logic
// is folded with `IS TRUE`.
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import { parseMinor } from "~/domain/money";
import { z } from "zod";
import { argOperators, getAttribute, getFunction, getParam } from "./attributes";
import {
  limitProblem,
  type Condition,
  type DateValue,
  type FunctionArg,
  type FunctionCall,
  type Rule,
  type ScalarValue,
} from "./rule";

export type LifecycleThresholds = { lapsingDays: number; lapsedDays: number; loyalOrders: number };

export const DEFAULT_LIFECYCLE: LifecycleThresholds = { lapsingDays: 90, lapsedDays: 180, loyalOrders: 4 };

/** What a merchant may set: lapsing before lapsed, and loyal above a first repeat order. */
export const LifecycleThresholdsSchema = z
  .object({
    lapsingDays: z.number().int().min(1, "lapsing needs at least 1 day").max(3650),
    lapsedDays: z.number().int().min(2).max(3650),
    loyalOrders: z.number().int().min(2, "loyal needs at least 2 orders").max(1000),
  })
  .refine((t) => t.lapsedDays > t.lapsingDays, { message: "lapsed must come after lapsing", path: ["lapsedDays"] });

/**
 * `shop` is needed by rules on purchases only: their SQL reads the shop's orders as one set (see
 * purchasedSql in app/models/segments/compile-sql.ts), which must not depend on the row being tested.
 */
export type EngineContext = {
  now: Date;
  timeZone: string;
  currencyCode: string;
  lifecycle?: LifecycleThresholds;
  shop?: string;
};

/** One line of a counted order, with what products_purchased filters on. */
export type PurchaseLine = {
  productId: string | null;
  /** As on the order line (the product's type and vendor when it was bought). */
  productType: string | null;
  vendor: string | null;
  /** The product's current tags (normalised like Product.tags); empty when the product is unknown. */
  tags: readonly string[];
  quantity: number;
};

/**
 * An order that counts, exactly as CustomerFacts counts them (not cancelled, not a test order), so
 * orders_placed and number_of_orders never disagree. `amountMinor` is total minus refunds, as in
 * amount_spent.
 */
export type PurchaseOrder = { processedAt: Date; amountMinor: bigint; lines: readonly PurchaseLine[] };

/** What a rule may read about one customer. */
export type Subject = {
  createdAt: Date;
  email: string | null;
  tags: readonly string[];
  countryCode: string | null;
  provinceCode: string | null;
  city: string | null;
  emailMarketingState: string;
  smsMarketingState: string;
  rfmGroup: string | null;
  ordersCount: number;
  amountSpentMinor: bigint;
  aovMinor: bigint | null;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  /**
   * The customer's counted orders with their lines. Loading them costs a query, so they are only
   * present when some rule reads purchases (`readsPurchases`); evaluating such a rule without them
   * throws rather than silently treating the customer as one who never bought anything.
   */
  orders?: readonly PurchaseOrder[];
};

export type Cmp = "=" | "!=" | ">" | ">=" | "<" | "<=";

/** A half-open interval of instants [from, to): every date condition is one or two of these. */
export type Instants = { from: number | null; to: number | null; negate?: boolean };

export type Prepared =
  | { kind: "and" | "or"; children: Prepared[] }
  | { kind: "not"; child: Prepared }
  | { kind: "int"; field: "ordersCount" | "amountSpentMinor" | "aovMinor"; op: Cmp; value: bigint }
  | { kind: "intRange"; field: "ordersCount" | "amountSpentMinor" | "aovMinor"; low: bigint; high: bigint }
  | { kind: "instant"; field: "createdAt" | "firstOrderAt" | "lastOrderAt"; range: Instants }
  | { kind: "isNull"; field: NullableField; negate: boolean }
  | {
      kind: "text";
      field: "email_domain" | "emailMarketingState" | "smsMarketingState" | "rfmGroup";
      value: string;
      negate: boolean;
    }
  | { kind: "listContains"; field: ListField; value: string; negate: boolean }
  | Purchased
  | OrdersPlaced;

export type ListField = "tags" | "countries" | "regions" | "cities";

/** A whole-number test: `op value`, or BETWEEN low AND high (inclusive). */
export type IntTest = { op: Cmp; value: bigint } | { op: "BETWEEN"; low: bigint; high: bigint };

/**
 * One product filter of products_purchased on an order line. `values` are alternatives (`=` and IN
 * have one or several); `negate` is `!=` / NOT IN. On a line with no such value (no product id, no
 * type, no vendor) both the test and its negation are false, like every condition on a missing value;
 * tags are a list, so a line whose product we do not know simply has none.
 */
export type LineTest = { field: "productId" | "productType" | "vendor" | "tags"; values: string[]; negate: boolean };

/**
 * products_purchased MATCHES (…): some counted order in the date window has at least one line that
 * passes every product filter. `quantity` tests the units of matching lines within one order;
 * `sumQuantity` tests their total over all the orders that qualify (needs at least one).
 */
export type Purchased = {
  kind: "purchased";
  shop: string;
  lines: LineTest[];
  dates: Instants[];
  quantity: IntTest | null;
  sumQuantity: IntTest | null;
};

/**
 * orders_placed MATCHES (…): the counted orders in the date window number at least `countAtLeast`
 * (1 unless given) and their amounts (total minus refunds) sum to pass `sumAmount`.
 */
export type OrdersPlaced = {
  kind: "ordersPlaced";
  shop: string;
  dates: Instants[];
  countAtLeast: bigint;
  sumAmount: IntTest | null;
};

type NullableField =
  | "rfmGroup"
  | "aovMinor"
  | "firstOrderAt"
  | "lastOrderAt"
  | "email_domain"
  | ListField
  | "emailMarketingState"
  | "smsMarketingState"
  | "ordersCount"
  | "amountSpentMinor"
  | "createdAt";

export type PrepareResult = { ok: true; prepared: Prepared } | { ok: false; error: string };

class Unsupported extends Error {}

/** ASCII letters only, so that SQLite's LOWER and PostgreSQL's LOWER under the "C" collation agree with us. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function upperAscii(text: string): string {
  return text.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}

export function prepare(rule: Rule, ctx: EngineContext): PrepareResult {
  // Sizes and ranges first: no value either database cannot hold exactly reaches the SQL.
  const outside = limitProblem(rule);
  if (outside) return { ok: false, error: outside };
  try {
    return { ok: true, prepared: prep(rule, ctx) };
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, error: error.message };
    throw error;
  }
}

function ymdOf(value: DateValue | ScalarValue, ctx: EngineContext): string {
  const today = localDate(ctx.now, ctx.timeZone);
  switch (value.kind) {
    case "today":
      return today;
    case "relative":
      return addToYmd(today, value.amount, value.unit);
    case "absolute":
      return value.date;
    default:
      throw new Unsupported(`expected a date, got ${value.kind}`);
  }
}

const start = (ymd: string, ctx: EngineContext) => dayStart(ymd, ctx.timeZone).getTime();
const next = (ymd: string, ctx: EngineContext) => dayStart(addToYmd(ymd, 1, "d"), ctx.timeZone).getTime();

/** A date comparison at day granularity, as instants: `< D` is before D starts, `> D` from D+1. */
function dayInterval(op: Cmp, ymd: string, ctx: EngineContext): Instants {
  switch (op) {
    case "=":
      return { from: start(ymd, ctx), to: next(ymd, ctx) };
    case "!=":
      return { from: start(ymd, ctx), to: next(ymd, ctx), negate: true };
    case "<":
      return { from: null, to: start(ymd, ctx) };
    case "<=":
      return { from: null, to: next(ymd, ctx) };
    case ">":
      return { from: next(ymd, ctx), to: null };
    case ">=":
      return { from: start(ymd, ctx), to: null };
  }
}

/** `days_since_last_order op N` is a statement about the day of the last order: N days before today. */
function daysSinceInterval(op: Cmp, days: number, ctx: EngineContext): Instants {
  const today = localDate(ctx.now, ctx.timeZone);
  const day = addToYmd(today, -days, "d");
  const flip: Record<Cmp, Cmp> = { "=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
  return dayInterval(flip[op], day, ctx);
}

function numberOf(value: ScalarValue): string {
  if (value.kind !== "number") throw new Unsupported(`expected a number, got ${value.kind}`);
  return value.value;
}

function integer(text: string, attribute: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new Unsupported(`${attribute} is a whole number, not ${text}`);
  return BigInt(text);
}

const MONEY = { amount_spent: "amountSpentMinor", average_order_value: "aovMinor" } as const;
const DATES = {
  customer_added_date: "createdAt",
  first_order_date: "firstOrderAt",
  last_order_date: "lastOrderAt",
} as const;
const TEXTS = {
  customer_email_domain: "email_domain",
  email_subscription_status: "emailMarketingState",
  sms_subscription_status: "smsMarketingState",
  rfm_group: "rfmGroup",
} as const;
const LISTS = {
  customer_tags: "tags",
  customer_countries: "countries",
  customer_regions: "regions",
  customer_cities: "cities",
} as const;

/**
 * Tags are stored joined by commas with blanks trimmed (app/domain/rows.ts normalizeTags), so a tag is
 * never empty and never holds a comma; a value that does could only ever match by accident of the
 * joined text, so it is refused instead.
 */
function checkTag(value: string, what: string): string {
  if (value.trim() === "" || value.includes(","))
    throw new Unsupported(`${what} cannot be empty or contain a comma: '${value}'`);
  return foldAscii(value);
}

function valueOf(condition: Condition): ScalarValue {
  if (!("value" in condition) || condition.value.kind === "range") {
    throw new Unsupported(`${condition.attribute} ${condition.operator} needs one value`);
  }
  return condition.value;
}

function prep(rule: Rule, ctx: EngineContext): Prepared {
  switch (rule.kind) {
    case "and":
    case "or":
      return { kind: rule.kind, children: rule.children.map((c) => prep(c, ctx)) };
    case "not":
      return { kind: "not", child: prep(rule.child, ctx) };
    case "function":
      return prepFunction(rule, ctx);
    case "condition":
      break;
  }
  const { attribute } = rule;
  const def = getAttribute(attribute);
  if (!def || !def.available) throw new Unsupported(`unknown attribute ${attribute}`);

  if (attribute === "number_of_orders" || attribute in MONEY) {
    const field = attribute === "number_of_orders" ? "ordersCount" : MONEY[attribute as keyof typeof MONEY];
    const asInt = (v: ScalarValue) =>
      attribute === "number_of_orders" ? integer(numberOf(v), attribute) : parseMinor(numberOf(v), ctx.currencyCode);
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL")
      return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
    if (rule.operator === "BETWEEN")
      return { kind: "intRange", field, low: asInt(rule.value.low), high: asInt(rule.value.high) };
    if (rule.operator === "CONTAINS" || rule.operator === "NOT CONTAINS")
      throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    return { kind: "int", field, op: rule.operator, value: asInt(valueOf(rule)) };
  }
  if (attribute in DATES || attribute === "days_since_last_order") {
    const field = attribute === "days_since_last_order" ? "lastOrderAt" : DATES[attribute as keyof typeof DATES];
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL")
      return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
    const interval = (op: Cmp, v: ScalarValue): Instants =>
      attribute === "days_since_last_order"
        ? daysSinceInterval(op, Number(integer(numberOf(v), attribute)), ctx)
        : dayInterval(op, ymdOf(v, ctx), ctx);
    if (rule.operator === "BETWEEN") {
      return {
        kind: "and",
        children: [
          { kind: "instant", field, range: interval(">=", rule.value.low) },
          { kind: "instant", field, range: interval("<=", rule.value.high) },
        ],
      };
    }
    if (rule.operator === "CONTAINS" || rule.operator === "NOT CONTAINS")
      throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    return { kind: "instant", field, range: interval(rule.operator, valueOf(rule)) };
  }
  if (attribute in TEXTS) {
    const field = TEXTS[attribute as keyof typeof TEXTS];
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL")
      return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
    if (rule.operator !== "=" && rule.operator !== "!=")
      throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    if (rule.value.kind !== "string") throw new Unsupported(`${attribute} compares with text`);
    // Consent states are stored in Shopify's canonical upper case, so they compare exactly (and fast:
    // no function over every row); the domain is folded like any text.
    const value = field === "email_domain" ? foldAscii(rule.value.value) : upperAscii(rule.value.value);
    return { kind: "text", field, value, negate: rule.operator === "!=" };
  }
  if (attribute in LISTS) {
    const field = LISTS[attribute as keyof typeof LISTS];
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL")
      return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
    if (rule.operator !== "CONTAINS" && rule.operator !== "NOT CONTAINS")
      throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    if (rule.value.kind !== "string") throw new Unsupported(`${attribute} contains text`);
    // Country and province codes are stored upper case (ISO): compared exactly, on the columns. City
    // codes are built from three columns (see cityCode) and compared ASCII-folded, like tags.
    const value =
      field === "tags"
        ? checkTag(rule.value.value, "a customer tag")
        : field === "cities"
          ? foldAscii(rule.value.value)
          : upperAscii(rule.value.value);
    return { kind: "listContains", field, value, negate: rule.operator === "NOT CONTAINS" };
  }
  if (attribute === "lifecycle_stage") {
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL") {
      // Every customer is in exactly one stage.
      return rule.operator === "IS NULL" ? { kind: "or", children: [] } : { kind: "and", children: [] };
    }
    if (rule.operator !== "=" && rule.operator !== "!=")
      throw new Unsupported(`${rule.operator} does not apply to lifecycle_stage`);
    const value = valueOf(rule);
    if (value.kind !== "string") throw new Unsupported("lifecycle_stage compares with a stage name");
    const stage = lifecycleStage(value.value.toUpperCase(), ctx);
    return rule.operator === "=" ? stage : { kind: "not", child: stage };
  }
  throw new Unsupported(`${attribute} is not computed yet`);
}

// ---------------------------------------------------------------------------------------------
// Functions: products_purchased and orders_placed. The parser already checks names, operators and
// value types; a rule can also arrive as stored JSON, so everything is checked again here and an
// unknown parameter or a mismatched value is an error, never a guess.

function argScalars(arg: FunctionArg): ScalarValue[] {
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

function productIdOf(value: ScalarValue): string {
  if (value.kind !== "number" || !/^[0-9]+$/.test(value.value))
    throw new Unsupported("id compares with a numeric product ID");
  return value.value;
}

const CMPS: readonly string[] = ["=", "!=", ">", ">=", "<", "<="];

/** The one scalar an ordinary comparison argument holds, and its operator. */
function comparison(arg: FunctionArg): { op: Cmp; value: ScalarValue } {
  if (!CMPS.includes(arg.operator) || arg.value.kind === "range" || arg.value.kind === "list") {
    throw new Unsupported(`${arg.operator} does not apply to ${arg.name}`);
  }
  return { op: arg.operator as Cmp, value: arg.value };
}

function intTestOf(arg: FunctionArg, asInt: (v: ScalarValue) => bigint): IntTest {
  if (arg.operator === "BETWEEN" && arg.value.kind === "range")
    return { op: "BETWEEN", low: asInt(arg.value.low), high: asInt(arg.value.high) };
  const { op, value } = comparison(arg);
  return { op, value: asInt(value) };
}

function datesOf(arg: FunctionArg, ctx: EngineContext): Instants[] {
  if (arg.operator === "BETWEEN" && arg.value.kind === "range") {
    return [dayInterval(">=", ymdOf(arg.value.low, ctx), ctx), dayInterval("<=", ymdOf(arg.value.high, ctx), ctx)];
  }
  const { op, value } = comparison(arg);
  return [dayInterval(op, ymdOf(value, ctx), ctx)];
}

function prepFunction(call: FunctionCall, ctx: EngineContext): Prepared {
  const fn = getFunction(call.name);
  if (!fn || !fn.available) throw new Unsupported(`unknown function ${call.name}`);
  const args = new Map<string, FunctionArg>();
  for (const arg of call.args) {
    const param = getParam(fn, arg.name);
    if (!param) throw new Unsupported(`${call.name} has no parameter '${arg.name}'`);
    if (args.has(arg.name)) throw new Unsupported(`'${arg.name}' is given twice`);
    if (!argOperators(param).includes(arg.operator)) {
      const only = param.operators?.length === 1 ? param.operators[0] : undefined;
      throw new Unsupported(
        only
          ? `${arg.name} takes only '${only}', not '${arg.operator}'`
          : `'${arg.operator}' does not apply to ${arg.name}`,
      );
    }
    args.set(arg.name, arg);
  }
  // A caller's mistake, not the merchant's: every app path gets its context from shopContext.
  if (ctx.shop === undefined) throw new Error(`${call.name} needs the shop in the engine context`);
  const shop = ctx.shop;
  const whole = (name: string) => (v: ScalarValue) => integer(numberOf(v), name);
  const dates = args.has("date") ? datesOf(args.get("date")!, ctx) : [];
  let prepared: Purchased | OrdersPlaced;
  if (call.name === "products_purchased") {
    const lines: LineTest[] = [];
    const fields = { id: "productId", product_type: "productType", vendor: "vendor", tag: "tags" } as const;
    for (const [name, field] of Object.entries(fields)) {
      const arg = args.get(name);
      if (!arg) continue;
      if (arg.operator !== "=" && arg.operator !== "!=" && arg.operator !== "IN" && arg.operator !== "NOT IN") {
        throw new Unsupported(`'${arg.operator}' does not apply to ${name}`);
      }
      const values = argScalars(arg).map((v) =>
        field === "productId"
          ? productIdOf(v)
          : field === "tags"
            ? checkTag(textOf(v, name), "a product tag")
            : foldAscii(textOf(v, name)),
      );
      lines.push({ field, values: [...new Set(values)], negate: arg.operator === "!=" || arg.operator === "NOT IN" });
    }
    const quantity = args.get("quantity");
    const sum = args.get("sum_quantity");
    prepared = {
      kind: "purchased",
      shop,
      lines,
      dates,
      quantity: quantity ? intTestOf(quantity, whole("quantity")) : null,
      sumQuantity: sum ? intTestOf(sum, whole("sum_quantity")) : null,
    };
  } else if (call.name === "orders_placed") {
    const count = args.get("count_at_least");
    let countAtLeast = 1n;
    if (count) {
      countAtLeast = integer(numberOf(comparison(count).value), "count_at_least");
      if (countAtLeast < 0n) throw new Unsupported("count_at_least cannot be negative");
    }
    const amount = args.get("sum_amount");
    prepared = {
      kind: "ordersPlaced",
      shop,
      dates,
      countAtLeast,
      sumAmount: amount ? intTestOf(amount, (v) => parseMinor(numberOf(v), ctx.currencyCode)) : null,
    };
  } else {
    throw new Unsupported(`${call.name} is not evaluated yet`);
  }
  return call.negated ? { kind: "not", child: prepared } : prepared;
}

/** Whether evaluating needs the subject's orders (`Subject.orders`): the loaders fetch them only then. */
export function readsPurchases(p: Prepared): boolean {
  switch (p.kind) {
    case "and":
    case "or":
      return p.children.some(readsPurchases);
    case "not":
      return readsPurchases(p.child);
    case "purchased":
    case "ordersPlaced":
      return true;
    default:
      return false;
  }
}

/**
 * Lifecycle stages, one per customer, from facts and the shop's thresholds (the merchant's to change):
 * PROSPECT no order; LAPSED last order more than `lapsedDays` ago; LAPSING more than `lapsingDays`
 * ago; otherwise NEW (one order), REPEAT (two up to loyalOrders - 1) or LOYAL (loyalOrders or more).
 * Expressed in the engine's own terms, so both engines agree by construction.
 */
export function lifecycleStage(stage: string, ctx: EngineContext): Prepared {
  const t = ctx.lifecycle ?? DEFAULT_LIFECYCLE;
  const today = localDate(ctx.now, ctx.timeZone);
  const lapsedBefore = dayStart(addToYmd(today, -t.lapsedDays, "d"), ctx.timeZone).getTime();
  const lapsingBefore = dayStart(addToYmd(today, -t.lapsingDays, "d"), ctx.timeZone).getTime();
  const buyer: Prepared = { kind: "int", field: "ordersCount", op: ">=", value: 1n };
  const active: Prepared = { kind: "instant", field: "lastOrderAt", range: { from: lapsingBefore, to: null } };
  switch (stage) {
    case "PROSPECT":
      return { kind: "int", field: "ordersCount", op: "=", value: 0n };
    case "LAPSED":
      return {
        kind: "and",
        children: [buyer, { kind: "instant", field: "lastOrderAt", range: { from: null, to: lapsedBefore } }],
      };
    case "LAPSING":
      return {
        kind: "and",
        children: [buyer, { kind: "instant", field: "lastOrderAt", range: { from: lapsedBefore, to: lapsingBefore } }],
      };
    case "NEW":
      return { kind: "and", children: [{ kind: "int", field: "ordersCount", op: "=", value: 1n }, active] };
    case "REPEAT":
      return {
        kind: "and",
        children: [{ kind: "intRange", field: "ordersCount", low: 2n, high: BigInt(t.loyalOrders - 1) }, active],
      };
    case "LOYAL":
      return {
        kind: "and",
        children: [{ kind: "int", field: "ordersCount", op: ">=", value: BigInt(t.loyalOrders) }, active],
      };
    default:
      throw new Unsupported(`unknown lifecycle stage ${stage}`);
  }
}
