// The lexer: the query text as tokens with their offsets, in one pass. Numbers, dates and relative
// dates (-30d) are checked here, against the ranges of limits.ts, so the parser only sees values a
// rule can hold; the first bad character or literal ends the query with one positioned error.
import { dateProblem, offsetProblem, textProblem } from "../limits";
import { canonicalDecimal, isValidCalendarDate, type DateUnit } from "../rule";
import { shown, type RawError } from "./errors";

export type Punct = "(" | ")" | "," | ":" | "=" | "!=" | ">" | ">=" | "<" | "<=";

export type Token =
  | { t: "ident"; text: string; offset: number; length: number }
  | { t: "number"; text: string; offset: number; length: number; value: string; signed: boolean }
  | { t: "string"; text: string; offset: number; length: number; value: string }
  | { t: "reldate"; text: string; offset: number; length: number; amount: number; unit: DateUnit }
  | { t: "date"; text: string; offset: number; length: number; value: string }
  | { t: "punct"; text: Punct; offset: number; length: number }
  | { t: "eof"; text: ""; offset: number; length: 0 };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isIdentStart = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_");
const isIdentPart = (c: string | undefined): boolean => isIdentStart(c) || isDigit(c);

const ESCAPES: Record<string, string> = { "'": "'", "\\": "\\", n: "\n", t: "\t", r: "\r" };

export function tokenize(src: string): { tokens: Token[] } | { error: RawError } {
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
