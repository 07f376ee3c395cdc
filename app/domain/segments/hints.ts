// Why a valid query matches nobody, when we can tell: a value the shop does not have (the literals a
// rule compares with a vocabulary kind, collected here; the shop's lists are checked by
// app/models/segments/hints.server.ts), or a range that is empty (`amount_spent > 100 AND amount_spent
// < 50`, a BETWEEN whose end comes before its start). Pure. A Rule has no positions, so each finding
// names the k-th occurrence of a name in the text (`NameRef`) and `locate` finds it in the tokens.
import { addToYmd, type Ymd } from "../calendar";
import { getAttribute, getFunction, getParam } from "./attributes";
import { locateName, type NameRef } from "./query-language";
import type { FunctionArg, Rule, ScalarValue } from "./rule";
import { vocabularyKindOfAttribute, vocabularyKindOfParam, type VocabularyKind } from "./vocabulary";

export { locateName as locate, type NameRef };

export type ValueLiteral = { kind: VocabularyKind; value: string; owner: string; at: NameRef };
export type RangeProblem = { message: string; at: NameRef };

/** Visits conditions and calls in source order, counting how often each name has been written. */
function walk(
  rule: Rule,
  visit: (node: Rule, negated: boolean, ref: (name: string, value?: string) => NameRef) => void,
): void {
  const seen = new Map<string, number>();
  const ref = (name: string, value?: string): NameRef => {
    const key = name.toLowerCase();
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return { name: key, occurrence, ...(value !== undefined ? { value } : {}) };
  };
  const go = (node: Rule, negated: boolean): void => {
    if (node.kind === "and" || node.kind === "or") {
      visit(node, negated, ref);
      for (const child of node.children) go(child, negated);
    } else if (node.kind === "not") go(node.child, !negated);
    else visit(node, negated, ref);
  };
  go(rule, false);
}

const scalarText = (v: ScalarValue): string | undefined =>
  v.kind === "string" || v.kind === "number" ? v.value : undefined;

/**
 * The values a rule needs the shop to have: compared with `=`, CONTAINS or IN against a vocabulary
 * kind, outside any negation (under NOT, a value nobody has matches everyone, not no one).
 */
export function vocabularyLiterals(rule: Rule): ValueLiteral[] {
  const out: ValueLiteral[] = [];
  walk(rule, (node, negated, ref) => {
    if (node.kind === "condition") {
      const at = ref(node.attribute);
      const kind = vocabularyKindOfAttribute(node.attribute);
      if (!kind || negated || !("value" in node) || (node.operator !== "=" && node.operator !== "CONTAINS")) return;
      const value = scalarText(node.value);
      if (value !== undefined) out.push({ kind, value, owner: node.attribute, at: { ...at, value } });
    } else if (node.kind === "function") {
      ref(node.name);
      for (const arg of node.args) {
        const at = ref(arg.name);
        const kind = vocabularyKindOfParam(node.name, arg.name);
        if (!kind || negated || node.negated) continue;
        for (const value of argValues(arg)) out.push({ kind, value, owner: arg.name, at: { ...at, value } });
      }
    }
  });
  return out;
}

function argValues(arg: FunctionArg): string[] {
  if (arg.operator === "=") return [scalarText(arg.value)].filter((v): v is string => v !== undefined);
  if (arg.operator === "IN") return arg.value.items.map(scalarText).filter((v): v is string => v !== undefined);
  return [];
}

// ---------------------------------------------------------------------------------------------
// Empty ranges.

type Point = { at: number; shown: string; date: boolean };

const DAY_MS = 86_400_000;
const dayNumber = (ymd: Ymd) => Date.parse(`${ymd}T00:00:00Z`) / DAY_MS;

/** A number or date as a point on a line (days for dates, from the shop's `today`); undefined otherwise. */
function pointOf(v: ScalarValue, today: Ymd, shown: string): Point | undefined {
  switch (v.kind) {
    case "number":
      return { at: Number(v.value), shown, date: false };
    case "absolute":
      return { at: dayNumber(v.date), shown, date: true };
    case "relative":
      return { at: dayNumber(addToYmd(today, v.amount, v.unit)), shown, date: true };
    case "today":
      return { at: dayNumber(today), shown, date: true };
    default:
      return undefined;
  }
}

const shownValue = (v: ScalarValue): string =>
  v.kind === "relative"
    ? `${v.amount < 0 ? "-" : "+"}${Math.abs(v.amount)}${v.unit}`
    : v.kind === "absolute"
      ? v.date
      : v.kind === "today"
        ? "today"
        : v.kind === "number" || v.kind === "string"
          ? v.value
          : String(v.value);

type Bound = { point: Point; strict: boolean; words: string; ref: NameRef };

function words(op: string, p: Point): string {
  const v = p.shown;
  if (p.date)
    return (
      { ">": `after ${v}`, ">=": `on or after ${v}`, "<": `before ${v}`, "<=": `on or before ${v}` }[op] ?? `on ${v}`
    );
  return (
    { ">": `more than ${v}`, ">=": `at least ${v}`, "<": `less than ${v}`, "<=": `at most ${v}` }[op] ?? `exactly ${v}`
  );
}

function isOrdered(name: string, fn?: string): boolean {
  if (fn) {
    const f = getFunction(fn);
    const p = f ? getParam(f, name) : undefined;
    return p !== undefined && p.type !== "string" && p.type !== "id";
  }
  const t = getAttribute(name)?.type;
  return t === "number" || t === "money" || t === "date";
}

function reversedBetween(name: string, low: ScalarValue, high: ScalarValue, today: Ymd, ref: NameRef): RangeProblem[] {
  const lo = pointOf(low, today, shownValue(low));
  const hi = pointOf(high, today, shownValue(high));
  if (!lo || !hi || lo.date !== hi.date || lo.at <= hi.at) return [];
  const message = lo.date
    ? `${name} BETWEEN ${lo.shown} AND ${hi.shown} ends before it starts (${hi.shown} is earlier than ${lo.shown}), so it matches nobody: put the earlier date first.`
    : `${name} BETWEEN ${lo.shown} AND ${hi.shown} ends before it starts, so it matches nobody: put the smaller number first.`;
  return [{ message, at: ref }];
}

/**
 * Ranges that hold no value: a BETWEEN whose end is before its start, and conditions on one number
 * or date under the same AND that cannot all hold. Dates are read with the shop's `today`.
 */
export function emptyRanges(rule: Rule, today: Ymd): RangeProblem[] {
  const out: RangeProblem[] = [];
  // Where each condition was written, for the AND check below.
  const refs = new Map<Rule, NameRef>();
  walk(rule, (node, negated, ref) => {
    if (node.kind === "condition") {
      const at = ref(node.attribute);
      refs.set(node, at);
      if (!negated && node.operator === "BETWEEN" && isOrdered(node.attribute))
        out.push(...reversedBetween(node.attribute, node.value.low, node.value.high, today, at));
    } else if (node.kind === "function") {
      ref(node.name);
      for (const arg of node.args) {
        const at = ref(arg.name);
        if (!negated && !node.negated && arg.operator === "BETWEEN" && isOrdered(arg.name, node.name))
          out.push(...reversedBetween(`${arg.name}`, arg.value.low, arg.value.high, today, at));
      }
    }
  });
  walkAnds(rule, false, today, refs, out);
  return out;
}

/** Conditions joined by one AND, per attribute: the tightest lower and upper bounds, and whether they cross. */
function walkAnds(rule: Rule, negated: boolean, today: Ymd, refs: Map<Rule, NameRef>, out: RangeProblem[]): void {
  if (rule.kind === "not") return walkAnds(rule.child, !negated, today, refs, out);
  if (rule.kind !== "and" && rule.kind !== "or") return;
  for (const child of rule.children) walkAnds(child, negated, today, refs, out);
  if (rule.kind !== "and" || negated) return;
  const lower = new Map<string, Bound>();
  const upper = new Map<string, Bound>();
  for (const child of rule.children) {
    if (child.kind !== "condition" || !isOrdered(child.attribute) || !("value" in child)) continue;
    const ref = refs.get(child);
    if (!ref) continue;
    const add = (op: string, v: ScalarValue) => {
      const point = pointOf(v, today, shownValue(v));
      if (!point) return;
      const bound = { point, strict: op === ">" || op === "<", words: words(op, point), ref };
      if (op === ">" || op === ">=" || op === "=") {
        const cur = lower.get(child.attribute);
        if (!cur || point.at > cur.point.at || (point.at === cur.point.at && bound.strict))
          lower.set(child.attribute, bound);
      }
      if (op === "<" || op === "<=" || op === "=") {
        const cur = upper.get(child.attribute);
        if (!cur || point.at < cur.point.at || (point.at === cur.point.at && bound.strict))
          upper.set(child.attribute, bound);
      }
    };
    if (child.operator === "BETWEEN") {
      add(">=", child.value.low);
      add("<=", child.value.high);
    } else if (child.value.kind !== "list") add(child.operator, child.value);
  }
  for (const [attribute, lo] of lower) {
    const hi = upper.get(attribute);
    if (!hi || lo.ref === hi.ref) continue;
    const empty = lo.point.at > hi.point.at || (lo.point.at === hi.point.at && (lo.strict || hi.strict));
    if (!empty) continue;
    const later = lo.ref.occurrence > hi.ref.occurrence ? lo : hi;
    out.push({
      message: `${attribute} cannot be both ${lo.words} and ${hi.words}, so these conditions together match nobody.`,
      at: later.ref,
    });
  }
}
