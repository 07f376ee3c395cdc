import { describe, expect, it } from "vitest";
import { emptyRanges, locate, vocabularyLiterals } from "./hints";
import { parse } from "./query-language";
import type { Rule } from "./rule";

function rule(text: string): Rule {
  const parsed = parse(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join("; "));
  return parsed.rule;
}
const TODAY = "2026-06-30";

describe("vocabularyLiterals", () => {
  it("collects the values compared with the shop's vocabulary, with where each is written", () => {
    const text =
      "customer_tags CONTAINS 'vip' AND products_purchased MATCHES (product_type = 'Coffee', vendor IN ('Acme', 'Bolt'), date >= -30d) AND cluster = 'x' AND amount_spent > 5";
    const found = vocabularyLiterals(rule(text));
    expect(found.map((l) => [l.kind, l.value])).toEqual([
      ["customer_tag", "vip"],
      ["product_type", "Coffee"],
      ["vendor", "Acme"],
      ["vendor", "Bolt"],
      ["cluster", "x"],
    ]);
    const coffee = locate(text, found[1]!.at);
    expect(text.slice(coffee.offset, coffee.offset + coffee.length)).toBe("'Coffee'");
    const bolt = locate(text, found[3]!.at);
    expect(text.slice(bolt.offset, bolt.offset + bolt.length)).toBe("'Bolt'");
  });

  it("skips values under a negation, where a value nobody has matches everyone", () => {
    expect(
      vocabularyLiterals(
        rule(
          "NOT customer_tags CONTAINS 'a' AND customer_tags NOT CONTAINS 'b' AND products_purchased NOT MATCHES (tag = 'c') AND products_viewed MATCHES (vendor NOT IN ('d'), tag != 'e') AND NOT (cluster = 'f')",
        ),
      ),
    ).toEqual([]);
  });

  it("finds the second of two same-named conditions, on the line it is on", () => {
    const text = "customer_tags CONTAINS 'a'\nOR customer_tags CONTAINS 'b'";
    const [, second] = vocabularyLiterals(rule(text));
    expect(locate(text, second!.at)).toMatchObject({ line: 2, col: 27 });
    // Product IDs are numbers in the rule and in the text.
    const ids = "products_purchased MATCHES (id = 42)";
    const [id] = vocabularyLiterals(rule(ids));
    expect(id).toMatchObject({ kind: "product", value: "42" });
    expect(locate(ids, id!.at)).toMatchObject({ line: 1, col: 34 });
  });
});

describe("emptyRanges", () => {
  it("finds bounds under one AND that cannot both hold, at the later condition", () => {
    const text = "amount_spent > 100 AND number_of_orders >= 1 AND amount_spent < 50";
    const [problem, ...rest] = emptyRanges(rule(text), TODAY);
    expect(rest).toEqual([]);
    expect(problem!.message).toBe(
      "amount_spent cannot be both more than 100 and less than 50, so these conditions together match nobody.",
    );
    expect(locate(text, problem!.at)).toMatchObject({ line: 1, col: 50 });
    // Touching bounds hold when both include the point, and not when one excludes it.
    expect(emptyRanges(rule("amount_spent >= 50 AND amount_spent <= 50"), TODAY)).toEqual([]);
    expect(emptyRanges(rule("amount_spent > 50 AND amount_spent <= 50"), TODAY)).toHaveLength(1);
    expect(emptyRanges(rule("number_of_orders = 2 AND number_of_orders = 3"), TODAY)).toHaveLength(1);
  });

  it("reads relative and absolute dates against the shop's today", () => {
    expect(emptyRanges(rule("last_order_date > -30d AND last_order_date < -60d"), TODAY)).toHaveLength(1);
    expect(emptyRanges(rule("last_order_date < -30d AND last_order_date > -60d"), TODAY)).toEqual([]);
    expect(emptyRanges(rule("last_order_date >= 2026-07-01 AND last_order_date <= today"), TODAY)).toHaveLength(1);
  });

  it("finds a BETWEEN whose end is before its start, on attributes and in function filters", () => {
    const [dates] = emptyRanges(rule("last_order_date BETWEEN -30d AND -90d"), TODAY);
    expect(dates!.message).toMatch(/ends before it starts .*put the earlier date first/);
    expect(emptyRanges(rule("last_order_date BETWEEN -6m AND -90d"), TODAY)).toEqual([]);
    expect(emptyRanges(rule("amount_spent BETWEEN 100 AND 50"), TODAY)[0]!.message).toMatch(/smaller number first/);
    const text = "orders_placed MATCHES (sum_amount BETWEEN 500 AND 100)";
    const [call] = emptyRanges(rule(text), TODAY);
    expect(locate(text, call!.at)).toMatchObject({ col: 24 });
  });

  it("says nothing across OR, under NOT, or for ranges that hold", () => {
    expect(emptyRanges(rule("amount_spent > 100 OR amount_spent < 50"), TODAY)).toEqual([]);
    expect(emptyRanges(rule("NOT (amount_spent > 100 AND amount_spent < 50)"), TODAY)).toEqual([]);
    expect(emptyRanges(rule("NOT amount_spent BETWEEN 100 AND 50"), TODAY)).toEqual([]);
    expect(emptyRanges(rule("amount_spent > 50 AND amount_spent < 100 AND number_of_orders > 9"), TODAY)).toEqual([]);
  });
});
