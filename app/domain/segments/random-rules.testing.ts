// Random valid rules over the whole catalogue, for tests (the parser's fuzz test, the builder's round
// trip). Not imported by the app. Seed the stream with createRandom so a failure reproduces.
import type { Random } from "~/demo/random";
import {
  argOperators,
  ATTRIBUTES,
  FUNCTIONS,
  OPERATORS_BY_TYPE,
  type AttributeDef,
  type FunctionDef,
  type ParamDef,
} from "./attributes";
import { MAX_OFFSET, ruleSize, sizeProblem } from "./limits";
import type { FunctionArg, Rule, ScalarValue } from "./rule";

const AVAILABLE = Object.entries(ATTRIBUTES as Record<string, AttributeDef>).filter(([, d]) => d.available);
const FNS = Object.entries(FUNCTIONS as Record<string, FunctionDef>);

const STRING_CHARS = [
  "a",
  "Z",
  "0",
  " ",
  "'",
  "\\",
  "\n",
  "\t",
  "\r",
  "é",
  "☕",
  "😀",
  "-",
  "(",
  ")",
  ",",
  ":",
  "=",
  '"',
  "AND",
  "OR",
  "NOT",
];

function genDecimal(g: Random, integer: boolean, allowNegative: boolean): string {
  const whole = g.bernoulli(0.2) ? "0" : String(g.int(1, 9)) + (g.bernoulli(0.5) ? String(g.int(0, 99999)) : "");
  let out = whole;
  if (!integer && g.bernoulli(0.4)) out += g.bernoulli(0.5) ? `.${g.int(1, 9)}` : `.${g.int(0, 9)}${g.int(1, 9)}`;
  if (allowNegative && out !== "0" && g.bernoulli(0.1)) out = `-${out}`;
  return out;
}

function genString(g: Random): string {
  let s = "";
  const n = g.int(0, 6);
  for (let i = 0; i < n; i++) s += g.pick(STRING_CHARS);
  return s;
}

function genDate(g: Random): ScalarValue {
  const r = g.next();
  if (r < 0.5) {
    const unit = g.pick(["d", "w", "m", "y"] as const);
    const amount = g.int(1, Math.min(2000, MAX_OFFSET[unit])) * (g.bernoulli(0.8) ? -1 : 1);
    return { kind: "relative", amount, unit };
  }
  if (r < 0.9) {
    const year = g.int(1990, 2100);
    const month = g.int(1, 12);
    const day = g.int(1, 28);
    return { kind: "absolute", date: `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}` };
  }
  return { kind: "today" };
}

function genValue(
  g: Random,
  def: { type: AttributeDef["type"] | ParamDef["type"]; integer?: boolean; enumValues?: readonly string[] },
): ScalarValue {
  switch (def.type) {
    case "number":
    case "money":
      // Counts are never negative, nor more than 36,525 for days_since_last_order (limits.ts); money may be negative.
      if (def.integer) return { kind: "number", value: String(Number(genDecimal(g, true, false)) % 36_526) };
      return { kind: "number", value: genDecimal(g, false, true) };
    case "id":
      return { kind: "number", value: String(g.int(1, 9)) + String(g.int(0, 999999999)) };
    case "date":
      return genDate(g);
    case "string":
    case "string_list":
      return { kind: "string", value: genString(g) };
    case "enum":
      return { kind: "string", value: g.pick(def.enumValues ?? []) };
    case "boolean":
      return { kind: "boolean", value: g.bernoulli(0.5) };
  }
}

function genLeaf(g: Random): Rule {
  if (g.bernoulli(0.75)) {
    const [attribute, def] = g.pick(AVAILABLE);
    const operator = g.pick(OPERATORS_BY_TYPE[def.type]);
    if (operator === "IS NULL" || operator === "IS NOT NULL") return { kind: "condition", attribute, operator };
    if (operator === "BETWEEN") {
      return {
        kind: "condition",
        attribute,
        operator,
        value: { kind: "range", low: genValue(g, def), high: genValue(g, def) },
      };
    }
    if (operator === "IN" || operator === "NOT IN") {
      const items = Array.from({ length: g.int(1, 4) }, () => genValue(g, def));
      return { kind: "condition", attribute, operator, value: { kind: "list", items } };
    }
    return { kind: "condition", attribute, operator, value: genValue(g, def) };
  }
  const [name, fn] = g.pick(FNS);
  const params = Object.entries(fn.params).filter(() => g.bernoulli(0.4));
  const args: FunctionArg[] = params.map(([paramName, param]) => {
    const operator = g.pick(argOperators(param));
    if (operator === "BETWEEN") {
      return { name: paramName, operator, value: { kind: "range", low: genValue(g, param), high: genValue(g, param) } };
    }
    if (operator === "IN" || operator === "NOT IN") {
      const items = Array.from({ length: g.int(1, 3) }, () => genValue(g, param));
      return { name: paramName, operator, value: { kind: "list", items } };
    }
    return { name: paramName, operator, value: genValue(g, param) };
  });
  return { kind: "function", name, args, negated: g.bernoulli(0.3) };
}

function genTree(g: Random, depthLeft: number): Rule {
  if (depthLeft <= 1 || g.bernoulli(0.35)) return genLeaf(g);
  const r = g.next();
  if (r < 0.2) return { kind: "not", child: genTree(g, depthLeft - 1) };
  const children = Array.from({ length: g.int(2, 4) }, () => genTree(g, depthLeft - 1));
  return { kind: r < 0.6 ? "and" : "or", children };
}

/** A valid rule of at most `depthLeft` levels over every available attribute and function, within the size caps. */
export function genRule(g: Random, depthLeft: number): Rule {
  for (;;) {
    const rule = genTree(g, depthLeft);
    if (!sizeProblem(ruleSize(rule))) return rule;
  }
}
