// One builder field's text as a value of its type, with the message for the field in the merchant's
// terms, and held to the ranges the parser holds text to (limits.ts), so the builder never prints a
// query the parser refuses.
import type { AttributeType, ParamType } from "../attributes";
import { scalarProblem } from "../limits";
import { canonicalDecimal, isValidCalendarDate, type ScalarValue } from "../rule";

type ValueType = AttributeType | ParamType;

export interface ValueSpec {
  type: ValueType;
  owner: string;
  integer?: boolean;
  enumValues?: readonly string[];
}

const NUMBER_RE = /^[-+]?[0-9]+(\.[0-9]+)?$/;
const RELATIVE_RE = /^([-+])([0-9]{1,7})([dwmy])$/;

/** One field's text as a value of its type; the message is for the field, in the merchant's terms. */
export function parseFieldValue(
  spec: ValueSpec,
  text: string,
): { ok: true; value: ScalarValue } | { ok: false; message: string } {
  const parsed = fieldValue(spec, text);
  if (!parsed.ok || spec.type === "enum") return parsed;
  // The ranges the parser holds text to (limits.ts), so the builder never prints a query it refuses.
  const problem = scalarProblem(spec.type, spec.owner, spec.integer === true, parsed.value);
  return problem ? { ok: false, message: problem.charAt(0).toUpperCase() + problem.slice(1) } : parsed;
}

function fieldValue(spec: ValueSpec, text: string): { ok: true; value: ScalarValue } | { ok: false; message: string } {
  switch (spec.type) {
    case "number":
    case "money": {
      const t = text.trim();
      if (t === "") return { ok: false, message: "Enter a number" };
      if (!NUMBER_RE.test(t)) return { ok: false, message: `'${t}' is not a number` };
      if (spec.integer && t.includes(".")) return { ok: false, message: `${spec.owner} takes a whole number` };
      return { ok: true, value: { kind: "number", value: canonicalDecimal(t) } };
    }
    case "id": {
      const t = text.trim();
      if (!/^[0-9]{1,30}$/.test(t))
        return { ok: false, message: t === "" ? "Enter a product ID" : `'${t}' is not a product ID (digits only)` };
      return { ok: true, value: { kind: "number", value: canonicalDecimal(t) } };
    }
    case "date": {
      const t = text.trim().toLowerCase();
      if (t === "today") return { ok: true, value: { kind: "today" } };
      if (t === "yesterday") return { ok: true, value: { kind: "relative", amount: -1, unit: "d" } };
      const rel = RELATIVE_RE.exec(t);
      if (rel) {
        const magnitude = Number(rel[2]);
        if (magnitude === 0) return { ok: false, message: "Use 'today' for a zero offset" };
        return {
          ok: true,
          value: {
            kind: "relative",
            amount: rel[1] === "-" ? -magnitude : magnitude,
            unit: rel[3] as "d" | "w" | "m" | "y",
          },
        };
      }
      if (isValidCalendarDate(t)) return { ok: true, value: { kind: "absolute", date: t } };
      return { ok: false, message: "Enter a date like -30d, -6m, today or 2025-01-31" };
    }
    case "boolean":
      if (text === "true" || text === "false") return { ok: true, value: { kind: "boolean", value: text === "true" } };
      return { ok: false, message: "Choose true or false" };
    case "enum": {
      const allowed = spec.enumValues ?? [];
      const canonical = allowed.find((v) => v.toUpperCase() === text.trim().toUpperCase());
      if (!canonical) return { ok: false, message: `Choose one of ${allowed.join(", ")}` };
      return { ok: true, value: { kind: "string", value: canonical } };
    }
    case "string":
    case "string_list":
      // Taken as typed: spaces and quotes are part of a tag.
      return { ok: true, value: { kind: "string", value: text } };
  }
}
