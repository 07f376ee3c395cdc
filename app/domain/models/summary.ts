// From a customer's purchase days to the (x, t_x, T) the BG/NBD model reads, and the mean repeat value
// Gamma-Gamma reads, by the CDNOW convention of the literature: purchases on the same day are one
// transaction (their values summed), x counts the purchase days after the first up to and including the
// calibration end, t_x and T are measured from the first purchase day, in days or weeks.
import type { Ymd } from "~/domain/calendar";

export type TimeUnit = "days" | "weeks";

export const UNIT_DAYS: Record<TimeUnit, number> = { days: 1, weeks: 7 };

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a calendar date (the shop's local date); NaN for a malformed one. */
export function dayNumber(ymd: Ymd): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!match) return Number.NaN;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / MS_PER_DAY;
}

export type Purchase = { day: number; value: number };

export type CustomerSummary = {
  /** Repeat purchase days in the calibration period. */
  x: number;
  /** First purchase to the last repeat purchase, in the unit (0 when x = 0). */
  tx: number;
  /** First purchase to the calibration end, in the unit. */
  T: number;
  /** Mean value of the repeat purchase days (0 when x = 0). */
  m: number;
  /** Day number of the first purchase. */
  firstDay: number;
};

/**
 * The summary of one customer's purchases (day numbers, any order; values optional) at a calibration
 * end (a day number, inclusive), or null when she had not bought by then.
 */
export function summarize(
  purchases: readonly Purchase[] | readonly number[],
  calibrationEnd: number,
  unit: TimeUnit = "weeks",
): CustomerSummary | null {
  const byDay = new Map<number, number>();
  for (const p of purchases) {
    const day = typeof p === "number" ? p : p.day;
    const value = typeof p === "number" ? 0 : p.value;
    if (!(day <= calibrationEnd)) continue;
    byDay.set(day, (byDay.get(day) ?? 0) + value);
  }
  if (byDay.size === 0) return null;
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const first = days[0]!;
  const last = days[days.length - 1]!;
  const per = UNIT_DAYS[unit];
  let repeatValue = 0;
  for (let i = 1; i < days.length; i++) repeatValue += byDay.get(days[i]!)!;
  const x = days.length - 1;
  return {
    x,
    tx: x > 0 ? (last - first) / per : 0,
    T: (calibrationEnd - first) / per,
    m: x > 0 ? repeatValue / x : 0,
    firstDay: first,
  };
}

/** Distinct purchase days after `from` (exclusive) up to `to` (inclusive). */
export function purchaseDaysBetween(
  purchases: readonly Purchase[] | readonly number[],
  from: number,
  to: number,
): number[] {
  const days = new Set<number>();
  for (const p of purchases) {
    const day = typeof p === "number" ? p : p.day;
    if (day > from && day <= to) days.add(day);
  }
  return [...days].sort((a, b) => a - b);
}
