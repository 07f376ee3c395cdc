// Function calls, in both of Shopify's spellings: `products_purchased(tag: 'x', date: -30d) = true`
// (before API 2026-10) and `products_purchased MATCHES (tag = 'x', date >= -30d)`; both give the same
// FunctionCall. Each argument is checked against the function's parameters (attributes.ts): its
// name, that it is given once, its operator, then its value (values.ts).
import {
  argOperators,
  FUNCTIONS,
  TYPE_LABELS,
  getAttribute,
  getFunction,
  getParam,
  type ArgOperator,
  type ComparisonOperator,
  type FunctionDef,
} from "../attributes";
import type { FunctionArg, Rule } from "../rule";
import { COMPARISONS, KEYWORDS, type Cursor } from "./cursor";
import { didYouMean, shown } from "./errors";
import type { Token } from "./lexer";
import { parseList, parseRange, parseScalar, type ValueSpec } from "./values";

type ArgSpec = ValueSpec & { known: boolean; operators?: readonly ArgOperator[] };

function lookupFunction(c: Cursor, nameTok: Token, name: string): FunctionDef | undefined {
  const fn = getFunction(name);
  if (fn) return fn;
  if (getAttribute(name)) {
    c.reportAt(nameTok, `${name} is an attribute, not a function`);
  } else {
    c.reportAt(nameTok, `unknown function '${shown(nameTok.text)}'${didYouMean(name, Object.keys(FUNCTIONS))}`);
  }
  return undefined;
}

function paramSpec(c: Cursor, fn: FunctionDef | undefined, fnName: string, argTok: Token, seen: Set<string>): ArgSpec {
  const argName = argTok.text.toLowerCase();
  if (seen.has(argName)) c.reportAt(argTok, `'${argName}' is given twice`);
  seen.add(argName);
  if (!fn) return { type: undefined, owner: argName, known: false };
  const param = getParam(fn, argName);
  if (!param) {
    c.reportAt(
      argTok,
      `${fnName} has no parameter '${shown(argTok.text)}'${didYouMean(argName, Object.keys(fn.params))}`,
    );
    return { type: undefined, owner: argName, known: false };
  }
  return { type: param.type, owner: argName, integer: param.integer, known: true, operators: argOperators(param) };
}

function expectArgName(c: Cursor): Token {
  const tok = c.peek();
  if (tok.t !== "ident" || KEYWORDS.has(tok.text.toUpperCase())) {
    c.fail(tok, `expected a parameter name${c.after()}${tok.t === "eof" ? "" : `, found '${shown(tok.text)}'`}`);
  }
  return c.next();
}

function checkArgOperator(c: Cursor, spec: ArgSpec, op: ArgOperator, opTok: Token, span: number): ValueSpec {
  if (spec.known && spec.type && spec.operators && !spec.operators.includes(op)) {
    const message =
      spec.operators.length === 1
        ? `${spec.owner} takes only '${spec.operators[0]}', not '${op}'`
        : `'${op}' does not apply to ${spec.owner} (${TYPE_LABELS[spec.type]})`;
    c.report(opTok.offset, span, message);
    return { type: undefined, owner: spec.owner };
  }
  return spec;
}

/** products_purchased(tag: 'x', date: -30d) = true */
export function parseLegacyCall(c: Cursor, nameTok: Token, name: string): Rule {
  const fn = lookupFunction(c, nameTok, name);
  const open = c.next();
  const args: FunctionArg[] = [];
  const seen = new Set<string>();
  if (!c.isPunct(c.peek(), ")")) {
    for (;;) {
      const argTok = expectArgName(c);
      const spec = paramSpec(c, fn, name, argTok, seen);
      if (!c.isPunct(c.peek(), ":")) c.fail(c.peek(), `expected ':' after '${shown(argTok.text)}'`);
      c.next();
      const argName = spec.known ? spec.owner : argTok.text;
      const valueTok = c.peek();
      if (c.isKw(valueTok, "BETWEEN")) {
        c.next();
        const s = checkArgOperator(c, spec, "BETWEEN", valueTok, valueTok.length);
        args.push({ name: argName, operator: "BETWEEN", value: parseRange(c, s) });
      } else if (c.isPunct(valueTok, "(")) {
        const s = checkArgOperator(c, spec, "IN", valueTok, valueTok.length);
        args.push({ name: argName, operator: "IN", value: parseList(c, s) });
      } else {
        // In the colon form a date means "on or after" (date: -30d is "in the last 30 days").
        const op: ComparisonOperator = spec.type === "date" ? ">=" : "=";
        args.push({ name: argName, operator: op, value: parseScalar(c, spec, `after '${argTok.text}:'`) });
      }
      if (c.isPunct(c.peek(), ",")) {
        c.next();
        continue;
      }
      break;
    }
  }
  closeCall(c, open);
  const eq = c.peek();
  const bool = c.peek(1);
  if (!(c.isPunct(eq, "=") || c.isPunct(eq, "!=")) || !(c.isKw(bool, "TRUE") || c.isKw(bool, "FALSE"))) {
    c.fail(c.isPunct(eq, "=") || c.isPunct(eq, "!=") ? bool : eq, `expected '= true' or '= false' after ${name}(...)`);
  }
  c.next();
  c.next();
  const negated = c.isPunct(eq, "!=") === c.isKw(bool, "TRUE");
  return { kind: "function", name: fn ? name : nameTok.text, args, negated };
}

/** products_purchased MATCHES (tag = 'x', date >= -30d) */
export function parseMatchesCall(c: Cursor, nameTok: Token, name: string): Rule {
  const fn = lookupFunction(c, nameTok, name);
  const negated = c.isKw(c.peek(), "NOT");
  if (negated) c.next();
  c.next(); // MATCHES
  const open = c.peek();
  if (!c.isPunct(open, "(")) c.fail(open, "expected '(' after MATCHES");
  c.next();
  const args: FunctionArg[] = [];
  const seen = new Set<string>();
  if (!c.isPunct(c.peek(), ")")) {
    for (;;) {
      const argTok = expectArgName(c);
      const spec = paramSpec(c, fn, name, argTok, seen);
      const argName = spec.known ? spec.owner : argTok.text;
      const opTok = c.peek();
      if (opTok.t === "punct" && COMPARISONS.has(opTok.text)) {
        c.next();
        const op = opTok.text as ComparisonOperator;
        const s = checkArgOperator(c, spec, op, opTok, opTok.length);
        args.push({ name: argName, operator: op, value: parseScalar(c, s, `after '${op}'`) });
      } else if (c.isKw(opTok, "BETWEEN")) {
        c.next();
        const s = checkArgOperator(c, spec, "BETWEEN", opTok, opTok.length);
        args.push({ name: argName, operator: "BETWEEN", value: parseRange(c, s) });
      } else if (c.isKw(opTok, "IN") || (c.isKw(opTok, "NOT") && c.isKw(c.peek(1), "IN"))) {
        const op: ArgOperator = c.isKw(opTok, "NOT") ? "NOT IN" : "IN";
        if (op === "NOT IN") c.next();
        const inTok = c.next();
        const s = checkArgOperator(c, spec, op, opTok, inTok.offset + inTok.length - opTok.offset);
        args.push({ name: argName, operator: op, value: parseList(c, s) });
      } else {
        c.fail(opTok, `expected an operator after '${shown(argTok.text)}' (=, !=, >, >=, <, <=, BETWEEN, IN)`);
      }
      if (c.isPunct(c.peek(), ",")) {
        c.next();
        continue;
      }
      break;
    }
  }
  closeCall(c, open);
  return { kind: "function", name: fn ? name : nameTok.text, args, negated };
}

/** The ')' that ends a call's arguments (both spellings), or the error that says what came instead. */
function closeCall(c: Cursor, open: Token): void {
  const close = c.peek();
  if (!c.isPunct(close, ")")) {
    c.fail(
      close,
      close.t === "eof"
        ? `expected ')' to close the '(' at ${c.where(open.offset)}`
        : `expected ',' or ')' but found '${shown(close.text)}'`,
    );
  }
  c.next();
}
