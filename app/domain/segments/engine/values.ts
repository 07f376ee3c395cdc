// What a prepared rule is made of, resolved for a moment and a shop: instants from dates in the
// shop's time zone (a date comparison is a half-open interval of instants, at day granularity), whole
// numbers from numeric text, ASCII-folded text, and the error `prepare` reports for a rule it
// cannot prepare (Unsupported).
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import type { DateValue, ScalarValue } from "../rule";
import type { Cmp, EngineContext, Instants } from "../engine";

/** A rule `prepare` refuses; its message is the error `prepare` returns. */
export class Unsupported extends Error {}

/** ASCII letters only, so that SQLite's LOWER and PostgreSQL's LOWER under the "C" collation agree with us. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

export function upperAscii(text: string): string {
  return text.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}

export function ymdOf(value: DateValue | ScalarValue, ctx: EngineContext): string {
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
export function dayInterval(op: Cmp, ymd: string, ctx: EngineContext): Instants {
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
export function daysSinceInterval(op: Cmp, days: number, ctx: EngineContext): Instants {
  const today = localDate(ctx.now, ctx.timeZone);
  const day = addToYmd(today, -days, "d");
  const flip: Record<Cmp, Cmp> = { "=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
  return dayInterval(flip[op], day, ctx);
}

export function numberOf(value: ScalarValue): string {
  if (value.kind !== "number") throw new Unsupported(`expected a number, got ${value.kind}`);
  return value.value;
}

export function integer(text: string, attribute: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new Unsupported(`${attribute} is a whole number, not ${text}`);
  return BigInt(text);
}

/**
 * Tags are stored joined by commas with blanks trimmed (app/domain/rows.ts normalizeTags), so a tag is
 * never empty and never holds a comma; a value that does could only ever match by accident of the
 * joined text, so it is refused instead.
 */
export function checkTag(value: string, what: string): string {
  if (value.trim() === "" || value.includes(","))
    throw new Unsupported(`${what} cannot be empty or contain a comma: '${value}'`);
  return foldAscii(value);
}
