// The visual builder's editable form of a Rule. The query text stays the one source of truth: text is
// parsed into this form, and every edit made here is printed back to text. Values are kept as the
// strings the merchant types (a half-typed "-3" must survive a re-render), so this form can hold
// things a Rule cannot; `fromBuilder` says exactly which field is wrong instead of guessing.
//
// Round trip: for any rule the parser accepts, print(fromBuilder(toBuilder(rule))) === print(rule).
// `textToBuilder` checks that on every call, so the builder can never silently change a query.
//
// Here: the form's types, rule -> form (toBuilder), form -> rule (fromBuilder, field by field), form
// -> text and text -> form. The edits the form's controls make are in builder/edits.ts, re-exported
// below so that the editor imports this module only.

import {
  argOperators,
  ATTRIBUTES,
  FUNCTIONS,
  OPERATORS_BY_TYPE,
  getAttribute,
  getFunction,
  getParam,
  type ArgOperator,
  type AttributeDef,
  type AttributeType,
  type ConditionOperator,
  type FunctionDef,
  type ParamType,
} from "./attributes";
import type { DateMode } from "./builder/dates";
import { emptyBuilder } from "./builder/edits";
import { parseFieldValue, type ValueSpec } from "./builder/values";
import { parse, print, printScalar, quote, type ParseError } from "./query-language";
import { validateRule, type FunctionArg, type Rule, type ScalarValue } from "./rule";

export {
  appendChild,
  changeArgName,
  changeArgOperator,
  changeAttribute,
  changeOperator,
  emptyBuilder,
  newArg,
  newCondition,
  newFunction,
  nodeAt,
  paramType,
  removeAt,
  toggleNot,
  touch,
  updateAt,
} from "./builder/edits";
export { parseFieldValue } from "./builder/values";

export type BuilderCondition = {
  kind: "condition";
  attribute: string;
  operator: ConditionOperator;
  /** The value, or the low end of BETWEEN; ignored for IS NULL / IS NOT NULL. */
  value: string;
  /** The high end of BETWEEN. */
  high: string;
  /** The values of IN / NOT IN ("is any of" / "is none of"), one field each; absent otherwise. */
  items?: string[];
  /**
   * Added by the merchant and not edited yet: its problems are not shown until they edit it or try to
   * save (a new condition is incomplete by design, not wrong). Never set by `toBuilder`.
   */
  fresh?: boolean;
  /** For dates: the way the merchant chose to say it (builder/dates.ts); a view hint, not part of the rule. */
  dateMode?: DateMode;
};

export type BuilderArg = {
  name: string;
  operator: ArgOperator;
  value: string;
  high: string;
  /** The values of IN / NOT IN, one field each (text may itself contain commas). */
  items: string[];
  /** As BuilderCondition.dateMode. */
  dateMode?: DateMode;
};

export type BuilderFunction = {
  kind: "function";
  name: string;
  negated: boolean;
  args: BuilderArg[];
  /** As BuilderCondition.fresh. */
  fresh?: boolean;
};
export type BuilderGroup = { kind: "group"; op: "and" | "or"; children: BuilderNode[] };
export type BuilderNot = { kind: "not"; child: BuilderNode };
export type BuilderNode = BuilderGroup | BuilderNot | BuilderCondition | BuilderFunction;

/** Child indexes from the root; a NOT node's only child is index 0. */
export type Path = readonly number[];

export type BuilderField = "value" | "high" | "items" | "args" | "children" | "attribute" | "operator" | "name";

export interface BuilderIssue {
  path: Path;
  /** For function arguments: which one. */
  arg?: number;
  /** For IN lists: which item. */
  item?: number;
  field: BuilderField;
  message: string;
}

export type FromBuilderResult = { ok: true; rule: Rule } | { ok: false; issues: BuilderIssue[] };

type ValueType = AttributeType | ParamType;

// ---------------------------------------------------------------------------------------------
// Catalogue views for the form's select boxes: only what a rule may use today.

export const BUILDER_ATTRIBUTES: readonly { name: string; def: AttributeDef }[] = Object.entries(
  ATTRIBUTES as Record<string, AttributeDef>,
)
  .filter(([, def]) => def.available)
  .map(([name, def]) => ({ name, def }));

export const BUILDER_FUNCTIONS: readonly { name: string; def: FunctionDef }[] = Object.entries(
  FUNCTIONS as Record<string, FunctionDef>,
)
  .filter(([, def]) => def.available)
  .map(([name, def]) => ({ name, def }));

export function operatorTakesValue(operator: ConditionOperator): boolean {
  return operator !== "IS NULL" && operator !== "IS NOT NULL";
}

export function isListOperator(operator: ConditionOperator | ArgOperator): operator is "IN" | "NOT IN" {
  return operator === "IN" || operator === "NOT IN";
}

// ---------------------------------------------------------------------------------------------
// Rule -> builder

function scalarText(v: ScalarValue): string {
  // Strings are edited unquoted; everything else in the query language's own spelling.
  return v.kind === "string" ? v.value : printScalar(v);
}

function argToBuilder(arg: FunctionArg): BuilderArg {
  switch (arg.operator) {
    case "BETWEEN":
      return {
        name: arg.name,
        operator: arg.operator,
        value: scalarText(arg.value.low),
        high: scalarText(arg.value.high),
        items: [],
      };
    case "IN":
    case "NOT IN":
      return { name: arg.name, operator: arg.operator, value: "", high: "", items: arg.value.items.map(scalarText) };
    default:
      return { name: arg.name, operator: arg.operator, value: scalarText(arg.value), high: "", items: [] };
  }
}

function nodeToBuilder(rule: Rule): BuilderNode {
  switch (rule.kind) {
    case "and":
    case "or":
      return { kind: "group", op: rule.kind, children: rule.children.map(nodeToBuilder) };
    case "not":
      return { kind: "not", child: nodeToBuilder(rule.child) };
    case "function":
      return { kind: "function", name: rule.name, negated: rule.negated, args: rule.args.map(argToBuilder) };
    case "condition":
      if (!("value" in rule))
        return { kind: "condition", attribute: rule.attribute, operator: rule.operator, value: "", high: "" };
      if (rule.value.kind === "range") {
        return {
          kind: "condition",
          attribute: rule.attribute,
          operator: rule.operator,
          value: scalarText(rule.value.low),
          high: scalarText(rule.value.high),
        };
      }
      if (rule.value.kind === "list") {
        return {
          kind: "condition",
          attribute: rule.attribute,
          operator: rule.operator,
          value: "",
          high: "",
          items: rule.value.items.map(scalarText),
        };
      }
      return {
        kind: "condition",
        attribute: rule.attribute,
        operator: rule.operator,
        value: scalarText(rule.value),
        high: "",
      };
  }
}

/** The builder's root is always a group, so there is somewhere to add the next condition. */
export function toBuilder(rule: Rule): BuilderGroup {
  const node = nodeToBuilder(rule);
  return node.kind === "group" ? node : { kind: "group", op: "and", children: [node] };
}

// ---------------------------------------------------------------------------------------------
// Builder -> rule (one field's text as a value: builder/values.ts)

export function fromBuilder(root: BuilderNode): FromBuilderResult {
  const issues: BuilderIssue[] = [];

  const visit = (node: BuilderNode, path: Path): Rule | undefined => {
    switch (node.kind) {
      case "group": {
        if (node.children.length === 0) {
          issues.push({
            path,
            field: "children",
            message: path.length === 0 ? "Add a condition" : "This group is empty: add a condition or remove it",
          });
          return undefined;
        }
        const children = node.children.map((c, i) => visit(c, [...path, i]));
        if (children.some((c) => c === undefined)) return undefined;
        // A group of one is just that one: the text has no way to say the difference.
        if (children.length === 1) return children[0];
        return { kind: node.op, children: children as Rule[] };
      }
      case "not": {
        const child = visit(node.child, [...path, 0]);
        return child === undefined ? undefined : { kind: "not", child };
      }
      case "condition": {
        const def = getAttribute(node.attribute);
        if (!def || !def.available) {
          issues.push({ path, field: "attribute", message: `Choose an attribute` });
          return undefined;
        }
        if (!OPERATORS_BY_TYPE[def.type].includes(node.operator)) {
          issues.push({ path, field: "operator", message: `Choose an operator for ${node.attribute}` });
          return undefined;
        }
        if (!operatorTakesValue(node.operator)) {
          return { kind: "condition", attribute: node.attribute, operator: node.operator as "IS NULL" | "IS NOT NULL" };
        }
        const spec: ValueSpec = {
          type: def.type,
          owner: node.attribute,
          integer: def.integer,
          enumValues: def.enumValues,
        };
        if (isListOperator(node.operator)) {
          const texts = node.items ?? [];
          if (texts.length === 0) {
            issues.push({ path, field: "items", message: "Choose at least one value" });
            return undefined;
          }
          const items: ScalarValue[] = [];
          texts.forEach((text, item) => {
            const v = parseFieldValue(spec, text);
            if (v.ok) items.push(v.value);
            else issues.push({ path, item, field: "items", message: v.message });
          });
          if (items.length < texts.length) return undefined;
          return {
            kind: "condition",
            attribute: node.attribute,
            operator: node.operator,
            value: { kind: "list", items },
          };
        }
        const low = parseFieldValue(spec, node.value);
        if (!low.ok) issues.push({ path, field: "value", message: low.message });
        if (node.operator === "BETWEEN") {
          const high = parseFieldValue(spec, node.high);
          if (!high.ok) issues.push({ path, field: "high", message: high.message });
          if (!low.ok || !high.ok) return undefined;
          return {
            kind: "condition",
            attribute: node.attribute,
            operator: "BETWEEN",
            value: { kind: "range", low: low.value, high: high.value },
          };
        }
        if (!low.ok) return undefined;
        return { kind: "condition", attribute: node.attribute, operator: node.operator, value: low.value } as Rule;
      }
      case "function": {
        const fn = getFunction(node.name);
        if (!fn || !fn.available) {
          issues.push({ path, field: "name", message: "Choose a function" });
          return undefined;
        }
        const args: FunctionArg[] = [];
        const seen = new Set<string>();
        let failed = false;
        node.args.forEach((arg, i) => {
          const param = getParam(fn, arg.name);
          const fail = (field: BuilderField, message: string, item?: number) => {
            failed = true;
            issues.push({ path, arg: i, item, field, message });
          };
          if (!param) return fail("name", `Choose a parameter of ${node.name}`);
          if (seen.has(arg.name)) return fail("name", `'${arg.name}' is given twice`);
          seen.add(arg.name);
          if (!argOperators(param).includes(arg.operator))
            return fail("operator", `Choose an operator for ${arg.name}`);
          const spec: ValueSpec = { type: param.type, owner: arg.name, integer: param.integer };
          if (arg.operator === "IN" || arg.operator === "NOT IN") {
            if (arg.items.length === 0) return fail("items", "Add at least one value");
            const items: ScalarValue[] = [];
            arg.items.forEach((text, j) => {
              const v = parseFieldValue(spec, text);
              if (v.ok) items.push(v.value);
              else fail("items", v.message, j);
            });
            if (items.length === arg.items.length)
              args.push({ name: arg.name, operator: arg.operator, value: { kind: "list", items } });
            return;
          }
          const low = parseFieldValue(spec, arg.value);
          if (!low.ok) fail("value", low.message);
          if (arg.operator === "BETWEEN") {
            const high = parseFieldValue(spec, arg.high);
            if (!high.ok) fail("high", high.message);
            if (low.ok && high.ok)
              args.push({
                name: arg.name,
                operator: "BETWEEN",
                value: { kind: "range", low: low.value, high: high.value },
              });
            return;
          }
          if (low.ok) args.push({ name: arg.name, operator: arg.operator, value: low.value });
        });
        if (failed) return undefined;
        return { kind: "function", name: node.name, negated: node.negated, args };
      }
    }
  };

  const rule = visit(root, []);
  if (!rule || issues.length > 0) return { ok: false, issues };
  // The same boundary check stored rules pass (depth, semantics): the form must not be laxer.
  const checked = validateRule(rule);
  if (!checked.ok)
    return { ok: false, issues: checked.issues.map((i) => ({ path: [], field: "children", message: i.message })) };
  return { ok: true, rule: checked.rule };
}

// ---------------------------------------------------------------------------------------------
// Builder -> text

function looseValue(type: ValueType | undefined, text: string): string {
  return type === "string" || type === "string_list" || type === "enum" ? quote(text) : text.trim();
}

/** Text for a builder that is not a valid rule yet: what it says so far, so the parser can point at the gap. */
function loosePrint(node: BuilderNode, top = true): string {
  switch (node.kind) {
    case "group": {
      if (node.children.length === 0) return top ? "" : "()";
      const inner = node.children.map((c) => loosePrint(c, false)).join(node.op === "and" ? " AND " : " OR ");
      return top || node.children.length === 1 ? inner : `(${inner})`;
    }
    case "not":
      return `NOT ${loosePrint(node.child, false)}`;
    case "condition": {
      const type = getAttribute(node.attribute)?.type;
      if (!operatorTakesValue(node.operator)) return `${node.attribute} ${node.operator}`;
      if (isListOperator(node.operator))
        return `${node.attribute} ${node.operator} (${(node.items ?? []).map((t) => looseValue(type, t)).join(", ")})`;
      if (node.operator === "BETWEEN")
        return `${node.attribute} BETWEEN ${looseValue(type, node.value)} AND ${looseValue(type, node.high)}`;
      return `${node.attribute} ${node.operator} ${looseValue(type, node.value)}`;
    }
    case "function": {
      const fn = getFunction(node.name);
      const args = node.args.map((a) => {
        const type = fn ? getParam(fn, a.name)?.type : undefined;
        if (a.operator === "BETWEEN")
          return `${a.name} BETWEEN ${looseValue(type, a.value)} AND ${looseValue(type, a.high)}`;
        if (a.operator === "IN" || a.operator === "NOT IN")
          return `${a.name} ${a.operator} (${a.items.map((t) => looseValue(type, t)).join(", ")})`;
        return `${a.name} ${a.operator} ${looseValue(type, a.value)}`;
      });
      return `${node.name} ${node.negated ? "NOT MATCHES" : "MATCHES"} (${args.join(", ")})`;
    }
  }
}

/** The query text for the builder's state: canonical when it is a valid rule, a best effort otherwise. */
export function builderToText(root: BuilderNode): string {
  const result = fromBuilder(root);
  return result.ok ? print(result.rule) : loosePrint(root).trim();
}

// ---------------------------------------------------------------------------------------------
// Text -> builder

export type TextToBuilderResult =
  | { ok: true; builder: BuilderGroup }
  | { ok: false; reason: "syntax"; errors: ParseError[] }
  | { ok: false; reason: "unsupported"; message: string };

export function textToBuilder(text: string): TextToBuilderResult {
  if (text.trim() === "") return { ok: true, builder: emptyBuilder() };
  const parsed = parse(text);
  if (!parsed.ok) return { ok: false, reason: "syntax", errors: parsed.errors };
  const builder = toBuilder(parsed.rule);
  const back = fromBuilder(builder);
  if (!back.ok || print(back.rule) !== print(parsed.rule)) {
    return {
      ok: false,
      reason: "unsupported",
      message: "The builder cannot show this query without changing it; edit it as text.",
    };
  }
  return { ok: true, builder };
}
