// The parser: recursive descent from tokens (lexer.ts) to a Rule. OR of ANDs of NOT or a primary (a
// parenthesised query, a condition on an attribute, or a function call: calls.ts), with positioned
// errors in the merchant's terms, the caps of limits.ts counted as the rule is read, and nesting
// bounded. `parse` is the entry point and never throws.
import {
  ATTRIBUTES,
  OPERATORS_BY_TYPE,
  TYPE_LABELS,
  getAttribute,
  getFunction,
  type AttributeType,
  type ComparisonOperator,
  type ConditionOperator,
} from "../attributes";
import { MAX_CONDITIONS, MAX_FUNCTION_CALLS, MAX_QUERY_LENGTH, TOO_MANY_CALLS, TOO_MANY_CONDITIONS } from "../limits";
import { MAX_DEPTH, ruleDepth, type Rule } from "../rule";
import { parseLegacyCall, parseMatchesCall } from "./calls";
import { COMPARISONS, Cursor, KEYWORDS } from "./cursor";
import { Abort, didYouMean, positioned, shown, whereIn, type ParseError } from "./errors";
import { tokenize, type Token } from "./lexer";
import { parseList, parseRange, parseScalar, type ValueSpec, type ValueType } from "./values";

export type ParseResult = { ok: true; rule: Rule } | { ok: false; errors: ParseError[] };

export function parse(text: string): ParseResult {
  try {
    if (typeof text !== "string")
      return { ok: false, errors: positioned("", [{ offset: 0, length: 0, message: "the query must be text" }]) };
    if (text.length > MAX_QUERY_LENGTH) {
      return {
        ok: false,
        errors: positioned(text, [
          { offset: MAX_QUERY_LENGTH, length: 0, message: `the query is longer than ${MAX_QUERY_LENGTH} characters` },
        ]),
      };
    }
    const lexed = tokenize(text);
    if ("error" in lexed) return { ok: false, errors: positioned(text, [lexed.error]) };
    const cursor = new Cursor(lexed.tokens, whereIn(text));
    let rule: Rule | undefined;
    try {
      rule = parseQuery(cursor);
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
    }
    if (cursor.errors.length > 0 || !rule) return { ok: false, errors: positioned(text, cursor.errors) };
    // Parentheses are bounded while parsing; AND inside OR inside AND adds tree levels without
    // parentheses, and stored rules are held to the same bound.
    if (ruleDepth(rule, MAX_DEPTH) > MAX_DEPTH) {
      return {
        ok: false,
        errors: positioned(text, [
          { offset: 0, length: text.length, message: `the rule is nested more than ${MAX_DEPTH} levels deep` },
        ]),
      };
    }
    return { ok: true, rule };
  } catch (e) {
    // Reaching this is a bug; the editor still gets an answer instead of a crash.
    const message = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      errors: positioned(typeof text === "string" ? text : "", [
        { offset: 0, length: 0, message: `internal error: ${message}` },
      ]),
    };
  }
}

function parseQuery(c: Cursor): Rule {
  if (c.peek().t === "eof") c.fail(c.peek(), "the query is empty: expected a condition such as amount_spent > 100");
  const rule = parseOr(c);
  const tok = c.peek();
  if (tok.t !== "eof") {
    if (c.isPunct(tok, ")")) c.fail(tok, "unexpected ')' with no matching '('");
    failJoin(c, tok);
  }
  return rule;
}

function failJoin(c: Cursor, tok: Token): never {
  if (tok.t === "ident" && !KEYWORDS.has(tok.text.toUpperCase()))
    c.fail(tok, `expected AND or OR before '${shown(tok.text)}'`);
  c.fail(tok, `unexpected '${shown(tok.text)}'`);
}

function parseOr(c: Cursor): Rule {
  const first = parseAnd(c);
  if (!c.isKw(c.peek(), "OR")) return first;
  const children = [first];
  while (c.isKw(c.peek(), "OR")) {
    c.next();
    children.push(parseAnd(c));
  }
  return { kind: "or", children };
}

function parseAnd(c: Cursor): Rule {
  const first = parseUnary(c);
  if (!c.isKw(c.peek(), "AND")) return first;
  const children = [first];
  while (c.isKw(c.peek(), "AND")) {
    c.next();
    children.push(parseUnary(c));
  }
  return { kind: "and", children };
}

function parseUnary(c: Cursor): Rule {
  const tok = c.peek();
  if (c.isKw(tok, "NOT")) {
    c.enter(tok);
    c.next();
    const child = parseUnary(c);
    c.leave();
    return { kind: "not", child };
  }
  return parsePrimary(c);
}

function parsePrimary(c: Cursor): Rule {
  const tok = c.peek();
  if (c.isPunct(tok, "(")) {
    c.enter(tok);
    c.next();
    const inner = parseOr(c);
    const close = c.peek();
    if (!c.isPunct(close, ")")) {
      if (close.t === "eof") {
        c.fail(close, `expected ')' to close the '(' at ${c.where(tok.offset)}`);
      }
      if (close.t === "ident" && !KEYWORDS.has(close.text.toUpperCase())) failJoin(c, close);
      c.fail(close, `expected ')' but found '${shown(close.text)}'`);
    }
    c.next();
    c.leave();
    return inner;
  }
  if (tok.t === "ident" && !KEYWORDS.has(tok.text.toUpperCase())) return parseClause(c);
  if (tok.t === "eof") c.fail(tok, `expected a condition${c.after()}`);
  c.fail(tok, `expected a condition${c.after()}, found '${shown(tok.text)}'`);
}

function parseClause(c: Cursor): Rule {
  const nameTok = c.next() as Extract<Token, { t: "ident" }>;
  const name = nameTok.text.toLowerCase();
  if (++c.conditions > MAX_CONDITIONS) c.fail(nameTok, TOO_MANY_CONDITIONS);
  const following = c.peek();
  const call =
    c.isPunct(following, "(") ||
    c.isKw(following, "MATCHES") ||
    (c.isKw(following, "NOT") && c.isKw(c.peek(1), "MATCHES"));
  if (call && ++c.functionCalls > MAX_FUNCTION_CALLS) c.fail(nameTok, TOO_MANY_CALLS);
  if (c.isPunct(following, "(")) return parseLegacyCall(c, nameTok, name);
  if (call) return parseMatchesCall(c, nameTok, name);
  return parseCondition(c, nameTok, name);
}

function parseCondition(c: Cursor, nameTok: Token, name: string): Rule {
  const def = getAttribute(name);
  let spec: ValueSpec = { type: undefined, owner: name };
  if (!def) {
    if (getFunction(name)) {
      c.reportAt(nameTok, `${name} is a function: write ${name} MATCHES (...)`);
    } else {
      c.reportAt(nameTok, `unknown attribute '${shown(nameTok.text)}'${didYouMean(name, Object.keys(ATTRIBUTES))}`);
    }
  } else if (!def.available) {
    c.reportAt(nameTok, `'${name}' is not available yet`);
  } else {
    spec = { type: def.type, owner: name, integer: def.integer, enumValues: def.enumValues };
  }

  const opStart = c.peek();
  const operator = parseConditionOperator(c, name, spec.type);
  const opEnd = c.prev() ?? opStart;
  let valueSpec = spec;
  if (spec.type && !OPERATORS_BY_TYPE[spec.type as AttributeType].includes(operator)) {
    c.report(
      opStart.offset,
      opEnd.offset + opEnd.length - opStart.offset,
      `'${operator}' does not apply to ${name} (${TYPE_LABELS[spec.type]})`,
    );
    valueSpec = { type: undefined, owner: name };
  }

  const attribute = def ? name : nameTok.text;
  if (operator === "IS NULL" || operator === "IS NOT NULL") return { kind: "condition", attribute, operator };
  if (operator === "BETWEEN") return { kind: "condition", attribute, operator, value: parseRange(c, valueSpec) };
  if (operator === "IN" || operator === "NOT IN")
    return { kind: "condition", attribute, operator, value: parseList(c, valueSpec) };
  const value = parseScalar(c, valueSpec, `after '${operator}'`);
  return { kind: "condition", attribute, operator, value };
}

function parseConditionOperator(c: Cursor, name: string, type: ValueType | undefined): ConditionOperator {
  const tok = c.peek();
  if (tok.t === "punct" && COMPARISONS.has(tok.text)) {
    c.next();
    return tok.text as ComparisonOperator;
  }
  if (c.isKw(tok, "BETWEEN")) {
    c.next();
    return "BETWEEN";
  }
  if (c.isKw(tok, "CONTAINS")) {
    c.next();
    return "CONTAINS";
  }
  if (c.isKw(tok, "IN")) {
    c.next();
    return "IN";
  }
  if (c.isKw(tok, "IS")) {
    c.next();
    const negated = c.isKw(c.peek(), "NOT");
    if (negated) c.next();
    if (!c.isKw(c.peek(), "NULL")) c.fail(c.peek(), `expected NULL after '${negated ? "IS NOT" : "IS"}'`);
    c.next();
    return negated ? "IS NOT NULL" : "IS NULL";
  }
  if (c.isKw(tok, "NOT")) {
    c.next();
    if (c.isKw(c.peek(), "IN")) {
      c.next();
      return "NOT IN";
    }
    if (!c.isKw(c.peek(), "CONTAINS")) c.fail(c.peek(), "expected CONTAINS, IN or MATCHES after 'NOT'");
    c.next();
    return "NOT CONTAINS";
  }
  const options = type ? OPERATORS_BY_TYPE[type as AttributeType].join(", ") : "=, !=, >, <, CONTAINS, IN, IS NULL";
  c.fail(tok, `expected an operator after '${shown(name)}' (${options})`);
}
