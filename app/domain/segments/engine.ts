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
import { getAttribute } from "./attributes";
import type { Condition, DateValue, Rule, ScalarValue } from "./rule";

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

export type EngineContext = { now: Date; timeZone: string; currencyCode: string; lifecycle?: LifecycleThresholds };

/** What a rule may read about one customer. */
export type Subject = {
  createdAt: Date;
  email: string | null;
  tags: readonly string[];
  countryCode: string | null;
  provinceCode: string | null;
  emailMarketingState: string;
  smsMarketingState: string;
  rfmGroup: string | null;
  ordersCount: number;
  amountSpentMinor: bigint;
  aovMinor: bigint | null;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
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
  | { kind: "listContains"; field: "tags" | "countries" | "regions"; value: string; negate: boolean };

type NullableField = "rfmGroup" | "aovMinor" | "firstOrderAt" | "lastOrderAt" | "email_domain" | "tags" | "countries" | "regions" | "emailMarketingState" | "smsMarketingState" | "ordersCount" | "amountSpentMinor" | "createdAt";

export type PrepareResult = { ok: true; prepared: Prepared } | { ok: false; error: string };

class Unsupported extends Error {}

/** ASCII letters only, so that SQLite's LOWER (ASCII) and PostgreSQL's translate() agree with us. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function upperAscii(text: string): string {
  return text.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}

export function prepare(rule: Rule, ctx: EngineContext): PrepareResult {
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
const LISTS = { customer_tags: "tags", customer_countries: "countries", customer_regions: "regions" } as const;

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
      throw new Unsupported(`${rule.name}(…) is not evaluated yet`);
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
    // Country and province codes are stored upper case (ISO): compared exactly, on the columns.
    const value = field === "tags" ? foldAscii(rule.value.value) : upperAscii(rule.value.value);
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

function listOf(field: "tags" | "countries" | "regions", s: Subject): string[] {
  if (field === "tags") return s.tags.map(foldAscii);
  if (!s.countryCode) return [];
  if (field === "countries") return [s.countryCode];
  return s.provinceCode ? [`${s.countryCode}-${s.provinceCode}`] : [];
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
        : p.field === "tags" || p.field === "countries" || p.field === "regions" ? listOf(p.field, s).length === 0
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
  }
}

// ---------------------------------------------------------------------------------------------
// In the database: one boolean expression over `c` (Customer) LEFT JOIN `f` (CustomerFacts).

export type SqlDialect = "sqlite" | "postgres";
export type Param = (value: unknown) => string;

function lower(dialect: SqlDialect, expr: string): string {
  // SQLite's LOWER folds ASCII only (without ICU); PostgreSQL's folds by locale, so fold ASCII there too.
  return dialect === "sqlite" ? `LOWER(${expr})` : `translate(${expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
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

export function compileSql(prepared: Prepared, dialect: SqlDialect, p: Param): string {
  const truth = (expr: string) => `((${expr}) IS TRUE)`;
  const go = (node: Prepared): string => {
    switch (node.kind) {
      case "and":
        return node.children.length === 0 ? "(1 = 1)" : `(${node.children.map(go).join(" AND ")})`;
      case "or":
        return node.children.length === 0 ? "(1 = 0)" : `(${node.children.map(go).join(" OR ")})`;
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
        else {
          // "US-CA": the country is everything before the first '-', the province the rest.
          const dash = node.value.indexOf("-");
          test = dash < 0 ? "1 = 0" : `c."countryCode" = ${p(node.value.slice(0, dash))} AND c."provinceCode" = ${p(node.value.slice(dash + 1))}`;
        }
        const has = truth(test);
        return node.negate ? `(NOT ${has})` : has;
      }
    }
  };
  return go(prepared);
}
