// A segment rule as data. The text form (query-language.ts) is for merchants; this tree is what
// the app stores, evaluates and validates. Anything arriving from outside (a form post, a stored
// JSON column) goes through `validateRule` before it is trusted.

import { z } from "zod";
import {
  argOperators,
  OPERATORS_BY_TYPE,
  TYPE_LABELS,
  getAttribute,
  getFunction,
  getParam,
  type AttributeType,
  type ComparisonOperator,
  type ParamType,
} from "./attributes";
import { MAX_OFFSET, ruleSize, scalarProblem, sizeProblem } from "./limits";

export type { ArgOperator, ComparisonOperator, ConditionOperator } from "./attributes";

/** Deeper rules are refused: nobody writes them by hand, and bounded depth keeps recursion safe. */
export const MAX_DEPTH = 50;

export type DateUnit = "d" | "w" | "m" | "y";

/** Negative amounts are in the past (`-30d`), positive in the future (`+7d`, for anniversaries). */
export type RelativeDate = { kind: "relative"; amount: number; unit: DateUnit };
export type AbsoluteDate = { kind: "absolute"; date: string };
export type Today = { kind: "today" };
export type DateValue = RelativeDate | AbsoluteDate | Today;

/**
 * Numbers, money included, are canonical decimal strings ("999.99", "3", "-2.5"): exact, and one
 * spelling per value so two equal rules are deep-equal.
 */
export type NumberValue = { kind: "number"; value: string };
export type StringValue = { kind: "string"; value: string };
export type BooleanValue = { kind: "boolean"; value: boolean };
export type ScalarValue = NumberValue | StringValue | BooleanValue | DateValue;
export type RangeValue = { kind: "range"; low: ScalarValue; high: ScalarValue };
export type ListValue = { kind: "list"; items: ScalarValue[] };

export type Condition =
  | {
      kind: "condition";
      attribute: string;
      operator: ComparisonOperator | "CONTAINS" | "NOT CONTAINS";
      value: ScalarValue;
    }
  | { kind: "condition"; attribute: string; operator: "BETWEEN"; value: RangeValue }
  | { kind: "condition"; attribute: string; operator: "IN" | "NOT IN"; value: ListValue }
  | { kind: "condition"; attribute: string; operator: "IS NULL" | "IS NOT NULL" };

export type FunctionArg =
  | { name: string; operator: ComparisonOperator; value: ScalarValue }
  | { name: string; operator: "BETWEEN"; value: RangeValue }
  | { name: string; operator: "IN" | "NOT IN"; value: ListValue };

/** `negated` is Shopify's NOT MATCHES / `= false`: customers with no matching purchase. */
export type FunctionCall = { kind: "function"; name: string; args: FunctionArg[]; negated: boolean };

export type Rule =
  | { kind: "and"; children: Rule[] }
  | { kind: "or"; children: Rule[] }
  | { kind: "not"; child: Rule }
  | Condition
  | FunctionCall;

// ---------------------------------------------------------------------------------------------
// Canonical scalar spellings, shared with the parser so both agree on what "canonical" means.

export const DECIMAL_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/;
export const ISO_DATE_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** "007.50" -> "7.5", "-0" -> "0". Input must already look like [-+]?digits(.digits)?. */
export function canonicalDecimal(text: string): string {
  let sign = "";
  let body = text;
  if (body.startsWith("-") || body.startsWith("+")) {
    sign = body[0] === "-" ? "-" : "";
    body = body.slice(1);
  }
  const dot = body.indexOf(".");
  let whole = dot === -1 ? body : body.slice(0, dot);
  let fraction = dot === -1 ? "" : body.slice(dot + 1);
  whole = whole.replace(/^0+(?=.)/, "");
  if (whole === "") whole = "0";
  fraction = fraction.replace(/0+$/, "");
  const out = fraction === "" ? whole : `${whole}.${fraction}`;
  return out === "0" ? "0" : sign + out;
}

export function isValidCalendarDate(iso: string): boolean {
  if (!ISO_DATE_RE.test(iso)) return false;
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

// ---------------------------------------------------------------------------------------------
// Structural schema.

const DateUnitSchema = z.enum(["d", "w", "m", "y"]);
const RelativeDateSchema = z
  .strictObject({
    kind: z.literal("relative"),
    amount: z
      .number()
      .int()
      .refine((n) => n !== 0, "relative amount must be non-zero"),
    unit: DateUnitSchema,
  })
  .refine((v) => Math.abs(v.amount) <= MAX_OFFSET[v.unit], "relative dates reach at most 100 years");
const AbsoluteDateSchema = z.strictObject({
  kind: z.literal("absolute"),
  date: z.string().refine(isValidCalendarDate, "expected a calendar date YYYY-MM-DD"),
});
const TodaySchema = z.strictObject({ kind: z.literal("today") });
const NumberValueSchema = z.strictObject({
  kind: z.literal("number"),
  value: z
    .string()
    .regex(DECIMAL_RE, "expected a canonical decimal")
    .refine((s) => s !== "-0"),
});
const StringValueSchema = z.strictObject({ kind: z.literal("string"), value: z.string() });
const BooleanValueSchema = z.strictObject({ kind: z.literal("boolean"), value: z.boolean() });

export const ScalarValueSchema = z.discriminatedUnion("kind", [
  NumberValueSchema,
  StringValueSchema,
  BooleanValueSchema,
  RelativeDateSchema,
  AbsoluteDateSchema,
  TodaySchema,
]);
const RangeValueSchema = z.strictObject({ kind: z.literal("range"), low: ScalarValueSchema, high: ScalarValueSchema });
const ListValueSchema = z.strictObject({ kind: z.literal("list"), items: z.array(ScalarValueSchema).min(1) });

const ComparisonSchema = z.enum(["=", "!=", ">", ">=", "<", "<="]);

const ConditionSchema = z.union([
  z.strictObject({
    kind: z.literal("condition"),
    attribute: z.string(),
    operator: z.union([ComparisonSchema, z.enum(["CONTAINS", "NOT CONTAINS"])]),
    value: ScalarValueSchema,
  }),
  z.strictObject({
    kind: z.literal("condition"),
    attribute: z.string(),
    operator: z.literal("BETWEEN"),
    value: RangeValueSchema,
  }),
  z.strictObject({
    kind: z.literal("condition"),
    attribute: z.string(),
    operator: z.enum(["IN", "NOT IN"]),
    value: ListValueSchema,
  }),
  z.strictObject({
    kind: z.literal("condition"),
    attribute: z.string(),
    operator: z.enum(["IS NULL", "IS NOT NULL"]),
  }),
]);

const FunctionArgSchema = z.union([
  z.strictObject({ name: z.string(), operator: ComparisonSchema, value: ScalarValueSchema }),
  z.strictObject({ name: z.string(), operator: z.literal("BETWEEN"), value: RangeValueSchema }),
  z.strictObject({ name: z.string(), operator: z.enum(["IN", "NOT IN"]), value: ListValueSchema }),
]);

const FunctionCallSchema = z.strictObject({
  kind: z.literal("function"),
  name: z.string(),
  args: z.array(FunctionArgSchema),
  negated: z.boolean(),
});

const RuleShapeSchema: z.ZodType<Rule> = z.lazy(() =>
  z.union([
    z.strictObject({ kind: z.literal("and"), children: z.array(RuleShapeSchema).min(2) }),
    z.strictObject({ kind: z.literal("or"), children: z.array(RuleShapeSchema).min(2) }),
    z.strictObject({ kind: z.literal("not"), child: RuleShapeSchema }),
    ConditionSchema,
    FunctionCallSchema,
  ]),
) as z.ZodType<Rule>;

/**
 * Shape plus meaning: known attribute, operator fits its type, value fits the operator. Only call
 * on input already known to be shallow (see `validateRule`), since zod recurses.
 */
export const RuleSchema: z.ZodType<Rule> = RuleShapeSchema.superRefine((rule, ctx) => {
  for (const issue of checkRule(rule)) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
});

// ---------------------------------------------------------------------------------------------
// Semantic checks, shared by the schema and by tests that build rules by hand.

export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

/** Depth counted without recursion, so hostile input cannot blow the stack. */
export function ruleDepth(input: unknown, limit = Number.POSITIVE_INFINITY): number {
  let max = 0;
  const stack: [unknown, number][] = [[input, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > max) max = depth;
    if (max > limit) return max;
    if (typeof node !== "object" || node === null) continue;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.children)) for (const c of record.children) stack.push([c, depth + 1]);
    if ("child" in record) stack.push([record.child, depth + 1]);
  }
  return max;
}

function scalarFits(
  type: AttributeType | ParamType,
  value: ScalarValue,
  enumValues?: readonly string[],
): string | null {
  switch (type) {
    case "number":
    case "money":
      return value.kind === "number" ? null : `expected ${TYPE_LABELS[type]}`;
    case "date":
      return value.kind === "relative" || value.kind === "absolute" || value.kind === "today"
        ? null
        : "expected a date";
    case "boolean":
      return value.kind === "boolean" ? null : "expected true or false";
    case "enum":
      if (value.kind !== "string") return "expected one of the listed values";
      return enumValues && !enumValues.includes(value.value)
        ? `'${value.value}' is not one of ${enumValues.join(", ")}`
        : null;
    case "id":
      return value.kind === "number" && /^[0-9]+$/.test(value.value) ? null : "expected a numeric ID";
    case "string":
    case "string_list":
      return value.kind === "string" ? null : "expected text in single quotes";
  }
}

/** The scalars a condition's value holds: one, a range's two ends, or a list's items. */
export function conditionScalars(value: ScalarValue | RangeValue | ListValue): ScalarValue[] {
  if (value.kind === "range") return [value.low, value.high];
  if (value.kind === "list") return value.items;
  return [value];
}

function integerOk(integer: boolean | undefined, value: ScalarValue): boolean {
  return !integer || value.kind !== "number" || !value.value.includes(".");
}

export function checkRule(rule: Rule): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const visit = (node: Rule, path: (string | number)[]): void => {
    switch (node.kind) {
      case "and":
      case "or":
        node.children.forEach((c, i) => visit(c, [...path, "children", i]));
        return;
      case "not":
        visit(node.child, [...path, "child"]);
        return;
      case "condition": {
        const def = getAttribute(node.attribute);
        if (!def)
          return void issues.push({ path: [...path, "attribute"], message: `unknown attribute '${node.attribute}'` });
        if (!def.available) {
          return void issues.push({
            path: [...path, "attribute"],
            message: `'${node.attribute}' is not available yet`,
          });
        }
        if (!OPERATORS_BY_TYPE[def.type].includes(node.operator)) {
          return void issues.push({
            path: [...path, "operator"],
            message: `'${node.operator}' does not apply to ${node.attribute} (${TYPE_LABELS[def.type]})`,
          });
        }
        if (!("value" in node)) return;
        for (const v of conditionScalars(node.value)) {
          const problem = scalarFits(def.type, v, def.enumValues);
          if (problem) issues.push({ path: [...path, "value"], message: `${node.attribute}: ${problem}` });
          else if (!integerOk(def.integer, v))
            issues.push({ path: [...path, "value"], message: `${node.attribute} takes a whole number` });
          else {
            const range = scalarProblem(def.type, node.attribute, def.integer === true, v);
            if (range) issues.push({ path: [...path, "value"], message: range });
          }
        }
        return;
      }
      case "function": {
        const fn = getFunction(node.name);
        if (!fn) return void issues.push({ path: [...path, "name"], message: `unknown function '${node.name}'` });
        const seen = new Set<string>();
        node.args.forEach((arg, i) => {
          const at = [...path, "args", i];
          const param = getParam(fn, arg.name);
          if (!param) return void issues.push({ path: at, message: `${node.name} has no parameter '${arg.name}'` });
          if (seen.has(arg.name)) issues.push({ path: at, message: `'${arg.name}' is given twice` });
          seen.add(arg.name);
          if (!argOperators(param).includes(arg.operator)) {
            return void issues.push({
              path: at,
              message: `'${arg.operator}' does not apply to ${arg.name} (${TYPE_LABELS[param.type]})`,
            });
          }
          const scalars =
            arg.value.kind === "range"
              ? [arg.value.low, arg.value.high]
              : arg.value.kind === "list"
                ? arg.value.items
                : [arg.value];
          for (const v of scalars) {
            const problem = scalarFits(param.type, v);
            if (problem) issues.push({ path: at, message: `${arg.name}: ${problem}` });
            else if (!integerOk(param.integer, v))
              issues.push({ path: at, message: `${arg.name} takes a whole number` });
            else {
              const range = scalarProblem(param.type, arg.name, param.integer === true, v);
              if (range) issues.push({ path: at, message: range });
            }
          }
        });
        return;
      }
    }
  };
  visit(rule, []);
  return issues;
}

export type ValidateResult = { ok: true; rule: Rule } | { ok: false; issues: RuleIssue[] };

/**
 * The size caps and value ranges of limits.ts alone: what `prepare` checks before it resolves
 * anything, since a rule may reach it without `validateRule` (hand-built, or cached from before).
 */
export function limitProblem(rule: Rule): string | null {
  const size = sizeProblem(ruleSize(rule));
  if (size) return size;
  const stack: Rule[] = [rule];
  while (stack.length > 0) {
    const node = stack.pop() as Rule;
    switch (node.kind) {
      case "and":
      case "or":
        stack.push(...node.children);
        break;
      case "not":
        stack.push(node.child);
        break;
      case "condition": {
        const def = getAttribute(node.attribute);
        if (!def || !("value" in node)) break;
        for (const v of conditionScalars(node.value)) {
          const problem = scalarProblem(def.type, node.attribute, def.integer === true, v);
          if (problem) return problem;
        }
        break;
      }
      case "function": {
        const fn = getFunction(node.name);
        if (!fn) break;
        for (const arg of node.args) {
          const param = getParam(fn, arg.name);
          if (!param) continue;
          const scalars =
            arg.value.kind === "range"
              ? [arg.value.low, arg.value.high]
              : arg.value.kind === "list"
                ? arg.value.items
                : [arg.value];
          for (const v of scalars) {
            const problem = scalarProblem(param.type, arg.name, param.integer === true, v);
            if (problem) return problem;
          }
        }
        break;
      }
    }
  }
  return null;
}

/** The boundary check for rules coming from JSON: never throws, whatever the input. */
export function validateRule(input: unknown): ValidateResult {
  if (ruleDepth(input, MAX_DEPTH) > MAX_DEPTH) {
    return { ok: false, issues: [{ path: [], message: `rule is nested more than ${MAX_DEPTH} levels deep` }] };
  }
  // Counted before zod walks the tree: a stored 100,000-term rule is refused without building it.
  const size = sizeProblem(ruleSize(input));
  if (size) return { ok: false, issues: [{ path: [], message: size }] };
  const parsed = RuleSchema.safeParse(input);
  if (parsed.success) return { ok: true, rule: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: i.message,
    })),
  };
}
