// Shopify's customer segment query language (the WHERE clause of a ShopifyQL customer query):
// parse merchant text into a Rule, print a Rule back as canonical text.
//
// Hand-written rather than generated so that every error can say, in the merchant's terms, what
// was expected where. It runs on every keystroke in the editor, so: one pass over the text, no
// backtracking, bounded nesting, and it never throws.
//
// Functions are accepted in both of Shopify's spellings, `products_purchased(tag: 'x', date: -30d)
// = true` (API versions before 2026-10) and `products_purchased MATCHES (tag = 'x', date >= -30d)`
// (2026-10 onwards, and what the admin editor shows); both give the same tree. Canonical output is
// the MATCHES form because only it can say `quantity > 5`; `print(rule, { functions: "legacy" })`
// writes the older form wherever it can express the call.

import {
  argOperators,
  ATTRIBUTES,
  FUNCTIONS,
  OPERATORS_BY_TYPE,
  TYPE_LABELS,
  getAttribute,
  getFunction,
  getParam,
  suggest,
  type ArgOperator,
  type AttributeType,
  type ComparisonOperator,
  type ConditionOperator,
  type FunctionDef,
  type ParamType,
} from "./attributes";
import {
  MAX_CONDITIONS,
  MAX_FUNCTION_CALLS,
  MAX_ID_DIGITS,
  MAX_LIST_ITEMS,
  MAX_QUERY_LENGTH,
  TOO_MANY_CALLS,
  TOO_MANY_CONDITIONS,
  TOO_MANY_ITEMS,
  dateProblem,
  numberProblem,
  offsetProblem,
  textProblem,
} from "./limits";
import {
  MAX_DEPTH,
  canonicalDecimal,
  isValidCalendarDate,
  ruleDepth,
  type DateUnit,
  type FunctionArg,
  type ListValue,
  type RangeValue,
  type Rule,
  type ScalarValue,
} from "./rule";

export interface ParseError {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like the editor's selection API. */
  column: number;
  /** 0-based offset into the text; `offset + length <= text.length`. */
  offset: number;
  length: number;
  message: string;
}

export type ParseResult = { ok: true; rule: Rule } | { ok: false; errors: ParseError[] };

export { MAX_QUERY_LENGTH };
const MAX_ERRORS = 20;

// ---------------------------------------------------------------------------------------------
// Tokens

type Punct = "(" | ")" | "," | ":" | "=" | "!=" | ">" | ">=" | "<" | "<=";

type Token =
  | { t: "ident"; text: string; offset: number; length: number }
  | { t: "number"; text: string; offset: number; length: number; value: string; signed: boolean }
  | { t: "string"; text: string; offset: number; length: number; value: string }
  | { t: "reldate"; text: string; offset: number; length: number; amount: number; unit: DateUnit }
  | { t: "date"; text: string; offset: number; length: number; value: string }
  | { t: "punct"; text: Punct; offset: number; length: number }
  | { t: "eof"; text: ""; offset: number; length: 0 };

interface RawError {
  offset: number;
  length: number;
  message: string;
}

/** Thrown inside the parser only, to unwind after a syntax error has been recorded. */
class Abort {}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isIdentStart = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_");
const isIdentPart = (c: string | undefined): boolean => isIdentStart(c) || isDigit(c);

const ESCAPES: Record<string, string> = { "'": "'", "\\": "\\", n: "\n", t: "\t", r: "\r" };

function shown(text: string): string {
  return text.length > 24 ? `${text.slice(0, 21)}...` : text;
}

function tokenize(src: string): { tokens: Token[] } | { error: RawError } {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      // Dotted names (shopify_email.opened) are one identifier.
      while (i < n && (isIdentPart(src[i]) || (src[i] === "." && isIdentStart(src[i + 1])))) i++;
      tokens.push({ t: "ident", text: src.slice(start, i), offset: start, length: i - start });
      continue;
    }
    if (isDigit(c) || ((c === "-" || c === "+") && isDigit(src[i + 1]))) {
      const signed = !isDigit(c);
      if (signed) i++;
      const digitsStart = i;
      while (i < n && isDigit(src[i])) i++;
      // 2025-01-31: an unsigned digit run directly followed by '-digit' can only be a date.
      if (!signed && src[i] === "-" && isDigit(src[i + 1])) {
        while (i < n && (isDigit(src[i]) || src[i] === "-")) i++;
        const text = src.slice(start, i);
        if (isIdentPart(src[i])) {
          while (i < n && isIdentPart(src[i])) i++;
          return {
            error: {
              offset: start,
              length: i - start,
              message: `invalid date '${shown(src.slice(start, i))}' (expected YYYY-MM-DD)`,
            },
          };
        }
        if (!isValidCalendarDate(text)) {
          return {
            error: { offset: start, length: i - start, message: `invalid date '${shown(text)}' (expected YYYY-MM-DD)` },
          };
        }
        const outside = dateProblem(text);
        if (outside) return { error: { offset: start, length: i - start, message: outside } };
        tokens.push({ t: "date", text, offset: start, length: i - start, value: text });
        continue;
      }
      const wholeDigits = src.slice(digitsStart, i);
      let fraction = false;
      if (src[i] === "." && isDigit(src[i + 1])) {
        fraction = true;
        i++;
        while (i < n && isDigit(src[i])) i++;
      }
      const unit = src[i];
      if ((unit === "d" || unit === "w" || unit === "m" || unit === "y") && !isIdentPart(src[i + 1])) {
        i++;
        const text = src.slice(start, i);
        // eslint-disable-next-line no-loop-func -- called at once, before `i` moves on
        const fail = (message: string) => ({ error: { offset: start, length: i - start, message } });
        if (fraction) return fail(`date offsets are whole numbers, not '${shown(text)}'`);
        if (!signed)
          return fail(`a date offset needs a sign: '-${shown(text)}' for the past, '+${shown(text)}' for the future`);
        const magnitude = wholeDigits.length > 7 ? Number.POSITIVE_INFINITY : Number(wholeDigits);
        if (magnitude === 0) return fail(`use 'today' instead of '${shown(text)}'`);
        const amount = c === "-" ? -magnitude : magnitude;
        const tooFar = offsetProblem(shown(text), amount, unit);
        if (tooFar) return fail(tooFar);
        tokens.push({ t: "reldate", text, offset: start, length: i - start, amount, unit });
        continue;
      }
      if (isIdentPart(src[i]) || (src[i] === "." && !fraction)) {
        while (i < n && (isIdentPart(src[i]) || src[i] === ".")) i++;
        return {
          error: { offset: start, length: i - start, message: `invalid number '${shown(src.slice(start, i))}'` },
        };
      }
      const text = src.slice(start, i);
      tokens.push({ t: "number", text, offset: start, length: i - start, value: canonicalDecimal(text), signed });
      continue;
    }
    if (c === "'") {
      i++;
      let value = "";
      let closed = false;
      while (i < n) {
        const d = src[i] as string;
        if (d === "'") {
          closed = true;
          i++;
          break;
        }
        if (d === "\\") {
          const e = src[i + 1];
          const decoded = e === undefined ? undefined : ESCAPES[e];
          if (decoded === undefined) {
            if (e === undefined) break;
            return {
              error: {
                offset: i,
                length: 2,
                message: `unknown escape '\\${e}' (use \\' for a quote, \\\\ for a backslash)`,
              },
            };
          }
          value += decoded;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      if (!closed) return { error: { offset: start, length: 1, message: "unterminated string: missing closing '" } };
      // Escapes only make tab, line feed and carriage return, which are allowed: a problem is always
      // a character as written, found at the same place in the source.
      const bad = textProblem(src.slice(start + 1, i - 1));
      if (bad) {
        const at = start + 1 + bad.index;
        return { error: { offset: at, length: 1, message: bad.message } };
      }
      tokens.push({ t: "string", text: src.slice(start, i), offset: start, length: i - start, value });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === "!=" || two === ">=" || two === "<=") {
      tokens.push({ t: "punct", text: two, offset: start, length: 2 });
      i += 2;
      continue;
    }
    if (two === "<>") return { error: { offset: start, length: 2, message: "use '!=' for 'not equal'" } };
    if (two === "==") return { error: { offset: start, length: 2, message: "use '=' for 'equal'" } };
    if (c === "(" || c === ")" || c === "," || c === ":" || c === "=" || c === ">" || c === "<") {
      tokens.push({ t: "punct", text: c, offset: start, length: 1 });
      i++;
      continue;
    }
    if (c === '"')
      return {
        error: { offset: start, length: 1, message: "strings use single quotes ('like this'), not double quotes" },
      };
    const cp = src.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    const printable = cp >= 0x20 && cp !== 0x7f && !(cp >= 0xd800 && cp <= 0xdfff);
    return {
      error: {
        offset: start,
        length: ch.length,
        message: printable
          ? `unexpected character '${ch}'`
          : `unexpected character U+${cp.toString(16).toUpperCase().padStart(4, "0")}`,
      },
    };
  }
  tokens.push({ t: "eof", text: "", offset: n, length: 0 });
  return { tokens };
}

// ---------------------------------------------------------------------------------------------
// Parser

const KEYWORDS = new Set(["AND", "OR", "NOT", "BETWEEN", "IS", "NULL", "CONTAINS", "MATCHES", "IN", "TRUE", "FALSE"]);
const COMPARISONS = new Set<string>(["=", "!=", ">", ">=", "<", "<="]);

type ValueType = AttributeType | ParamType;

interface ValueSpec {
  type: ValueType | undefined;
  /** Who the value belongs to, for messages: "number_of_orders takes a whole number". */
  owner: string;
  integer?: boolean;
  enumValues?: readonly string[];
}

class Parser {
  private pos = 0;
  private depth = 0;
  /** Against the caps of limits.ts, counted as the rule is read so that an oversized one stops early. */
  private conditions = 0;
  private functionCalls = 0;
  private listItems = 0;
  readonly errors: RawError[] = [];

  constructor(
    private readonly tokens: Token[],
    /** "line 1, col 4", for messages that point back at an earlier token. */
    private readonly where: (offset: number) => string,
  ) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.t !== "eof") this.pos++;
    return tok;
  }

  private prev(): Token | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }

  private isKw(tok: Token, kw: string): boolean {
    return tok.t === "ident" && tok.text.toUpperCase() === kw;
  }

  private isPunct(tok: Token, p: Punct): boolean {
    return tok.t === "punct" && tok.text === p;
  }

  private report(offset: number, length: number, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ offset, length, message });
  }

  private reportAt(tok: Token, message: string): void {
    this.report(tok.offset, tok.length, message);
  }

  private fail(tok: Token, message: string): never {
    this.reportAt(tok, message);
    throw new Abort();
  }

  private after(): string {
    const p = this.prev();
    return p ? ` after '${shown(p.text)}'` : "";
  }

  private enter(tok: Token): void {
    this.depth++;
    if (this.depth > MAX_DEPTH) this.fail(tok, `nesting is deeper than ${MAX_DEPTH} levels`);
  }

  parseQuery(): Rule {
    if (this.peek().t === "eof")
      this.fail(this.peek(), "the query is empty: expected a condition such as amount_spent > 100");
    const rule = this.parseOr();
    const tok = this.peek();
    if (tok.t !== "eof") {
      if (this.isPunct(tok, ")")) this.fail(tok, "unexpected ')' with no matching '('");
      this.failJoin(tok);
    }
    return rule;
  }

  private failJoin(tok: Token): never {
    if (tok.t === "ident" && !KEYWORDS.has(tok.text.toUpperCase()))
      this.fail(tok, `expected AND or OR before '${shown(tok.text)}'`);
    this.fail(tok, `unexpected '${shown(tok.text)}'`);
  }

  private parseOr(): Rule {
    const first = this.parseAnd();
    if (!this.isKw(this.peek(), "OR")) return first;
    const children = [first];
    while (this.isKw(this.peek(), "OR")) {
      this.next();
      children.push(this.parseAnd());
    }
    return { kind: "or", children };
  }

  private parseAnd(): Rule {
    const first = this.parseUnary();
    if (!this.isKw(this.peek(), "AND")) return first;
    const children = [first];
    while (this.isKw(this.peek(), "AND")) {
      this.next();
      children.push(this.parseUnary());
    }
    return { kind: "and", children };
  }

  private parseUnary(): Rule {
    const tok = this.peek();
    if (this.isKw(tok, "NOT")) {
      this.enter(tok);
      this.next();
      const child = this.parseUnary();
      this.depth--;
      return { kind: "not", child };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Rule {
    const tok = this.peek();
    if (this.isPunct(tok, "(")) {
      this.enter(tok);
      this.next();
      const inner = this.parseOr();
      const close = this.peek();
      if (!this.isPunct(close, ")")) {
        if (close.t === "eof") {
          this.fail(close, `expected ')' to close the '(' at ${this.where(tok.offset)}`);
        }
        if (close.t === "ident" && !KEYWORDS.has(close.text.toUpperCase())) this.failJoin(close);
        this.fail(close, `expected ')' but found '${shown(close.text)}'`);
      }
      this.next();
      this.depth--;
      return inner;
    }
    if (tok.t === "ident" && !KEYWORDS.has(tok.text.toUpperCase())) return this.parseClause();
    if (tok.t === "eof") this.fail(tok, `expected a condition${this.after()}`);
    this.fail(tok, `expected a condition${this.after()}, found '${shown(tok.text)}'`);
  }

  private parseClause(): Rule {
    const nameTok = this.next() as Extract<Token, { t: "ident" }>;
    const name = nameTok.text.toLowerCase();
    if (++this.conditions > MAX_CONDITIONS) this.fail(nameTok, TOO_MANY_CONDITIONS);
    const following = this.peek();
    const call =
      this.isPunct(following, "(") ||
      this.isKw(following, "MATCHES") ||
      (this.isKw(following, "NOT") && this.isKw(this.peek(1), "MATCHES"));
    if (call && ++this.functionCalls > MAX_FUNCTION_CALLS) this.fail(nameTok, TOO_MANY_CALLS);
    if (this.isPunct(following, "(")) return this.parseLegacyCall(nameTok, name);
    if (call) return this.parseMatchesCall(nameTok, name);
    return this.parseCondition(nameTok, name);
  }

  private parseCondition(nameTok: Token, name: string): Rule {
    const def = getAttribute(name);
    let spec: ValueSpec = { type: undefined, owner: name };
    if (!def) {
      if (getFunction(name)) {
        this.reportAt(nameTok, `${name} is a function: write ${name} MATCHES (...)`);
      } else {
        const hint = suggest(name, Object.keys(ATTRIBUTES));
        this.reportAt(nameTok, `unknown attribute '${shown(nameTok.text)}'${hint ? ` (did you mean '${hint}'?)` : ""}`);
      }
    } else if (!def.available) {
      this.reportAt(nameTok, `'${name}' is not available yet`);
    } else {
      spec = { type: def.type, owner: name, integer: def.integer, enumValues: def.enumValues };
    }

    const opStart = this.peek();
    const operator = this.parseConditionOperator(name, spec.type);
    const opEnd = this.prev() ?? opStart;
    let valueSpec = spec;
    if (spec.type && !OPERATORS_BY_TYPE[spec.type as AttributeType].includes(operator)) {
      this.report(
        opStart.offset,
        opEnd.offset + opEnd.length - opStart.offset,
        `'${operator}' does not apply to ${name} (${TYPE_LABELS[spec.type]})`,
      );
      valueSpec = { type: undefined, owner: name };
    }

    const attribute = def ? name : nameTok.text;
    if (operator === "IS NULL" || operator === "IS NOT NULL") return { kind: "condition", attribute, operator };
    if (operator === "BETWEEN") return { kind: "condition", attribute, operator, value: this.parseRange(valueSpec) };
    const value = this.parseScalar(valueSpec, `after '${operator}'`);
    return { kind: "condition", attribute, operator, value };
  }

  private parseConditionOperator(name: string, type: ValueType | undefined): ConditionOperator {
    const tok = this.peek();
    if (tok.t === "punct" && COMPARISONS.has(tok.text)) {
      this.next();
      return tok.text as ComparisonOperator;
    }
    if (this.isKw(tok, "BETWEEN")) {
      this.next();
      return "BETWEEN";
    }
    if (this.isKw(tok, "CONTAINS")) {
      this.next();
      return "CONTAINS";
    }
    if (this.isKw(tok, "IS")) {
      this.next();
      const negated = this.isKw(this.peek(), "NOT");
      if (negated) this.next();
      if (!this.isKw(this.peek(), "NULL")) this.fail(this.peek(), `expected NULL after '${negated ? "IS NOT" : "IS"}'`);
      this.next();
      return negated ? "IS NOT NULL" : "IS NULL";
    }
    if (this.isKw(tok, "NOT")) {
      this.next();
      if (!this.isKw(this.peek(), "CONTAINS")) this.fail(this.peek(), "expected CONTAINS or MATCHES after 'NOT'");
      this.next();
      return "NOT CONTAINS";
    }
    const options = type ? OPERATORS_BY_TYPE[type as AttributeType].join(", ") : "=, !=, >, <, CONTAINS, IS NULL";
    this.fail(tok, `expected an operator after '${shown(name)}' (${options})`);
  }

  private parseRange(spec: ValueSpec): RangeValue {
    const low = this.parseScalar(spec, "after 'BETWEEN'");
    if (!this.isKw(this.peek(), "AND")) this.fail(this.peek(), "expected AND between the two values of BETWEEN");
    this.next();
    const high = this.parseScalar(spec, "after 'AND'");
    return { kind: "range", low, high };
  }

  /**
   * A single value for `spec.type`. A wrong but well-formed value is recorded and consumed so the
   * rest of the query still gets checked; anything else ends the parse.
   */
  private parseScalar(spec: ValueSpec, context: string): ScalarValue {
    const tok = this.peek();
    const generic = this.genericScalar(tok);
    const mismatch = (message: string): ScalarValue => {
      if (!generic) this.fail(tok, message);
      this.reportAt(tok, message);
      this.next();
      return generic;
    };
    switch (spec.type) {
      case undefined:
        if (!generic) this.fail(tok, `expected a value ${context}`);
        this.next();
        return generic;
      case "number":
      case "money":
        if (tok.t !== "number") return mismatch(`expected a number ${context}`);
        this.next();
        if (spec.integer && tok.value.includes(".")) this.reportAt(tok, `${spec.owner} takes a whole number`);
        else {
          const range = numberProblem(spec.owner, spec.integer === true, tok.value);
          if (range) this.reportAt(tok, range);
        }
        return { kind: "number", value: tok.value };
      case "id": {
        const tooLong = (value: string) => {
          if (value.length > MAX_ID_DIGITS) this.reportAt(tok, `a product ID has at most ${MAX_ID_DIGITS} digits`);
        };
        if (tok.t === "number" && !tok.signed && /^[0-9]+$/.test(tok.text)) {
          this.next();
          tooLong(tok.value);
          return { kind: "number", value: tok.value };
        }
        // Shopify's own examples quote IDs as often as not: products_purchased(id: '2012162031638').
        if (tok.t === "string" && /^[0-9]{1,30}$/.test(tok.value)) {
          this.next();
          const value = canonicalDecimal(tok.value);
          tooLong(value);
          return { kind: "number", value };
        }
        return mismatch(`expected a product ID ${context}`);
      }
      case "date":
        if (tok.t === "reldate") {
          this.next();
          return { kind: "relative", amount: tok.amount, unit: tok.unit };
        }
        if (tok.t === "date") {
          this.next();
          return { kind: "absolute", date: tok.value };
        }
        if (this.isKw(tok, "TODAY")) {
          this.next();
          return { kind: "today" };
        }
        if (this.isKw(tok, "YESTERDAY")) {
          this.next();
          return { kind: "relative", amount: -1, unit: "d" };
        }
        return mismatch(`expected a date ${context} (like -30d, today or 2025-01-31)`);
      case "string":
      case "string_list":
        if (tok.t !== "string") return mismatch(`expected a quoted string ${context}, like 'vip'`);
        this.next();
        return { kind: "string", value: tok.value };
      case "boolean":
        if (this.isKw(tok, "TRUE") || this.isKw(tok, "FALSE")) {
          this.next();
          return { kind: "boolean", value: this.isKw(tok, "TRUE") };
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
        this.next();
        const canonical = allowed.find((v) => v.toUpperCase() === raw.toUpperCase());
        if (canonical) return { kind: "string", value: canonical };
        const hint = suggest(raw, allowed);
        this.reportAt(
          tok,
          `'${shown(raw)}' is not a value of ${spec.owner} (${hint ? `did you mean '${hint}'?` : `expected one of ${allowed.join(", ")}`})`,
        );
        return { kind: "string", value: raw };
      }
    }
  }

  /** What a token would be as a value if we did not know the expected type. */
  private genericScalar(tok: Token): ScalarValue | undefined {
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

  private lookupFunction(nameTok: Token, name: string): FunctionDef | undefined {
    const fn = getFunction(name);
    if (fn) return fn;
    if (getAttribute(name)) {
      this.reportAt(nameTok, `${name} is an attribute, not a function`);
    } else {
      const hint = suggest(name, Object.keys(FUNCTIONS));
      this.reportAt(nameTok, `unknown function '${shown(nameTok.text)}'${hint ? ` (did you mean '${hint}'?)` : ""}`);
    }
    return undefined;
  }

  private paramSpec(
    fn: FunctionDef | undefined,
    fnName: string,
    argTok: Token,
    seen: Set<string>,
  ): ValueSpec & { known: boolean; operators?: readonly ArgOperator[] } {
    const argName = argTok.text.toLowerCase();
    if (seen.has(argName)) this.reportAt(argTok, `'${argName}' is given twice`);
    seen.add(argName);
    if (!fn) return { type: undefined, owner: argName, known: false };
    const param = getParam(fn, argName);
    if (!param) {
      const hint = suggest(argName, Object.keys(fn.params));
      this.reportAt(
        argTok,
        `${fnName} has no parameter '${shown(argTok.text)}'${hint ? ` (did you mean '${hint}'?)` : ""}`,
      );
      return { type: undefined, owner: argName, known: false };
    }
    return { type: param.type, owner: argName, integer: param.integer, known: true, operators: argOperators(param) };
  }

  private expectArgName(): Token {
    const tok = this.peek();
    if (tok.t !== "ident" || KEYWORDS.has(tok.text.toUpperCase())) {
      this.fail(
        tok,
        `expected a parameter name${this.after()}${tok.t === "eof" ? "" : `, found '${shown(tok.text)}'`}`,
      );
    }
    return this.next();
  }

  private parseList(spec: ValueSpec): ListValue {
    const open = this.peek();
    if (!this.isPunct(open, "(")) this.fail(open, `expected '(' to start a list${this.after()}`);
    this.next();
    const item = (context: string): ScalarValue => {
      if (++this.listItems > MAX_LIST_ITEMS) this.fail(this.peek(), TOO_MANY_ITEMS);
      return this.parseScalar(spec, context);
    };
    const items: ScalarValue[] = [item("in the list")];
    while (this.isPunct(this.peek(), ",")) {
      this.next();
      items.push(item("after ','"));
    }
    if (!this.isPunct(this.peek(), ")")) this.fail(this.peek(), "expected ',' or ')' in the list");
    this.next();
    return { kind: "list", items };
  }

  private checkArgOperator(
    spec: ValueSpec & { known: boolean; operators?: readonly ArgOperator[] },
    op: ArgOperator,
    opTok: Token,
    span: number,
  ): ValueSpec {
    if (spec.known && spec.type && spec.operators && !spec.operators.includes(op)) {
      const message =
        spec.operators.length === 1
          ? `${spec.owner} takes only '${spec.operators[0]}', not '${op}'`
          : `'${op}' does not apply to ${spec.owner} (${TYPE_LABELS[spec.type]})`;
      this.report(opTok.offset, span, message);
      return { type: undefined, owner: spec.owner };
    }
    return spec;
  }

  /** products_purchased(tag: 'x', date: -30d) = true */
  private parseLegacyCall(nameTok: Token, name: string): Rule {
    const fn = this.lookupFunction(nameTok, name);
    const open = this.next();
    const args: FunctionArg[] = [];
    const seen = new Set<string>();
    if (!this.isPunct(this.peek(), ")")) {
      for (;;) {
        const argTok = this.expectArgName();
        const spec = this.paramSpec(fn, name, argTok, seen);
        if (!this.isPunct(this.peek(), ":")) this.fail(this.peek(), `expected ':' after '${shown(argTok.text)}'`);
        this.next();
        const argName = spec.known ? spec.owner : argTok.text;
        const valueTok = this.peek();
        if (this.isKw(valueTok, "BETWEEN")) {
          this.next();
          const s = this.checkArgOperator(spec, "BETWEEN", valueTok, valueTok.length);
          args.push({ name: argName, operator: "BETWEEN", value: this.parseRange(s) });
        } else if (this.isPunct(valueTok, "(")) {
          const s = this.checkArgOperator(spec, "IN", valueTok, valueTok.length);
          args.push({ name: argName, operator: "IN", value: this.parseList(s) });
        } else {
          // In the colon form a date means "on or after" (date: -30d is "in the last 30 days").
          const op: ComparisonOperator = spec.type === "date" ? ">=" : "=";
          args.push({ name: argName, operator: op, value: this.parseScalar(spec, `after '${argTok.text}:'`) });
        }
        if (this.isPunct(this.peek(), ",")) {
          this.next();
          continue;
        }
        break;
      }
    }
    const close = this.peek();
    if (!this.isPunct(close, ")")) {
      this.fail(
        close,
        close.t === "eof"
          ? `expected ')' to close the '(' at ${this.where(open.offset)}`
          : `expected ',' or ')' but found '${shown(close.text)}'`,
      );
    }
    this.next();
    const eq = this.peek();
    const bool = this.peek(1);
    if (!(this.isPunct(eq, "=") || this.isPunct(eq, "!=")) || !(this.isKw(bool, "TRUE") || this.isKw(bool, "FALSE"))) {
      this.fail(
        this.isPunct(eq, "=") || this.isPunct(eq, "!=") ? bool : eq,
        `expected '= true' or '= false' after ${name}(...)`,
      );
    }
    this.next();
    this.next();
    const negated = this.isPunct(eq, "!=") === this.isKw(bool, "TRUE");
    return { kind: "function", name: fn ? name : nameTok.text, args, negated };
  }

  /** products_purchased MATCHES (tag = 'x', date >= -30d) */
  private parseMatchesCall(nameTok: Token, name: string): Rule {
    const fn = this.lookupFunction(nameTok, name);
    const negated = this.isKw(this.peek(), "NOT");
    if (negated) this.next();
    this.next(); // MATCHES
    const open = this.peek();
    if (!this.isPunct(open, "(")) this.fail(open, "expected '(' after MATCHES");
    this.next();
    const args: FunctionArg[] = [];
    const seen = new Set<string>();
    if (!this.isPunct(this.peek(), ")")) {
      for (;;) {
        const argTok = this.expectArgName();
        const spec = this.paramSpec(fn, name, argTok, seen);
        const argName = spec.known ? spec.owner : argTok.text;
        const opTok = this.peek();
        if (opTok.t === "punct" && COMPARISONS.has(opTok.text)) {
          this.next();
          const op = opTok.text as ComparisonOperator;
          const s = this.checkArgOperator(spec, op, opTok, opTok.length);
          args.push({ name: argName, operator: op, value: this.parseScalar(s, `after '${op}'`) });
        } else if (this.isKw(opTok, "BETWEEN")) {
          this.next();
          const s = this.checkArgOperator(spec, "BETWEEN", opTok, opTok.length);
          args.push({ name: argName, operator: "BETWEEN", value: this.parseRange(s) });
        } else if (this.isKw(opTok, "IN") || (this.isKw(opTok, "NOT") && this.isKw(this.peek(1), "IN"))) {
          const op: ArgOperator = this.isKw(opTok, "NOT") ? "NOT IN" : "IN";
          if (op === "NOT IN") this.next();
          const inTok = this.next();
          const s = this.checkArgOperator(spec, op, opTok, inTok.offset + inTok.length - opTok.offset);
          args.push({ name: argName, operator: op, value: this.parseList(s) });
        } else {
          this.fail(opTok, `expected an operator after '${shown(argTok.text)}' (=, !=, >, >=, <, <=, BETWEEN, IN)`);
        }
        if (this.isPunct(this.peek(), ",")) {
          this.next();
          continue;
        }
        break;
      }
    }
    const close = this.peek();
    if (!this.isPunct(close, ")")) {
      this.fail(
        close,
        close.t === "eof"
          ? `expected ')' to close the '(' at ${this.where(open.offset)}`
          : `expected ',' or ')' but found '${shown(close.text)}'`,
      );
    }
    this.next();
    return { kind: "function", name: fn ? name : nameTok.text, args, negated };
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function locate(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

function finish(text: string, raw: RawError[]): ParseError[] {
  const starts = lineStarts(text);
  return [...raw]
    .sort((a, b) => a.offset - b.offset)
    .map((e) => {
      const offset = Math.max(0, Math.min(e.offset, text.length));
      const length = Math.max(0, Math.min(e.length, text.length - offset));
      return { ...locate(starts, offset), offset, length, message: e.message };
    });
}

export function parse(text: string): ParseResult {
  try {
    if (typeof text !== "string")
      return { ok: false, errors: finish("", [{ offset: 0, length: 0, message: "the query must be text" }]) };
    if (text.length > MAX_QUERY_LENGTH) {
      return {
        ok: false,
        errors: finish(text, [
          { offset: MAX_QUERY_LENGTH, length: 0, message: `the query is longer than ${MAX_QUERY_LENGTH} characters` },
        ]),
      };
    }
    const lexed = tokenize(text);
    if ("error" in lexed) return { ok: false, errors: finish(text, [lexed.error]) };
    const starts = lineStarts(text);
    const parser = new Parser(lexed.tokens, (offset) => {
      const { line, column } = locate(starts, offset);
      return `line ${line}, col ${column}`;
    });
    let rule: Rule | undefined;
    try {
      rule = parser.parseQuery();
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
    }
    if (parser.errors.length > 0 || !rule) return { ok: false, errors: finish(text, parser.errors) };
    // Parentheses are bounded while parsing; AND inside OR inside AND adds tree levels without
    // parentheses, and stored rules are held to the same bound.
    if (ruleDepth(rule, MAX_DEPTH) > MAX_DEPTH) {
      return {
        ok: false,
        errors: finish(text, [
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
      errors: finish(typeof text === "string" ? text : "", [
        { offset: 0, length: 0, message: `internal error: ${message}` },
      ]),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Printer

export interface PrintOptions {
  /**
   * "matches" (default, canonical): `f MATCHES (a = 1)`. "legacy": `f(a: 1) = true` where the call
   * can be said that way, for Admin API versions before 2026-10.
   */
  functions?: "matches" | "legacy";
}

export function quote(value: string): string {
  let out = "'";
  for (const ch of value) {
    if (ch === "'") out += "\\'";
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else out += ch;
  }
  return `${out}'`;
}

export function printScalar(v: ScalarValue): string {
  switch (v.kind) {
    case "number":
      return v.value;
    case "string":
      return quote(v.value);
    case "boolean":
      return v.value ? "true" : "false";
    case "relative":
      return `${v.amount < 0 ? "-" : "+"}${Math.abs(v.amount)}${v.unit}`;
    case "absolute":
      return v.date;
    case "today":
      return "today";
  }
}

function printArgMatches(arg: FunctionArg): string {
  switch (arg.operator) {
    case "BETWEEN":
      return `${arg.name} BETWEEN ${printScalar(arg.value.low)} AND ${printScalar(arg.value.high)}`;
    case "IN":
    case "NOT IN":
      return `${arg.name} ${arg.operator} (${arg.value.items.map(printScalar).join(", ")})`;
    default:
      return `${arg.name} ${arg.operator} ${printScalar(arg.value)}`;
  }
}

function printArgLegacy(fnName: string, arg: FunctionArg): string | undefined {
  const fn = getFunction(fnName);
  const isDate = fn ? getParam(fn, arg.name)?.type === "date" : false;
  if (arg.operator === "BETWEEN")
    return `${arg.name}: BETWEEN ${printScalar(arg.value.low)} AND ${printScalar(arg.value.high)}`;
  if (arg.operator === "IN") return `${arg.name}: (${arg.value.items.map(printScalar).join(", ")})`;
  if (arg.operator === (isDate ? ">=" : "=")) return `${arg.name}: ${printScalar(arg.value)}`;
  return undefined;
}

function printRule(rule: Rule, options: PrintOptions): string {
  const group = (r: Rule): string =>
    r.kind === "and" || r.kind === "or" ? `(${printRule(r, options)})` : printRule(r, options);
  switch (rule.kind) {
    case "and":
      return rule.children.map(group).join(" AND ");
    case "or":
      // AND binds tighter, so its parentheses here are for the reader, not the parser.
      return rule.children.map(group).join(" OR ");
    case "not":
      return `NOT ${group(rule.child)}`;
    case "condition":
      if (!("value" in rule)) return `${rule.attribute} ${rule.operator}`;
      if (rule.value.kind === "range") {
        return `${rule.attribute} BETWEEN ${printScalar(rule.value.low)} AND ${printScalar(rule.value.high)}`;
      }
      return `${rule.attribute} ${rule.operator} ${printScalar(rule.value)}`;
    case "function": {
      if (options.functions === "legacy") {
        const parts = rule.args.map((a) => printArgLegacy(rule.name, a));
        if (parts.every((p): p is string => p !== undefined)) {
          return `${rule.name}(${parts.join(", ")}) = ${rule.negated ? "false" : "true"}`;
        }
      }
      return `${rule.name} ${rule.negated ? "NOT MATCHES" : "MATCHES"} (${rule.args.map(printArgMatches).join(", ")})`;
    }
  }
}

/** Canonical text for a valid rule: `parse(print(rule))` gives back an equal rule. */
export function print(rule: Rule, options: PrintOptions = {}): string {
  return printRule(rule, options);
}

// ---------------------------------------------------------------------------------------------
// Error display

/** "line 1, col 18: expected a number after '>'" */
export function describeError(error: ParseError): string {
  return `line ${error.line}, col ${error.column}: ${error.message}`;
}

/**
 * The message, the offending source line, and a caret under the problem, for a monospace box in
 * the editor:
 *
 *     line 1, col 16: expected a number after '>'
 *     amount_spent > 'lots'
 *                    ^^^^^^
 */
export function formatError(text: string, error: ParseError): string {
  const lines = text.split("\n");
  const source = (lines[error.line - 1] ?? "").replace(/\r$/, "");
  const start = Math.max(0, Math.min(error.column - 1, source.length));
  // Keep tabs so the caret lines up under them in the editor's monospace font.
  const pad = source.slice(0, start).replace(/[^\t]/g, " ");
  const width = Math.max(1, Math.min(error.length, source.length - start));
  return `${describeError(error)}\n${source}\n${pad}${"^".repeat(width)}`;
}
