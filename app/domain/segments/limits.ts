// How big a segment rule may be, and the range of every value in it (docs/decisions/014-segment-limits.md).
//
// The caps bound the work one merchant's rule can ask of the shared database: PostgreSQL's JIT spent
// minutes compiling a few thousand purchase subqueries, and SQLite refuses an expression deeper than
// 1,000 levels. The ranges keep every accepted value one that JavaScript's bigint, SQLite's 64-bit
// integers, PostgreSQL's int4 and bigint columns and both engines' calendars hold exactly, so the two
// engines cannot disagree on it and no database can refuse it at run time.
//
// The parser reports each with its position; `validateRule` (stored JSON) and `prepare` check them
// again, so a rule that reached the table some other way is refused before any SQL is built.
// Pure, and imports nothing of the rule's types: rule.ts imports this module.

/** Characters of query text. The longest template is under 100; a 200-condition rule fits. */
export const MAX_QUERY_LENGTH = 20_000;
/** Conditions in one rule, function calls included. */
export const MAX_CONDITIONS = 200;
/** products_purchased / orders_placed calls in one rule: each is a pass over the shop's orders in SQL. */
export const MAX_FUNCTION_CALLS = 50;
/** Values of IN / NOT IN lists, summed over the rule. */
export const MAX_LIST_ITEMS = 500;

/** Money, in major units either side of zero: 10^15 is 10^18 minor units at 3 decimals, under 2^63. */
export const MAX_MONEY = 10n ** 15n;
/** Counts (orders, units): PostgreSQL's int4, which CustomerFacts.ordersCount is. */
export const MAX_COUNT = 2_147_483_647n;
/** days_since_last_order: 100 years. */
export const MAX_DAYS = 36_525n;
/** Product IDs: Shopify's are 64-bit integers (at most 20 digits). */
export const MAX_ID_DIGITS = 20;
/** Calendar dates, inclusive. */
export const MIN_DATE = "1900-01-01";
export const MAX_DATE = "2100-12-31";
/** Relative dates: 100 years in every unit. */
export const MAX_OFFSET = { d: 36_525, w: 5_218, m: 1_200, y: 100 } as const;

type Unit = keyof typeof MAX_OFFSET;

/** The value shapes of rule.ts, structurally (this module must not import it). */
type Scalar =
  | { kind: "number"; value: string }
  | { kind: "string"; value: string }
  | { kind: "relative"; amount: number; unit: Unit }
  | { kind: "absolute"; date: string }
  | { kind: "boolean" | "today" };

const group = (n: bigint): string => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");

export function offsetProblem(text: string, amount: number, unit: Unit): string | null {
  const max = MAX_OFFSET[unit];
  if (Math.abs(amount) <= max) return null;
  return `date offset '${text}' is too large: at most 100 years (${MAX_OFFSET.d}d, ${MAX_OFFSET.w}w, ${MAX_OFFSET.m}m, ${MAX_OFFSET.y}y)`;
}

/** `iso` is already a valid calendar date. */
export function dateProblem(iso: string): string | null {
  return iso < MIN_DATE || iso > MAX_DATE ? `dates must be between ${MIN_DATE} and ${MAX_DATE}` : null;
}

/**
 * The first character text may not hold, with its index: control characters other than tab, line
 * feed and carriage return (PostgreSQL cannot store NUL at all, SQLite can: the engines would
 * disagree), and unpaired UTF-16 surrogates (each driver would send U+FFFD instead).
 */
export function textProblem(text: string): { index: number; message: string } | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) {
      return {
        index: i,
        message: `text cannot contain the control character U+${c.toString(16).toUpperCase().padStart(4, "0")}`,
      };
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff)
      return { index: i, message: `text cannot contain an unpaired surrogate U+${c.toString(16).toUpperCase()}` };
  }
  return null;
}

/**
 * A canonical decimal ("-12.5") against the range of what it stands for. `integer` numbers are counts
 * (or days, for days_since_last_order); others are money.
 */
export function numberProblem(owner: string, integer: boolean, value: string): string | null {
  const negative = value.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? value.slice(1) : value).split(".");
  // Beyond 20 digits nothing here is in range; BigInt on a 20,000-digit literal is no work to do.
  const magnitude = whole.length > 20 ? 10n ** 20n : BigInt(whole);
  if (!integer) {
    const over = magnitude > MAX_MONEY || (magnitude === MAX_MONEY && fraction !== "");
    return over ? `${owner} must be between -${group(MAX_MONEY)} and ${group(MAX_MONEY)}` : null;
  }
  if (fraction !== "") return null; // "takes a whole number" is reported on its own
  const max = owner === "days_since_last_order" ? MAX_DAYS : MAX_COUNT;
  if (negative || magnitude > max) {
    return `${owner} must be a whole number from 0 to ${group(max)}${owner === "days_since_last_order" ? " (100 years)" : ""}`;
  }
  return null;
}

/**
 * The range problem of one value of a known type, or null. `type` is the attribute's or parameter's
 * (attributes.ts): number, money, id, date, string, string_list, enum, boolean.
 */
export function scalarProblem(type: string, owner: string, integer: boolean, value: Scalar): string | null {
  switch (value.kind) {
    case "number":
      if (type === "id")
        return value.value.length > MAX_ID_DIGITS ? `a product ID has at most ${MAX_ID_DIGITS} digits` : null;
      return type === "number" || type === "money" ? numberProblem(owner, integer, value.value) : null;
    case "string":
      return textProblem(value.value)?.message ?? null;
    case "relative":
      return offsetProblem(
        `${value.amount < 0 ? "-" : "+"}${Math.abs(value.amount)}${value.unit}`,
        value.amount,
        value.unit,
      );
    case "absolute":
      return dateProblem(value.date);
    default:
      return null;
  }
}

export type RuleSize = { conditions: number; functionCalls: number; listItems: number };

/** Counted without recursion, over any JSON: a stored rule is checked before it is trusted. */
export function ruleSize(input: unknown): RuleSize {
  const size: RuleSize = { conditions: 0, functionCalls: 0, listItems: 0 };
  const stack: unknown[] = [input];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    const record = node as Record<string, unknown>;
    if (record.kind === "condition") {
      size.conditions += 1;
      const value = record.value as { kind?: unknown; items?: unknown } | null | undefined;
      if (value?.kind === "list" && Array.isArray(value.items)) size.listItems += value.items.length;
    }
    if (record.kind === "function") {
      size.conditions += 1;
      size.functionCalls += 1;
      if (Array.isArray(record.args)) {
        for (const arg of record.args as unknown[]) {
          const value = (arg as { value?: { kind?: unknown; items?: unknown } } | null)?.value;
          if (value?.kind === "list" && Array.isArray(value.items)) size.listItems += value.items.length;
        }
      }
    }
    if (Array.isArray(record.children)) for (const c of record.children) stack.push(c);
    if ("child" in record) stack.push(record.child);
  }
  return size;
}

export const TOO_MANY_CONDITIONS = `a segment can have at most ${MAX_CONDITIONS} conditions: split it into several segments`;
export const TOO_MANY_CALLS = `a segment can have at most ${MAX_FUNCTION_CALLS} products_purchased / orders_placed conditions`;
export const TOO_MANY_ITEMS = `a segment's lists can hold at most ${MAX_LIST_ITEMS} values in all`;

export function sizeProblem(size: RuleSize): string | null {
  if (size.conditions > MAX_CONDITIONS) return TOO_MANY_CONDITIONS;
  if (size.functionCalls > MAX_FUNCTION_CALLS) return TOO_MANY_CALLS;
  if (size.listItems > MAX_LIST_ITEMS) return TOO_MANY_ITEMS;
  return null;
}
