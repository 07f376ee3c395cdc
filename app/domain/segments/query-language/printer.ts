// The printer: a Rule as canonical query text, so that `parse(print(rule))` gives back an equal rule
// and printing a parsed rule is a fixed point. Calls are written in the MATCHES form unless the
// older colon form is asked for and can say the call.
import { getFunction, getParam } from "../attributes";
import type { FunctionArg, Rule, ScalarValue } from "../rule";

export interface PrintOptions {
  /**
   * "matches" (default, canonical): `f MATCHES (a = 1)`. "legacy": `f(a: 1) = true` where the call
   * can be said that way, for Admin API versions before 2026-10.
   */
  functions?: "matches" | "legacy";
}

export function quote(value: string): string {
  let out = "'";
  for (const ch of value) {
    if (ch === "'") out += "\\'";
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else out += ch;
  }
  return `${out}'`;
}

export function printScalar(v: ScalarValue): string {
  switch (v.kind) {
    case "number":
      return v.value;
    case "string":
      return quote(v.value);
    case "boolean":
      return v.value ? "true" : "false";
    case "relative":
      return `${v.amount < 0 ? "-" : "+"}${Math.abs(v.amount)}${v.unit}`;
    case "absolute":
      return v.date;
    case "today":
      return "today";
  }
}

function printArgMatches(arg: FunctionArg): string {
  switch (arg.operator) {
    case "BETWEEN":
      return `${arg.name} BETWEEN ${printScalar(arg.value.low)} AND ${printScalar(arg.value.high)}`;
    case "IN":
    case "NOT IN":
      return `${arg.name} ${arg.operator} (${arg.value.items.map(printScalar).join(", ")})`;
    default:
      return `${arg.name} ${arg.operator} ${printScalar(arg.value)}`;
  }
}

function printArgLegacy(fnName: string, arg: FunctionArg): string | undefined {
  const fn = getFunction(fnName);
  const isDate = fn ? getParam(fn, arg.name)?.type === "date" : false;
  if (arg.operator === "BETWEEN")
    return `${arg.name}: BETWEEN ${printScalar(arg.value.low)} AND ${printScalar(arg.value.high)}`;
  if (arg.operator === "IN") return `${arg.name}: (${arg.value.items.map(printScalar).join(", ")})`;
  if (arg.operator === (isDate ? ">=" : "=")) return `${arg.name}: ${printScalar(arg.value)}`;
  return undefined;
}

function printRule(rule: Rule, options: PrintOptions): string {
  const group = (r: Rule): string =>
    r.kind === "and" || r.kind === "or" ? `(${printRule(r, options)})` : printRule(r, options);
  switch (rule.kind) {
    case "and":
      return rule.children.map(group).join(" AND ");
    case "or":
      // AND binds tighter, so its parentheses here are for the reader, not the parser.
      return rule.children.map(group).join(" OR ");
    case "not":
      return `NOT ${group(rule.child)}`;
    case "condition":
      if (!("value" in rule)) return `${rule.attribute} ${rule.operator}`;
      if (rule.value.kind === "range") {
        return `${rule.attribute} BETWEEN ${printScalar(rule.value.low)} AND ${printScalar(rule.value.high)}`;
      }
      if (rule.value.kind === "list") {
        return `${rule.attribute} ${rule.operator} (${rule.value.items.map(printScalar).join(", ")})`;
      }
      return `${rule.attribute} ${rule.operator} ${printScalar(rule.value)}`;
    case "function": {
      if (options.functions === "legacy") {
        const parts = rule.args.map((a) => printArgLegacy(rule.name, a));
        if (parts.every((p): p is string => p !== undefined)) {
          return `${rule.name}(${parts.join(", ")}) = ${rule.negated ? "false" : "true"}`;
        }
      }
      return `${rule.name} ${rule.negated ? "NOT MATCHES" : "MATCHES"} (${rule.args.map(printArgMatches).join(", ")})`;
    }
  }
}

/** Canonical text for a valid rule: `parse(print(rule))` gives back an equal rule. */
export function print(rule: Rule, options: PrintOptions = {}): string {
  return printRule(rule, options);
}
