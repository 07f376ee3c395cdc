// `attr IN (...)` / `attr NOT IN (...)` on enums and text ("is any of" / "is none of", decision 030):
// parsed with positioned errors, printed back canonically, size-capped with the other lists, and
// meaning an OR of = (IN) or an AND of != (NOT IN) in the engines. The SQL side is held to the same
// answers by the property test (tests/segments/engines.test.ts), whose random rules draw IN too.
import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluate";
import { prepare, type EngineContext, type Subject } from "./engine";
import { MAX_LIST_ITEMS } from "./limits";
import { parse, print } from "./query-language";
import { validateRule, type Rule } from "./rule";

const ctx: EngineContext = { now: new Date("2026-03-08T16:00:00Z"), timeZone: "UTC", currencyCode: "USD", shop: "s" };

function subject(over: Partial<Subject> = {}): Subject {
  return {
    createdAt: new Date("2024-01-01T00:00:00Z"),
    email: "a@example.com",
    tags: [],
    countryCode: "US",
    provinceCode: "NY",
    city: "New York City",
    emailMarketingState: "SUBSCRIBED",
    smsMarketingState: "NOT_SUBSCRIBED",
    rfmGroup: null,
    ordersCount: 0,
    amountSpentMinor: 0n,
    aovMinor: null,
    firstOrderAt: null,
    lastOrderAt: null,
    orders: [],
    ...over,
  };
}

function rule(query: string): Rule {
  const parsed = parse(query);
  if (!parsed.ok) throw new Error(`${query}: ${JSON.stringify(parsed.errors)}`);
  return parsed.rule;
}

function matches(query: string, s: Subject): boolean {
  const prepared = prepare(rule(query), ctx);
  if (!prepared.ok) throw new Error(prepared.error);
  return evaluate(prepared.prepared, s);
}

describe("IN on enums and text: parse and print", () => {
  it.each([
    ["rfm_group IN ('CHAMPIONS', 'LOYAL')", "rfm_group IN ('CHAMPIONS', 'LOYAL')"],
    ["rfm_group in ('champions','loyal')", "rfm_group IN ('CHAMPIONS', 'LOYAL')"],
    ["churn_risk NOT IN ('HIGH')", "churn_risk NOT IN ('HIGH')"],
    [
      "email_subscription_status IN ('SUBSCRIBED', 'PENDING') AND amount_spent > 5",
      "email_subscription_status IN ('SUBSCRIBED', 'PENDING') AND amount_spent > 5",
    ],
    ["customer_email_domain IN ('gmail.com', 'example.org')", "customer_email_domain IN ('gmail.com', 'example.org')"],
    ["NOT lifecycle_stage IN ('LAPSED', 'LAPSING')", "NOT lifecycle_stage IN ('LAPSED', 'LAPSING')"],
  ])("%s", (text, canonical) => {
    const r = rule(text);
    expect(print(r)).toBe(canonical);
    expect(print(rule(print(r)))).toBe(canonical);
    expect(validateRule(r).ok).toBe(true);
  });

  it.each([
    // [query, column, message]
    ["rfm_group IN ('CHAMPIONS', 'GOLD')", 28, "'GOLD' is not a value of rfm_group"],
    ["rfm_group IN ()", 15, ""],
    ["rfm_group IN 'CHAMPIONS'", 14, "expected '(' to start a list"],
    ["rfm_group IN ('CHAMPIONS' 'LOYAL')", 27, "expected ',' or ')' in the list"],
    ["amount_spent IN (1, 2)", 14, "'IN' does not apply to amount_spent (a number)"],
    ["customer_tags IN ('vip')", 15, "'IN' does not apply to customer_tags"],
    ["rfm_group NOT ('LOYAL')", 15, "expected CONTAINS, IN or MATCHES after 'NOT'"],
  ])("%s is refused at column %i", (text, column, message) => {
    const parsed = parse(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors[0]?.column).toBe(column);
    expect(parsed.errors[0]?.message).toContain(message);
  });

  it("counts its values against the list cap, with the position of the first value past it", () => {
    const values = Array.from({ length: MAX_LIST_ITEMS + 1 }, () => "'x'").join(", ");
    const text = `customer_email_domain IN (${values})`;
    const parsed = parse(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors[0]?.message).toMatch(/at most 500 values/);
    expect(parsed.errors[0]?.offset).toBe(text.length - 4);
    // The same cap for stored JSON.
    const stored = {
      kind: "condition",
      attribute: "customer_email_domain",
      operator: "IN",
      value: {
        kind: "list",
        items: Array.from({ length: MAX_LIST_ITEMS + 1 }, () => ({ kind: "string", value: "x" })),
      },
    };
    expect(validateRule(stored).ok).toBe(false);
  });
});

describe("IN on enums and text: meaning", () => {
  it.each([
    ["rfm_group IN ('CHAMPIONS', 'LOYAL')", "LOYAL", true],
    ["rfm_group IN ('CHAMPIONS', 'LOYAL')", "AT_RISK", false],
    ["rfm_group IN ('CHAMPIONS', 'LOYAL')", null, false],
    ["rfm_group NOT IN ('CHAMPIONS', 'LOYAL')", "AT_RISK", true],
    ["rfm_group NOT IN ('CHAMPIONS', 'LOYAL')", "LOYAL", false],
    // A missing value matches neither, as with = and != (decision 004).
    ["rfm_group NOT IN ('CHAMPIONS', 'LOYAL')", null, false],
  ])("%s for a customer in %s: %s", (query, rfmGroup, expected) => {
    expect(matches(query, subject({ rfmGroup }))).toBe(expected);
  });

  it("means exactly the OR of its equalities, and NOT IN the AND of its inequalities", () => {
    for (const rfmGroup of ["CHAMPIONS", "LOYAL", "NEW", null]) {
      const s = subject({ rfmGroup });
      expect(matches("rfm_group IN ('CHAMPIONS', 'NEW')", s)).toBe(
        matches("rfm_group = 'CHAMPIONS' OR rfm_group = 'NEW'", s),
      );
      expect(matches("rfm_group NOT IN ('CHAMPIONS', 'NEW')", s)).toBe(
        matches("rfm_group != 'CHAMPIONS' AND rfm_group != 'NEW'", s),
      );
    }
  });

  it("folds the email domain like =", () => {
    expect(matches("customer_email_domain IN ('EXAMPLE.com')", subject())).toBe(true);
  });
});
