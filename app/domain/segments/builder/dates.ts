// Dates in the builder as a merchant says them: "in the last 90 days", "more than 6 months ago",
// "before / after / on 2026-01-31", "between two dates", "is empty". Each is a view of an operator and
// the language's own spelling of the value (`>= -90d`, `< -6m`, `< 2026-01-31`, `BETWEEN a AND b`), so
// the text stays the one source of truth: reading a condition gives its view, applying a view gives
// the operator and values back. What none of these say (`<= -30d`, `>= today`, `+7d`, relative
// ranges) is the "custom" view, which the builder shows with the raw operator and value, unchanged.
import type { ArgOperator, ConditionOperator } from "../attributes";

export type DateUnit = "d" | "w" | "m";
export const DATE_UNITS: readonly DateUnit[] = ["d", "w", "m"];

export type DateMode = "last" | "ago" | "before" | "after" | "on" | "between" | "empty" | "notEmpty" | "custom";

export type DateView =
  | { mode: "last" | "ago"; amount: string; unit: DateUnit }
  | { mode: "before" | "after" | "on"; date: string }
  | { mode: "between"; date: string; high: string }
  | { mode: "empty" | "notEmpty" | "custom" };

/** What a date condition or parameter holds: its operator and its values as the builder keeps them. */
export type DateParts = { operator: ConditionOperator | ArgOperator; value: string; high: string };

export const DATE_MODE_LABELS: Record<DateMode, string> = {
  last: "in the last",
  ago: "more than … ago",
  before: "before",
  after: "after",
  on: "on",
  between: "between",
  empty: "is empty",
  notEmpty: "is not empty",
  custom: "custom (as in the query)",
};

export const DATE_UNIT_LABELS: Record<DateUnit, string> = { d: "days", w: "weeks", m: "months" };

const OPERATOR_OF: Record<Exclude<DateMode, "custom">, ConditionOperator> = {
  last: ">=",
  ago: "<",
  before: "<",
  after: ">",
  on: "=",
  between: "BETWEEN",
  empty: "IS NULL",
  notEmpty: "IS NOT NULL",
};

// "-90d" and, while it is being typed, "-d" (no number yet): the unit is still known.
const RELATIVE_RE = /^-([0-9]*)([dwm])$/;
const ISO_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

function derive({ operator, value, high }: DateParts): DateMode {
  if (operator === "IS NULL") return "empty";
  if (operator === "IS NOT NULL") return "notEmpty";
  const rel = RELATIVE_RE.exec(value.trim());
  const amount = rel?.[1] ?? "";
  if (amount !== "" && !amount.startsWith("0")) {
    if (operator === ">=") return "last";
    if (operator === "<") return "ago";
  }
  if (ISO_RE.test(value.trim())) {
    if (operator === "<") return "before";
    if (operator === ">") return "after";
    if (operator === "=") return "on";
    if (operator === "BETWEEN" && ISO_RE.test(high.trim())) return "between";
  }
  return "custom";
}

/**
 * The view of a date condition. `hint` is the mode the merchant last chose: it keeps a half-filled
 * view ("before", no date yet) from reading as another, and is ignored when the operator says otherwise.
 */
export function readDate(parts: DateParts, hint?: DateMode): DateView {
  const mode = hint && hint !== "custom" && OPERATOR_OF[hint] === parts.operator ? hint : derive(parts);
  const value = parts.value.trim();
  switch (mode) {
    case "last":
    case "ago": {
      const rel = RELATIVE_RE.exec(value);
      return { mode, amount: rel?.[1] ?? "", unit: (rel?.[2] as DateUnit | undefined) ?? "d" };
    }
    case "before":
    case "after":
    case "on":
      return { mode, date: ISO_RE.test(value) ? value : "" };
    case "between":
      return {
        mode,
        date: ISO_RE.test(value) ? value : "",
        high: ISO_RE.test(parts.high.trim()) ? parts.high.trim() : "",
      };
    default:
      return { mode };
  }
}

/** The operator and values a view writes; "custom" leaves them as they are. */
export function applyDate(parts: DateParts, view: DateView): DateParts {
  switch (view.mode) {
    case "custom":
      return parts;
    case "last":
    case "ago":
      return { operator: OPERATOR_OF[view.mode], value: `-${view.amount.trim()}${view.unit}`, high: "" };
    case "before":
    case "after":
    case "on":
      return { operator: OPERATOR_OF[view.mode], value: view.date, high: "" };
    case "between":
      return { operator: "BETWEEN", value: view.date, high: view.high };
    case "empty":
    case "notEmpty":
      return { operator: OPERATOR_OF[view.mode], value: "", high: "" };
  }
}

/**
 * The view after the merchant picks another mode: the number and unit carry over between "in the
 * last" and "ago", a date between the date modes; otherwise a sensible start (30 days, no date yet).
 */
export function switchDateMode(current: DateView, mode: DateMode): DateView {
  switch (mode) {
    case "last":
    case "ago":
      return current.mode === "last" || current.mode === "ago"
        ? { mode, amount: current.amount, unit: current.unit }
        : { mode, amount: "30", unit: "d" };
    case "before":
    case "after":
    case "on":
      return { mode, date: "date" in current ? current.date : "" };
    case "between":
      return {
        mode,
        date: "date" in current ? current.date : "",
        high: current.mode === "between" ? current.high : "",
      };
    default:
      return { mode };
  }
}

/** The modes a date takes: function parameters have no "is empty" (a call always has its date). */
export function dateModes(kind: "attribute" | "parameter"): DateMode[] {
  const all: DateMode[] = ["last", "ago", "before", "after", "on", "between", "empty", "notEmpty"];
  return kind === "attribute" ? all : all.filter((m) => m !== "empty" && m !== "notEmpty");
}
