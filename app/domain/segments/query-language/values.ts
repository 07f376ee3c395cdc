// Values: one value of the type its attribute or parameter expects (parseScalar), the two ends of
// BETWEEN, and the items of IN. A wrong but well-formed value is recorded and the parse goes on, so
// one query shows all its mistakes; ranges come from limits.ts.
import { suggest, type AttributeType, type ParamType } from "../attributes";
import { MAX_ID_DIGITS, MAX_LIST_ITEMS, TOO_MANY_ITEMS, numberProblem } from "../limits";
import { canonicalDecimal, type ListValue, type RangeValue, type ScalarValue } from "../rule";
import { KEYWORDS, type Cursor } from "./cursor";
import { shown } from "./errors";
import type { Token } from "./lexer";

export type ValueType = AttributeType | ParamType;

export interface ValueSpec {
  type: ValueType | undefined;
  /** Who the value belongs to, for messages: "number_of_orders takes a whole number". */
  owner: string;
  integer?: boolean;
  enumValues?: readonly string[];
}

export function parseRange(c: Cursor, spec: ValueSpec): RangeValue {
  const low = parseScalar(c, spec, "after 'BETWEEN'");
  if (!c.isKw(c.peek(), "AND")) c.fail(c.peek(), "expected AND between the two values of BETWEEN");
  c.next();
  const high = parseScalar(c, spec, "after 'AND'");
  return { kind: "range", low, high };
}

/**
 * A single value for `spec.type`. A wrong but well-formed value is recorded and consumed so the
 * rest of the query still gets checked; anything else ends the parse.
 */
export function parseScalar(c: Cursor, spec: ValueSpec, context: string): ScalarValue {
  const tok = c.peek();
  const generic = genericScalar(tok);
  const mismatch = (message: string): ScalarValue => {
    if (!generic) c.fail(tok, message);
    c.reportAt(tok, message);
    c.next();
    return generic;
  };
  switch (spec.type) {
    case undefined:
      if (!generic) c.fail(tok, `expected a value ${context}`);
      c.next();
      return generic;
    case "number":
    case "money":
      if (tok.t !== "number") return mismatch(`expected a number ${context}`);
      c.next();
      if (spec.integer && tok.value.includes(".")) c.reportAt(tok, `${spec.owner} takes a whole number`);
      else {
        const range = numberProblem(spec.owner, spec.integer === true, tok.value);
        if (range) c.reportAt(tok, range);
      }
      return { kind: "number", value: tok.value };
    case "id": {
      const tooLong = (value: string) => {
        if (value.length > MAX_ID_DIGITS) c.reportAt(tok, `a product ID has at most ${MAX_ID_DIGITS} digits`);
      };
      if (tok.t === "number" && !tok.signed && /^[0-9]+$/.test(tok.text)) {
        c.next();
        tooLong(tok.value);
        return { kind: "number", value: tok.value };
      }
      // Shopify's own examples quote IDs as often as not: products_purchased(id: '2012162031638').
      if (tok.t === "string" && /^[0-9]{1,30}$/.test(tok.value)) {
        c.next();
        const value = canonicalDecimal(tok.value);
        tooLong(value);
        return { kind: "number", value };
      }
      return mismatch(`expected a product ID ${context}`);
    }
    case "date":
      if (tok.t === "reldate") {
        c.next();
        return { kind: "relative", amount: tok.amount, unit: tok.unit };
      }
      if (tok.t === "date") {
        c.next();
        return { kind: "absolute", date: tok.value };
      }
      if (c.isKw(tok, "TODAY")) {
        c.next();
        return { kind: "today" };
      }
      if (c.isKw(tok, "YESTERDAY")) {
        c.next();
        return { kind: "relative", amount: -1, unit: "d" };
      }
      return mismatch(`expected a date ${context} (like -30d, today or 2025-01-31)`);
    case "string":
    case "string_list":
      if (tok.t !== "string") return mismatch(`expected a quoted string ${context}, like 'vip'`);
      c.next();
      return { kind: "string", value: tok.value };
    case "boolean":
      if (c.isKw(tok, "TRUE") || c.isKw(tok, "FALSE")) {
        c.next();
        return { kind: "boolean", value: c.isKw(tok, "TRUE") };
      }
      return mismatch(`expected true or false ${context}`);
    case "enum": {
      const allowed = spec.enumValues ?? [];
      const raw =
        tok.t === "string"
          ? tok.value
          : tok.t === "ident" && !KEYWORDS.has(tok.text.toUpperCase())
            ? tok.text
            : undefined;
      if (raw === undefined) return mismatch(`expected one of ${allowed.join(", ")} ${context}`);
      c.next();
      const canonical = allowed.find((v) => v.toUpperCase() === raw.toUpperCase());
      if (canonical) return { kind: "string", value: canonical };
      const hint = suggest(raw, allowed);
      c.reportAt(
        tok,
        `'${shown(raw)}' is not a value of ${spec.owner} (${hint ? `did you mean '${hint}'?` : `expected one of ${allowed.join(", ")}`})`,
      );
      return { kind: "string", value: raw };
    }
  }
}

/** What a token would be as a value if we did not know the expected type. */
function genericScalar(tok: Token): ScalarValue | undefined {
  switch (tok.t) {
    case "number":
      return { kind: "number", value: tok.value };
    case "string":
      return { kind: "string", value: tok.value };
    case "reldate":
      return { kind: "relative", amount: tok.amount, unit: tok.unit };
    case "date":
      return { kind: "absolute", date: tok.value };
    case "ident": {
      const upper = tok.text.toUpperCase();
      if (upper === "TODAY") return { kind: "today" };
      if (upper === "TRUE" || upper === "FALSE") return { kind: "boolean", value: upper === "TRUE" };
      if (KEYWORDS.has(upper)) return undefined;
      return { kind: "string", value: tok.text };
    }
    default:
      return undefined;
  }
}

export function parseList(c: Cursor, spec: ValueSpec): ListValue {
  const open = c.peek();
  if (!c.isPunct(open, "(")) c.fail(open, `expected '(' to start a list${c.after()}`);
  c.next();
  const item = (context: string): ScalarValue => {
    if (++c.listItems > MAX_LIST_ITEMS) c.fail(c.peek(), TOO_MANY_ITEMS);
    return parseScalar(c, spec, context);
  };
  const items: ScalarValue[] = [item("in the list")];
  while (c.isPunct(c.peek(), ",")) {
    c.next();
    items.push(item("after ','"));
  }
  if (!c.isPunct(c.peek(), ")")) c.fail(c.peek(), "expected ',' or ')' in the list");
  c.next();
  return { kind: "list", items };
}
