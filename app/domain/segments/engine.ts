// One meaning, two engines. `prepare` turns a rule into a form with every value resolved for a
// moment and a shop: relative dates become the instants their days start in the shop's time zone,
// money becomes minor units. `evaluate` (evaluate.ts: one customer in memory, per event) and the SQL
// compiler (app/models/segments/compile-sql.ts: all customers in the database, for full recomputes
// and previews) both read that prepared form and compare only instants, integers and ASCII-folded
// text, so they cannot disagree on a date boundary, a rounding or a letter case. A condition on a
// missing value is false (not unknown), and NOT is plain negation, in both: SQL's three-valued logic
// is folded with `IS TRUE`.
//
// Here: the prepared form (the contract between the two engines), `prepare` and the conditions on
// attributes. Beside it in engine/: values.ts (dates as instants, numbers, folded text, the
// Unsupported error), functions.ts (products_purchased, orders_placed), lifecycle.ts (thresholds and
// stages).
import { parseMinor } from "~/domain/money";
import { getAttribute } from "./attributes";
import { limitProblem, type Condition, type Rule, type ScalarValue } from "./rule";
import { prepFunction } from "./engine/functions";
import {
  BEHAVIOUR_ATTRIBUTES,
  BEHAVIOUR_FUNCTIONS,
  prepBehaviourAttribute,
  prepBehaviourFunction,
  type Behaviour,
  type BrowseEvent,
} from "./engine/behaviour";
import { lifecycleStage, type LifecycleThresholds } from "./engine/lifecycle";
import {
  Unsupported,
  checkTag,
  dayInterval,
  daysSinceInterval,
  foldAscii,
  integer,
  numberOf,
  upperAscii,
  ymdOf,
} from "./engine/values";

export {
  DEFAULT_LIFECYCLE,
  LifecycleThresholdsSchema,
  lifecycleStage,
  type LifecycleThresholds,
} from "./engine/lifecycle";
export { foldAscii } from "./engine/values";
export type { Behaviour, BrowseEvent } from "./engine/behaviour";

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
  /**
   * The customer's Web Pixel events (engine/behaviour.ts), present only when some rule reads browsing
   * (`readsBehaviour`); evaluating such a rule without them throws, as for `orders`.
   */
  events?: readonly BrowseEvent[];
  /**
   * The customer's predictions (app/models/predictions, CustomerPrediction): absent or null where the
   * shop's models have none for them (no order yet, no fit yet). A condition on one is then false.
   */
  pAlive?: number | null;
  expectedOrders90d?: number | null;
  predictedClvMinor?: bigint | null;
  predictedSpendTier?: string | null;
  churnRisk?: string | null;
  clusterName?: string | null;
};

/** Predictions that are fractions (p_alive, expected_orders_90d), compared as doubles in both engines. */
export type RealField = "pAlive" | "expectedOrders90d";
export type IntField = "ordersCount" | "amountSpentMinor" | "aovMinor" | "predictedClvMinor";
export type TextField =
  | "email_domain"
  | "emailMarketingState"
  | "smsMarketingState"
  | "rfmGroup"
  | "predictedSpendTier"
  | "churnRisk"
  | "clusterName";

export type Cmp = "=" | "!=" | ">" | ">=" | "<" | "<=";

/** A half-open interval of instants [from, to): every date condition is one or two of these. */
export type Instants = { from: number | null; to: number | null; negate?: boolean };

export type Prepared =
  | { kind: "and" | "or"; children: Prepared[] }
  | { kind: "not"; child: Prepared }
  | { kind: "int"; field: IntField; op: Cmp; value: bigint }
  | { kind: "intRange"; field: IntField; low: bigint; high: bigint }
  | { kind: "real"; field: RealField; op: Cmp; value: number }
  | { kind: "realRange"; field: RealField; low: number; high: number }
  | { kind: "instant"; field: "createdAt" | "firstOrderAt" | "lastOrderAt"; range: Instants }
  | { kind: "isNull"; field: NullableField; negate: boolean }
  | { kind: "text"; field: TextField; value: string; negate: boolean }
  | { kind: "listContains"; field: ListField; value: string; negate: boolean }
  | Purchased
  | OrdersPlaced
  | Behaviour;

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
  | "createdAt"
  | RealField
  | "predictedClvMinor"
  | "predictedSpendTier"
  | "churnRisk"
  | "clusterName";

export type PrepareResult = { ok: true; prepared: Prepared } | { ok: false; error: string };

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

const MONEY = {
  amount_spent: "amountSpentMinor",
  average_order_value: "aovMinor",
  predicted_clv: "predictedClvMinor",
} as const;
const REALS = { p_alive: "pAlive", expected_orders_90d: "expectedOrders90d" } as const;
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
  predicted_spend_tier: "predictedSpendTier",
  churn_risk: "churnRisk",
  cluster: "clusterName",
} as const;
const LISTS = {
  customer_tags: "tags",
  customer_countries: "countries",
  customer_regions: "regions",
  customer_cities: "cities",
} as const;

function valueOf(condition: Condition): ScalarValue {
  if (!("value" in condition) || condition.value.kind === "range" || condition.value.kind === "list") {
    throw new Unsupported(`${condition.attribute} ${condition.operator} needs one value`);
  }
  return condition.value;
}

/** A fraction as the double both engines compare with (JavaScript's, sent to the database as it is). */
function realOf(value: ScalarValue): number {
  const n = Number(numberOf(value));
  if (!Number.isFinite(n)) throw new Unsupported(`expected a number, got ${numberOf(value)}`);
  return n;
}

function prep(rule: Rule, ctx: EngineContext): Prepared {
  switch (rule.kind) {
    case "and":
    case "or":
      return { kind: rule.kind, children: rule.children.map((c) => prep(c, ctx)) };
    case "not":
      return { kind: "not", child: prep(rule.child, ctx) };
    case "function":
      return BEHAVIOUR_FUNCTIONS.has(rule.name) ? prepBehaviourFunction(rule, ctx) : prepFunction(rule, ctx);
    case "condition":
      break;
  }
  const { attribute } = rule;
  const def = getAttribute(attribute);
  if (!def || !def.available) throw new Unsupported(`unknown attribute ${attribute}`);
  if (rule.operator === "IN" || rule.operator === "NOT IN") {
    // "Is any of" is an OR of equalities and "is none of" an AND of inequalities, so both engines
    // read only forms they already agree on; a missing value matches neither, as with = and != .
    const children = rule.value.items.map((value) =>
      prep({ kind: "condition", attribute, operator: rule.operator === "IN" ? "=" : "!=", value }, ctx),
    );
    return { kind: rule.operator === "IN" ? "or" : "and", children };
  }
  if (BEHAVIOUR_ATTRIBUTES.has(attribute)) return prepBehaviourAttribute(rule, ctx, valueOf);

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
  if (attribute in REALS) {
    const field = REALS[attribute as keyof typeof REALS];
    if (rule.operator === "IS NULL" || rule.operator === "IS NOT NULL")
      return { kind: "isNull", field, negate: rule.operator === "IS NOT NULL" };
    if (rule.operator === "BETWEEN")
      return { kind: "realRange", field, low: realOf(rule.value.low), high: realOf(rule.value.high) };
    if (rule.operator === "CONTAINS" || rule.operator === "NOT CONTAINS")
      throw new Unsupported(`${rule.operator} does not apply to ${attribute}`);
    return { kind: "real", field, op: rule.operator, value: realOf(valueOf(rule)) };
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
    // A cluster's name is the merchant's to type in any case: folded, like the domain.
    const value =
      field === "email_domain" || field === "clusterName" ? foldAscii(rule.value.value) : upperAscii(rule.value.value);
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
    case "abandoned": // an order completes a cart
      return true;
    default:
      return false;
  }
}

/** Whether evaluating needs the subject's pixel events (`Subject.events`). */
export function readsBehaviour(p: Prepared): boolean {
  switch (p.kind) {
    case "and":
    case "or":
      return p.children.some(readsBehaviour);
    case "not":
      return readsBehaviour(p.child);
    case "viewed":
    case "searched":
    case "abandoned":
    case "sessions":
    case "lastSeen":
      return true;
    default:
      return false;
  }
}
