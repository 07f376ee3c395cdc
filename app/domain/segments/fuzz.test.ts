import { describe, expect, it } from "vitest";
import { createRandom, type Random } from "~/demo/random";
import { ATTRIBUTES, FUNCTIONS, type AttributeDef, type FunctionDef } from "./attributes";
import { parse, print, type ParseResult } from "./query-language";
import { genRule } from "./random-rules.testing";
import { prepare, type EngineContext } from "./engine";
import { MAX_CONDITIONS, TOO_MANY_CONDITIONS } from "./limits";
import { MAX_DEPTH, validateRule, type Rule } from "./rule";

// Seeded (createRandom) so a failure reproduces; change a seed locally to explore further.

const ATTRS = Object.entries(ATTRIBUTES as Record<string, AttributeDef>);
const FNS = Object.entries(FUNCTIONS as Record<string, FunctionDef>);

const SOUP = [
  ...ATTRS.map(([n]) => n),
  ...FNS.map(([n]) => n),
  ...Object.keys(FUNCTIONS.products_purchased.params),
  ...Object.keys(FUNCTIONS.orders_placed.params),
  ...Object.keys(FUNCTIONS.products_viewed.params),
  ...Object.keys(FUNCTIONS.searched.params),
  ...Object.keys(FUNCTIONS.abandoned_cart.params),
  "AND",
  "and",
  "OR",
  "Or",
  "NOT",
  "not",
  "BETWEEN",
  "IS",
  "NULL",
  "CONTAINS",
  "MATCHES",
  "IN",
  "true",
  "false",
  "today",
  "yesterday",
  "=",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "(",
  ")",
  ",",
  ":",
  "<>",
  "==",
  "500",
  "0",
  "-3",
  "999.99",
  "1.",
  ".5",
  "007",
  "12abc",
  "-30d",
  "+7d",
  "30d",
  "-0d",
  "-1.5w",
  "2025-01-31",
  "2025-02-30",
  "2025-1-1",
  "'vip'",
  "'AT_RISK'",
  "'it\\'s'",
  "'unterminated",
  "'\\q'",
  '"dq"',
  "'SUBSCRIBED'",
  // On and past the limits (limits.ts): accepted ones must prepare, the others fail with a position.
  "2147483647",
  "2147483648",
  "9223372036854775808",
  "36525",
  "36526",
  "1000000000000000",
  "1000000000000000.01",
  "-1000000000000001",
  "99999999999999999999",
  "123456789012345678901",
  "-100y",
  "-101y",
  "+1200m",
  "-1201m",
  "-5218w",
  "-36526d",
  "1900-01-01",
  "1899-12-31",
  "2100-12-31",
  "2101-01-01",
  "9999-12-31",
  "'a\u0000b'",
  "'\u0085'",
  "'tab\tok'",
  "'\ud800'",
  " ",
  " ",
  " ",
  "\n",
  "\t",
  "\r\n",
];

function randomChar(g: Random): string {
  const r = g.next();
  if (r < 0.6) return String.fromCharCode(g.int(0x20, 0x7e));
  if (r < 0.75) return String.fromCharCode(g.int(0, 0x1f));
  if (r < 0.85) return String.fromCharCode(g.int(0xd800, 0xdfff)); // lone surrogates
  return String.fromCodePoint(g.int(0x80, 0x10ffff));
}

function soup(g: Random): string {
  const parts: string[] = [];
  const n = g.int(0, 25);
  for (let i = 0; i < n; i++) {
    parts.push(g.bernoulli(0.85) ? g.pick(SOUP) : randomChar(g));
    if (g.bernoulli(0.7)) parts.push(" ");
  }
  return parts.join("");
}

function mutate(g: Random, text: string): string {
  let s = text;
  const edits = g.int(1, 4);
  for (let i = 0; i < edits; i++) {
    const at = g.int(0, s.length);
    const r = g.next();
    if (r < 0.4) s = s.slice(0, at) + s.slice(at + g.int(1, 5));
    else if (r < 0.8) s = s.slice(0, at) + (g.bernoulli(0.5) ? g.pick(SOUP) : randomChar(g)) + s.slice(at);
    else s = s.slice(0, at) + randomChar(g) + s.slice(at + 1);
  }
  return s;
}

const ctx: EngineContext = {
  now: new Date("2026-03-08T15:30:00Z"),
  timeZone: "America/New_York",
  currencyCode: "BHD",
  shop: "fuzz.myshopify.com",
};

/** The invariants every parse result must hold, whatever the input. */
function checkResult(text: string, result: ParseResult): void {
  if (result.ok) {
    // Anything the parser accepts is a valid rule and prints to a fixed point.
    const valid = validateRule(result.rule);
    if (!valid.ok)
      throw new Error(`parsed but invalid: ${JSON.stringify(text)}: ${valid.issues.map((i) => i.message).join("; ")}`);
    // ... and within every limit prepare holds it to: only a tag no stored tag can equal is refused there.
    const prepared = prepare(result.rule, ctx);
    if (!prepared.ok) expect(prepared.error, JSON.stringify(text)).toMatch(/cannot be empty or contain a comma/);
    const again = parse(print(result.rule));
    expect(again).toEqual({ ok: true, rule: result.rule });
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  const lines = text.split("\n");
  for (const e of result.errors) {
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset + e.length).toBeLessThanOrEqual(text.length);
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines.length);
    // line/column and offset describe the same place.
    const lineStart = lines.slice(0, e.line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    expect(lineStart + e.column - 1).toBe(e.offset);
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.message).not.toMatch(/^internal error/);
  }
}

describe("fuzz: random text", () => {
  it("never throws and always answers with a rule or positioned errors (3,000 inputs)", () => {
    const g = createRandom(0x5e6a);
    const seeds = Array.from({ length: 50 }, () => print(genRule(g, 4)));
    for (let i = 0; i < 3000; i++) {
      const text = i % 2 === 0 ? soup(g) : mutate(g, g.pick(seeds));
      let result: ParseResult | undefined;
      expect(() => {
        result = parse(text);
      }, JSON.stringify(text)).not.toThrow();
      checkResult(text, result as ParseResult);
    }
  });
});

describe("fuzz: random valid rules", () => {
  it("round-trip through print and parse (1,000 rules)", () => {
    const g = createRandom(0xc0ffee);
    for (let i = 0; i < 1000; i++) {
      const rule = genRule(g, g.int(1, 8));
      const valid = validateRule(rule);
      if (!valid.ok)
        throw new Error(`generator made an invalid rule: ${valid.issues.map((x) => x.message).join("; ")}`);
      const text = print(rule);
      expect(parse(text), text).toEqual({ ok: true, rule });
      // Canonical text is a fixed point, and the legacy spelling means the same rule.
      const reparsed = parse(text);
      if (reparsed.ok) expect(print(reparsed.rule)).toBe(text);
      expect(parse(print(rule, { functions: "legacy" }))).toEqual({ ok: true, rule });
    }
  });

  it("round-trips a rule at the maximum depth and refuses one level more", () => {
    const leaf: Rule = { kind: "condition", attribute: "last_order_date", operator: "IS NULL" };
    let rule: Rule = leaf;
    for (let i = 1; i < MAX_DEPTH; i++)
      rule = i % 2 ? { kind: "not", child: rule } : { kind: "and", children: [rule, leaf] };
    expect(validateRule(rule).ok).toBe(true);
    expect(parse(print(rule))).toEqual({ ok: true, rule });
    const deeper: Rule = { kind: "not", child: rule };
    expect(validateRule(deeper).ok).toBe(false);
    expect(parse(print(deeper)).ok).toBe(false);
  });
});

describe("fuzz: hostile sizes", () => {
  it.each([
    ["10,000 '('", "(".repeat(10_000)],
    ["10,000 '(' around a condition", `${"(".repeat(10_000)}amount_spent > 1${")".repeat(10_000)}`],
    ["10,000 NOTs", `${"NOT ".repeat(10_000)}amount_spent > 1`],
    ["10,000 ')'", ")".repeat(10_000)],
    ["an unterminated 50,000-character string", `customer_tags CONTAINS '${"x".repeat(50_000)}`],
  ])("%s fails with an error", (_name, text) => {
    // How fast is a benchmark's question (bench/); here: it ends, with positioned errors.
    const result = parse(text);
    expect(result.ok).toBe(false);
    checkResult(text, result);
  });

  it("refuses a flat query past the condition cap at the first condition too many", () => {
    const text = Array.from({ length: 250 }, (_, i) => `amount_spent > ${i}`).join(" AND ");
    const result = parse(text);
    expect(result.ok).toBe(false);
    checkResult(text, result);
    const at =
      Array.from({ length: MAX_CONDITIONS }, (_, i) => `amount_spent > ${i}`).join(" AND ").length + " AND ".length;
    expect(result.ok ? [] : result.errors.map((e) => [e.offset, e.message])).toEqual([[at, TOO_MANY_CONDITIONS]]);
  });

  it("refuses text beyond the size limit without reading it", () => {
    const result = parse("x".repeat(200_000));
    expect(result.ok).toBe(false);
    checkResult("x".repeat(200_000), result);
  });
});
