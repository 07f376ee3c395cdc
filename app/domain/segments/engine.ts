// One meaning, two engines. `prepare` turns a rule into a form with every value resolved for a
// moment and a shop: relative dates become the instants their days start in the shop's time zone,
// money becomes minor units. `evaluate` (one customer in memory, per event and for previews) and
// `compileSql` (all customers in the database, for full recomputes) both read that prepared form and
// compare only instants, integers and ASCII-folded text, so they cannot disagree on a date boundary, a
// rounding or a letter case. A condition on a missing value is false (not unknown), and NOT is plain
// negation, in both: SQL's three-valued logic is folded with `IS TRUE`.
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import { parseMinor } from "~/domain/money";
import { z } from "zod";
import { argOperators, getAttribute, getFunction, getParam } from "./attributes";
import { limitProblem, type Condition, type DateValue, type FunctionArg, type FunctionCall, type Rule, type ScalarValue } from "./rule";

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
 * purchasedSql), which must not depend on the row being tested.
 */
export type EngineContext = { now: Date; timeZone: string; currencyCode: string; lifecycle?: LifecycleThresholds; shop?: string };

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

type Cmp = "=" | "!=" | ">" | ">=" | "<" | "<=";

/** A half-open interval of instants [from, to): every date condition is one or two of these. */
type Instants = { from: number | null; to: number | null; negate?: boolean };

export type Prepared =
  | { kind: "and" | "or"; children: Prepared[] }
  | { kind: "not"; child: Prepared }
  | { kind: "int"; field: "ordersCount" | "amountSpentMinor" | "aovMinor"; op: Cmp; value: bigint }
  | { kind: "intRange"; field: "ordersCount" | "amountSpentMinor" | "aovMinor"; low: bigint; high: bigint }
  | { kind: "instant"; field: "createdAt" | "firstOrderAt" | "lastOrderAt"; range: Instants }
  | { kind: "isNull"; field: NullableField; negate: boolean }
  | { kind: "text"; field: "email_domain" | "emailMarketingState" | "smsMarketingState" | "rfmGroup"; value: string; negate: boolean }
  | { kind: "listContains"; field: ListField; value: string; negate: boolean }
  | Purchased
  | OrdersPlaced;

type ListField = "tags" | "countries" | "regions" | "cities";

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
export type Purchased = { kind: "purchased"; shop: string; lines: LineTest[]; dates: Instants[]; quantity: IntTest | null; sumQuantity: IntTest | null };

/**
 * orders_placed MATCHES (…): the counted orders in the date window number at least `countAtLeast`
 * (1 unless given) and their amounts (total minus refunds) sum to pass `sumAmount`.
 */
export type OrdersPlaced = { kind: "ordersPlaced"; shop: string; dates: Instants[]; countAtLeast: bigint; sumAmount: IntTest | null };

type NullableField = "rfmGroup" | "aovMinor" | "firstOrderAt" | "lastOrderAt" | "email_domain" | ListField | "emailMarketingState" | "smsMarketingState" | "ordersCount" | "amountSpentMinor" | "createdAt";

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
const DATES = { customer_added_date: "createdAt", first_order_date: "firstOrderAt", last_order_date: "lastOrderAt" } as const;
const TEXTS = {
  customer_email_domain: "email_domain",
  email_subscription_status: "emailMarketingState",
  sms_subscription_status: "smsMarketingState",
  rfm_group: "rfmGroup",
} as const;
const LISTS = { customer_tags: "tags", customer_countries: "countries", customer_regions: "regions", customer_cities: "cities" } as const;

/**
 * Tags are stored joined by commas with blanks trimmed (app/domain/rows.ts normalizeTags), so a tag is
 * never empty and never holds a comma; a value that does could only ever match by accident of the
 * joined text, so it is refused instead.
 */
function checkTag(value: string, what: string): string {
  if (value.trim() === "" || value.includes(",")) throw new Unsupported(`${what} cannot be empty or contain a comma: '${value}'`);
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
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL") return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
    if (rule.operator === "BETWEEN") return { kind: "intRange", field, low: asInt(rule.value.low), high: asInt(rule.value.high) };
    if (rule.operator === "CONTAINS" || rule.operator === "NOT CONTAINS") throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    return { kind: "int", field, op: rule.operator, value: asInt(valueOf(rule)) };
  }
  if (attribute in DATES || attribute === "days_since_last_order") {
    const field = attribute === "days_since_last_order" ? "lastOrderAt" : DATES[attribute as keyof typeof DATES];
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL") return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
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
    if (rule.operator === "CONTAINS" || rule.operator === "NOT CONTAINS") throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    return { kind: "instant", field, range: interval(rule.operator, valueOf(rule)) };
  }
  if (attribute in TEXTS) {
    const field = TEXTS[attribute as keyof typeof TEXTS];
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL") return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
    if (rule.operator !== "=" && rule.operator !== "!=") throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    if (rule.value.kind !== "string") throw new Unsupported(`${attribute} compares with text`);
    // Consent states are stored in Shopify's canonical upper case, so they compare exactly (and fast:
    // no function over every row); the domain is folded like any text.
    const value = field === "email_domain" ? foldAscii(rule.value.value) : upperAscii(rule.value.value);
    return { kind: "text", field, value, negate: rule.operator === "!=" };
  }
  if (attribute in LISTS) {
    const field = LISTS[attribute as keyof typeof LISTS];
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL") return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
    if (rule.operator !== "CONTAINS" && rule.operator !== "NOT CONTAINS") throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    if (rule.value.kind !== "string") throw new Unsupported(`${attribute} contains text`);
    // Country and province codes are stored upper case (ISO): compared exactly, on the columns. City
    // codes are built from three columns (see cityCode) and compared ASCII-folded, like tags.
    const value =
      field === "tags" ? checkTag(rule.value.value, "a customer tag")
      : field === "cities" ? foldAscii(rule.value.value)
      : upperAscii(rule.value.value);
    return { kind: "listContains", field, value, negate: rule.operator === "NOT CONTAINS" };
  }
  if (attribute === "lifecycle_stage") {
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL") {
      // Every customer is in exactly one stage.
      return rule.operator === "IS NULL" ? { kind: "or", children: [] } : { kind: "and", children: [] };
    }
    if (rule.operator !== "=" && rule.operator !== "!=") throw new Unsupported(`${rule.operator} does not apply to lifecycle_stage`);
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
  return arg.value.kind === "range" ? [arg.value.low, arg.value.high] : arg.value.kind === "list" ? arg.value.items : [arg.value];
}

function textOf(value: ScalarValue, what: string): string {
  if (value.kind !== "string") throw new Unsupported(`${what} compares with text in single quotes`);
  return value.value;
}

function productIdOf(value: ScalarValue): string {
  if (value.kind !== "number" || !/^[0-9]+$/.test(value.value)) throw new Unsupported("id compares with a numeric product ID");
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
  if (arg.operator === "BETWEEN" && arg.value.kind === "range") return { op: "BETWEEN", low: asInt(arg.value.low), high: asInt(arg.value.high) };
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
      throw new Unsupported(only ? `${arg.name} takes only '${only}', not '${arg.operator}'` : `'${arg.operator}' does not apply to ${arg.name}`);
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
        field === "productId" ? productIdOf(v) : field === "tags" ? checkTag(textOf(v, name), "a product tag") : foldAscii(textOf(v, name)),
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
      return { kind: "and", children: [buyer, { kind: "instant", field: "lastOrderAt", range: { from: null, to: lapsedBefore } }] };
    case "LAPSING":
      return { kind: "and", children: [buyer, { kind: "instant", field: "lastOrderAt", range: { from: lapsedBefore, to: lapsingBefore } }] };
    case "NEW":
      return { kind: "and", children: [{ kind: "int", field: "ordersCount", op: "=", value: 1n }, active] };
    case "REPEAT":
      return { kind: "and", children: [{ kind: "intRange", field: "ordersCount", low: 2n, high: BigInt(t.loyalOrders - 1) }, active] };
    case "LOYAL":
      return { kind: "and", children: [{ kind: "int", field: "ordersCount", op: ">=", value: BigInt(t.loyalOrders) }, active] };
    default:
      throw new Unsupported(`unknown lifecycle stage ${stage}`);
  }
}

/** The stage one customer is in (for display); the same definitions as the rule form. */
export function stageOf(subject: Subject, ctx: EngineContext): string {
  for (const stage of ["PROSPECT", "LAPSED", "LAPSING", "NEW", "REPEAT", "LOYAL"]) {
    if (evaluate(lifecycleStage(stage, ctx), subject)) return stage;
  }
  return "PROSPECT"; // a customer with orders but no last order date: facts not computed yet
}

// ---------------------------------------------------------------------------------------------
// In memory.

function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.indexOf("@");
  return at < 0 ? null : foldAscii(email.slice(at + 1));
}

/**
 * Shopify writes a city as countryCode-regionCode-cityCode, the city code being the name run together
 * ('US-NY-NewYorkCity'). Ours is built from the default address the same way: the stored city with
 * these separators dropped, after the country and the province (left out when the address has
 * none: 'DE-Berlin'), compared ASCII-folded. Letters outside ASCII are kept as they are ('Zürich'
 * stays 'Zürich'): neither database can strip accents portably, and both engines must agree.
 */
export const CITY_SEPARATORS = [" ", "-", ".", ",", "'", "(", ")", "/"] as const;

export function cityCode(city: string): string {
  let code = city;
  for (const ch of CITY_SEPARATORS) code = code.split(ch).join("");
  return code;
}

function customerCity(s: Subject): string | null {
  if (!s.countryCode || !s.city) return null;
  const code = cityCode(s.city);
  if (code === "") return null;
  return foldAscii(s.provinceCode ? `${s.countryCode}-${s.provinceCode}-${code}` : `${s.countryCode}-${code}`);
}

function listOf(field: ListField, s: Subject): string[] {
  if (field === "tags") return s.tags.map(foldAscii);
  if (field === "cities") {
    const city = customerCity(s);
    return city === null ? [] : [city];
  }
  if (!s.countryCode) return [];
  if (field === "countries") return [s.countryCode];
  return s.provinceCode ? [`${s.countryCode}-${s.provinceCode}`] : [];
}

function intTest(v: bigint, t: IntTest): boolean {
  return t.op === "BETWEEN" ? v >= t.low && v <= t.high : compare(v, t.op, t.value);
}

function ordersOf(s: Subject): readonly PurchaseOrder[] {
  if (!s.orders) throw new Error("this rule reads purchases: load the subject with its orders (see readsPurchases)");
  return s.orders;
}

function lineValue(field: LineTest["field"], line: PurchaseLine): string | null {
  if (field === "productId") return line.productId;
  const v = field === "productType" ? line.productType : line.vendor;
  return v === null ? null : foldAscii(v);
}

function lineMatches(t: LineTest, line: PurchaseLine): boolean {
  if (t.field === "tags") {
    const has = line.tags.some((tag) => t.values.includes(foldAscii(tag)));
    return t.negate ? !has : has;
  }
  const v = lineValue(t.field, line);
  if (v === null) return false;
  return t.values.includes(v) !== t.negate;
}

function purchased(p: Purchased, s: Subject): boolean {
  let any = false;
  let total = 0n;
  for (const order of ordersOf(s)) {
    if (!p.dates.every((range) => inInterval(order.processedAt, range))) continue;
    let matched = false;
    let units = 0n;
    for (const line of order.lines) {
      if (!p.lines.every((t) => lineMatches(t, line))) continue;
      matched = true;
      units += BigInt(line.quantity);
    }
    if (!matched || (p.quantity && !intTest(units, p.quantity))) continue;
    if (!p.sumQuantity) return true;
    any = true;
    total += units;
  }
  return any && p.sumQuantity !== null && intTest(total, p.sumQuantity);
}

function ordersPlaced(p: OrdersPlaced, s: Subject): boolean {
  let count = 0n;
  let sum = 0n;
  for (const order of ordersOf(s)) {
    if (!p.dates.every((range) => inInterval(order.processedAt, range))) continue;
    count += 1n;
    sum += order.amountMinor;
  }
  return count >= p.countAtLeast && (p.sumAmount === null || intTest(sum, p.sumAmount));
}

function compare(a: bigint, op: Cmp, b: bigint): boolean {
  switch (op) {
    case "=":
      return a === b;
    case "!=":
      return a !== b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

function intField(field: "ordersCount" | "amountSpentMinor" | "aovMinor", s: Subject): bigint | null {
  if (field === "ordersCount") return BigInt(s.ordersCount);
  return s[field];
}

function inInterval(at: Date | null, range: Instants): boolean {
  if (at === null) return false;
  const t = at.getTime();
  const inside = (range.from === null || t >= range.from) && (range.to === null || t < range.to);
  return range.negate ? !inside : inside;
}

export function evaluate(p: Prepared, s: Subject): boolean {
  switch (p.kind) {
    case "and":
      return p.children.every((c) => evaluate(c, s));
    case "or":
      return p.children.some((c) => evaluate(c, s));
    case "not":
      return !evaluate(p.child, s);
    case "int": {
      const v = intField(p.field, s);
      return v !== null && compare(v, p.op, p.value);
    }
    case "intRange": {
      const v = intField(p.field, s);
      return v !== null && v >= p.low && v <= p.high;
    }
    case "instant":
      return inInterval(s[p.field], p.range);
    case "isNull": {
      const missing =
        p.field === "email_domain" ? emailDomain(s.email) === null
        : p.field === "tags" || p.field === "countries" || p.field === "regions" || p.field === "cities" ? listOf(p.field, s).length === 0
        : p.field === "ordersCount" || p.field === "amountSpentMinor" ? false
        : s[p.field] === null;
      return p.negate ? !missing : missing;
    }
    case "text": {
      const v = p.field === "email_domain" ? emailDomain(s.email) : s[p.field];
      if (v === null) return false;
      return p.negate ? v !== p.value : v === p.value;
    }
    case "listContains": {
      const has = listOf(p.field, s).includes(p.value);
      return p.negate ? !has : has;
    }
    case "purchased":
      return purchased(p, s);
    case "ordersPlaced":
      return ordersPlaced(p, s);
  }
}

// ---------------------------------------------------------------------------------------------
// In the database: one boolean expression over `c` (Customer) LEFT JOIN `f` (CustomerFacts).

export type SqlDialect = "sqlite" | "postgres";
export type Param = (value: unknown) => string;

function lower(dialect: SqlDialect, expr: string): string {
  // SQLite's LOWER folds ASCII only (without ICU); PostgreSQL's folds by locale, except under the "C"
  // collation, where it folds A-Z alone, like SQLite (and several times faster than translate()).
  return dialect === "sqlite" ? `LOWER(${expr})` : `LOWER((${expr}) COLLATE "C")`;
}

function instantParam(dialect: SqlDialect, p: Param, ms: number): string {
  // SQLite keeps DateTime as integer milliseconds (app/db/client.server.ts); PostgreSQL as timestamp.
  return p(dialect === "sqlite" ? ms : new Date(ms));
}

const INT_SQL = { ordersCount: `COALESCE(f."ordersCount", 0)`, amountSpentMinor: `COALESCE(f."amountSpentMinor", 0)`, aovMinor: `f."aovMinor"` };
const DATE_SQL = { createdAt: `c."createdAt"`, firstOrderAt: `f."firstOrderAt"`, lastOrderAt: `f."lastOrderAt"` };

function emailDomainSql(dialect: SqlDialect): string {
  return dialect === "sqlite"
    ? `(CASE WHEN instr(c."email", '@') > 0 THEN ${lower(dialect, `substr(c."email", instr(c."email", '@') + 1)`)} END)`
    : `(CASE WHEN strpos(c."email", '@') > 0 THEN ${lower(dialect, `substr(c."email", strpos(c."email", '@') + 1)`)} END)`;
}

function listSql(dialect: SqlDialect, field: "tags" | "countries" | "regions"): string {
  // Every list as ',a,b,' so that one containment test serves; an empty list is ',,'.
  const item =
    field === "tags" ? `c."tags"`
    : field === "countries" ? `COALESCE(c."countryCode", '')`
    : `(CASE WHEN c."countryCode" IS NOT NULL AND c."provinceCode" IS NOT NULL THEN c."countryCode" || '-' || c."provinceCode" ELSE '' END)`;
  return `(',' || ${lower(dialect, item)} || ',')`;
}

function contains(dialect: SqlDialect, haystack: string, needle: string): string {
  return dialect === "sqlite" ? `(instr(${haystack}, ${needle}) > 0)` : `(strpos(${haystack}, ${needle}) > 0)`;
}

/** `customerCity` in SQL: NULL where the customer has no city code. The separators are constants. */
function citySql(dialect: SqlDialect): string {
  let city = `c."city"`;
  for (const ch of CITY_SEPARATORS) city = `REPLACE(${city}, '${ch === "'" ? "''" : ch}', '')`;
  const present = (expr: string) => `${expr} IS NOT NULL AND ${expr} <> ''`;
  const province = `(CASE WHEN ${present(`c."provinceCode"`)} THEN c."provinceCode" || '-' ELSE '' END)`;
  return `(CASE WHEN ${present(`c."countryCode"`)} AND ${present(city)} THEN ${lower(dialect, `c."countryCode" || '-' || ${province} || ${city}`)} END)`;
}

// Purchases are read from the orders as one set per rule: `c."id" IN (SELECT customerId FROM the
// shop's counted orders WHERE … GROUP BY … HAVING …)`. The subquery names the shop as a parameter, not
// as `c."shop"`, so it does not depend on the customer row: SQLite materialises it once per statement
// and PostgreSQL hashes it once, one pass over the shop's orders whatever the number of customers.
// A correlated form (per customer through Order(shop, customerId)) cost PostgreSQL a subplan per
// customer, about 0.1 ms each, and without planner statistics SQLite put OrderLine first and scanned
// every line of the shop for each customer (50 s instead of 18 ms over 2,000 customers).
// On SQLite the lines are reached from their order through a CROSS JOIN, which keeps "Order" the
// outer table whatever the statistics say.

function linesJoin(dialect: SqlDialect): string {
  return `${dialect === "sqlite" ? "CROSS JOIN" : "JOIN"} "OrderLine" pl ON pl."shop" = po."shop" AND pl."orderId" = po."id"`;
}

/**
 * Which customers a statement tests, when not all of the shop's: a range of ids in key order, as a
 * full recompute goes chunk by chunk. The purchase sets then read only those customers' orders (on
 * Order(shop, customerId)) instead of the shop's every order for every chunk.
 */
export type CustomerRange = { after: string | null; upTo: string | null };

/** The orders CustomerFacts counts (app/models/store.server.ts recomputeFacts), of the shop. */
function countedOrders(p: Param, shop: string, range: CustomerRange | undefined): string {
  const within = range
    ? `${range.after === null ? "" : ` AND po."customerId" > ${p(range.after)}`}${range.upTo === null ? "" : ` AND po."customerId" <= ${p(range.upTo)}`}`
    : "";
  return `po."shop" = ${p(shop)} AND po."customerId" IS NOT NULL${within} AND po."test" = false AND po."cancelledAt" IS NULL`;
}

function intervalSql(dialect: SqlDialect, p: Param, col: string, range: Instants): string {
  const parts = [
    ...(range.from === null ? [] : [`${col} >= ${instantParam(dialect, p, range.from)}`]),
    ...(range.to === null ? [] : [`${col} < ${instantParam(dialect, p, range.to)}`]),
  ];
  const inside = parts.length === 0 ? "1 = 1" : parts.join(" AND ");
  return range.negate ? `NOT (${inside})` : `(${inside})`;
}

function datesSql(dialect: SqlDialect, p: Param, dates: Instants[]): string {
  return dates.map((range) => ` AND ${intervalSql(dialect, p, `po."processedAt"`, range)}`).join("");
}

function intTestSql(p: Param, expr: string, t: IntTest): string {
  return t.op === "BETWEEN" ? `${expr} BETWEEN ${p(t.low)} AND ${p(t.high)}` : `${expr} ${t.op === "!=" ? "<>" : t.op} ${p(t.value)}`;
}

/**
 * `a OP b OP c …` as a balanced tree of parenthesised groups of at most 8. SQLite parses a flat chain
 * as a left-deep tree, one level per term, and refuses an expression deeper than 1,000 levels
 * (SQLITE_MAX_EXPR_DEPTH): a 4,000-term OR failed the whole statement. Balanced, depth grows with
 * the logarithm of the number of terms.
 */
export function joinBalanced(parts: readonly string[], op: "AND" | "OR"): string {
  const FANOUT = 8;
  if (parts.length <= FANOUT) return `(${parts.join(` ${op} `)})`;
  const size = Math.ceil(parts.length / FANOUT);
  const groups: string[] = [];
  for (let i = 0; i < parts.length; i += size) groups.push(joinBalanced(parts.slice(i, i + size), op));
  return joinBalanced(groups, op);
}

function lineTestSql(dialect: SqlDialect, p: Param, t: LineTest, shop: string): string {
  if (t.field === "tags") {
    // Tags are tested once per product, not once per line: the shop has far fewer products than lines.
    const tags = `(',' || ${lower(dialect, `pp."tags"`)} || ',')`;
    const any = joinBalanced(t.values.map((v) => contains(dialect, tags, `',' || ${p(v)} || ','`)), "OR");
    const tagged = `((pl."productId" IN (SELECT pp."id" FROM "Product" pp WHERE pp."shop" = ${p(shop)} AND (${any}))) IS TRUE)`;
    // A line without a product, or with one we do not know, has no tags.
    return t.negate ? `(NOT ${tagged})` : tagged;
  }
  const raw = `pl."${t.field}"`;
  const col = t.field === "productId" ? raw : lower(dialect, raw);
  const member = `${col} IN (${t.values.map((v) => p(v)).join(", ")})`;
  return t.negate ? `((${raw} IS NOT NULL AND NOT (${member})) IS TRUE)` : `((${member}) IS TRUE)`;
}

function purchasedSql(dialect: SqlDialect, p: Param, node: Purchased, range: CustomerRange | undefined): string {
  const where = `${countedOrders(p, node.shop, range)}${datesSql(dialect, p, node.dates)}${node.lines.map((t) => ` AND ${lineTestSql(dialect, p, t, node.shop)}`).join("")}`;
  const from = `FROM "Order" po ${linesJoin(dialect)} WHERE ${where}`;
  const units = `SUM(pl."quantity")`;
  // Matching lines grouped by order: every group has at least one, so an order without any never passes.
  const perOrder = (quantity: IntTest) => `${from} GROUP BY po."customerId", po."id" HAVING ${intTestSql(p, units, quantity)}`;
  let set: string;
  if (node.sumQuantity === null) set = node.quantity === null ? `SELECT po."customerId" ${from}` : `SELECT po."customerId" ${perOrder(node.quantity)}`;
  else if (node.quantity === null) set = `SELECT po."customerId" ${from} GROUP BY po."customerId" HAVING ${intTestSql(p, units, node.sumQuantity)}`;
  else {
    set = `SELECT q."customerId" FROM (SELECT po."customerId", ${units} AS "units" ${perOrder(node.quantity)}) q
      GROUP BY q."customerId" HAVING ${intTestSql(p, `SUM(q."units")`, node.sumQuantity)}`;
  }
  return `((c."id" IN (${set})) IS TRUE)`;
}

function ordersPlacedSql(dialect: SqlDialect, p: Param, node: OrdersPlaced, range: CustomerRange | undefined): string {
  // "At least 0 orders" holds for everyone. Decided before any parameter is numbered: PostgreSQL
  // refuses a statement with a parameter its text never uses.
  if (node.sumAmount === null && node.countAtLeast <= 0n) return "(1 = 1)";
  const from = `FROM "Order" po WHERE ${countedOrders(p, node.shop, range)}${datesSql(dialect, p, node.dates)}`;
  if (node.sumAmount === null) {
    const set = node.countAtLeast === 1n ? `SELECT po."customerId" ${from}` : `SELECT po."customerId" ${from} GROUP BY po."customerId" HAVING COUNT(*) >= ${p(node.countAtLeast)}`;
    return `((c."id" IN (${set})) IS TRUE)`;
  }
  const atLeast = node.countAtLeast > 1n ? node.countAtLeast : 1n;
  const sum = `SUM(po."totalMinor" - po."refundedMinor")`;
  const some = `((c."id" IN (SELECT po."customerId" ${from} GROUP BY po."customerId" HAVING COUNT(*) >= ${p(atLeast)} AND ${intTestSql(p, sum, node.sumAmount)})) IS TRUE)`;
  // Grouping only sees customers with orders in the window. With count_at_least 0 those without any
  // also match when an empty sum (0) passes the amount test.
  if (node.countAtLeast > 0n || !intTest(0n, node.sumAmount)) return some;
  const fromNone = `FROM "Order" po WHERE ${countedOrders(p, node.shop, range)}${datesSql(dialect, p, node.dates)}`;
  return `(${some} OR NOT ((c."id" IN (SELECT po."customerId" ${fromNone})) IS TRUE))`;
}

export function compileSql(prepared: Prepared, dialect: SqlDialect, p: Param, range?: CustomerRange): string {
  const truth = (expr: string) => `((${expr}) IS TRUE)`;
  const go = (node: Prepared): string => {
    switch (node.kind) {
      case "and":
        return node.children.length === 0 ? "(1 = 1)" : joinBalanced(node.children.map(go), "AND");
      case "or":
        return node.children.length === 0 ? "(1 = 0)" : joinBalanced(node.children.map(go), "OR");
      case "not":
        return `(NOT ${go(node.child)})`;
      case "int":
        return truth(`${INT_SQL[node.field]} ${node.op === "!=" ? "<>" : node.op} ${p(node.value)}`);
      case "intRange":
        return truth(`${INT_SQL[node.field]} BETWEEN ${p(node.low)} AND ${p(node.high)}`);
      case "instant": {
        const col = DATE_SQL[node.field];
        const parts = [
          ...(node.range.from === null ? [] : [`${col} >= ${instantParam(dialect, p, node.range.from)}`]),
          ...(node.range.to === null ? [] : [`${col} < ${instantParam(dialect, p, node.range.to)}`]),
        ];
        const inside = truth(`${col} IS NOT NULL AND ${parts.join(" AND ") || "1 = 1"}`);
        return node.range.negate ? `(${col} IS NOT NULL AND NOT ${inside})` : inside;
      }
      case "isNull": {
        const missing =
          node.field === "email_domain" ? `${emailDomainSql(dialect)} IS NULL`
          : node.field === "cities" ? `${citySql(dialect)} IS NULL`
          : node.field === "tags" || node.field === "countries" || node.field === "regions" ? `${listSql(dialect, node.field)} = ',,'`
          : node.field === "ordersCount" || node.field === "amountSpentMinor" ? "1 = 0" // counted as 0 without facts
          : node.field === "emailMarketingState" || node.field === "smsMarketingState" ? `c."${node.field}" IS NULL`
          : node.field === "createdAt" ? `c."createdAt" IS NULL`
          : node.field === "rfmGroup" ? `f."rfmGroup" IS NULL`
          : `f."${node.field}" IS NULL`;
        return node.negate ? `(NOT ${truth(missing)})` : truth(missing);
      }
      case "text": {
        const col = node.field === "email_domain" ? emailDomainSql(dialect) : node.field === "rfmGroup" ? `f."rfmGroup"` : `c."${node.field}"`;
        return truth(`${col} ${node.negate ? "<>" : "="} ${p(node.value)}`);
      }
      case "listContains": {
        let test: string;
        if (node.field === "tags") test = contains(dialect, listSql(dialect, node.field), `',' || ${p(node.value)} || ','`);
        else if (node.field === "countries") test = `c."countryCode" = ${p(node.value)}`;
        else if (node.field === "cities") test = `${citySql(dialect)} = ${p(node.value)}`;
        else {
          // "US-CA": the country is everything before the first '-', the province the rest.
          const dash = node.value.indexOf("-");
          test = dash < 0 ? "1 = 0" : `c."countryCode" = ${p(node.value.slice(0, dash))} AND c."provinceCode" = ${p(node.value.slice(dash + 1))}`;
        }
        const has = truth(test);
        return node.negate ? `(NOT ${has})` : has;
      }
      case "purchased":
        return `(${purchasedSql(dialect, p, node, range)})`;
      case "ordersPlaced":
        return `(${ordersPlacedSql(dialect, p, node, range)})`;
    }
  };
  return go(prepared);
}
