import { describe, expect, it } from "vitest";
import { ATTRIBUTES, FUNCTIONS } from "../attributes";
import { parse } from "../query-language";
import { applyCompletion, completionsAt, filterCompletions, type CompletionResult } from "./completion";

/** Completions with the caret where `|` is. */
function at(marked: string): CompletionResult & { text: string } {
  const caret = marked.indexOf("|");
  const text = marked.slice(0, caret) + marked.slice(caret + 1);
  return { ...completionsAt(text, caret), text };
}
const labels = (r: CompletionResult) => r.items.map((i) => i.label);

describe("completionsAt", () => {
  it("offers every available attribute, every function and NOT at the start", () => {
    const r = at("|");
    expect(r).toMatchObject({ from: 0, to: 0, typed: "" });
    expect(labels(r)).toEqual(expect.arrayContaining([...Object.keys(ATTRIBUTES), ...Object.keys(FUNCTIONS), "NOT"]));
  });

  it("narrows names to what was typed, prefix first, and replaces the whole word the caret is in", () => {
    const r = at("amount_spent >= 1 AND last_o|rder");
    expect(labels(r)[0]).toBe("last_order_date");
    expect(r.typed).toBe("last_o");
    expect(r.text.slice(r.from, r.to)).toBe("last_order");
    const contains = at("spent|");
    expect(labels(contains)).toEqual(["amount_spent"]);
    const fn = at("products_pu|");
    expect(fn.items[0]).toMatchObject({ label: "products_purchased", insert: "products_purchased MATCHES (" });
  });

  it("offers only the operators of the attribute's type", () => {
    expect(labels(at("amount_spent |"))).toEqual([
      "=",
      "!=",
      ">",
      ">=",
      "<",
      "<=",
      "BETWEEN",
      "IS NULL",
      "IS NOT NULL",
    ]);
    expect(labels(at("customer_tags |"))).toEqual(["CONTAINS", "NOT CONTAINS", "IS NULL", "IS NOT NULL"]);
    expect(labels(at("rfm_group |"))).toEqual(["=", "!=", "IN", "NOT IN", "IS NULL", "IS NOT NULL"]);
    expect(labels(at("customer_tags NOT |"))).toEqual(["CONTAINS"]);
    expect(labels(at("customer_tags IS |"))).toEqual(["NULL", "NOT NULL"]);
    expect(labels(at("customer_tags co|"))).toEqual(["CONTAINS", "NOT CONTAINS"]);
    // An unknown attribute has no operators to offer.
    expect(labels(at("amount_spnt |"))).toEqual([]);
  });

  it("offers enum values quoted, sample dates, and nothing to guess for a number", () => {
    const rfm = at("rfm_group = |");
    expect(rfm.items.map((i) => i.insert)).toContain("'AT_RISK'");
    expect(labels(at("rfm_group = 'at_|"))).toEqual(["AT_RISK"]);
    // Starting with what was typed comes before containing it.
    expect(labels(at("rfm_group = at|"))).toEqual(["AT_RISK", "NEEDS_ATTENTION"]);
    expect(labels(at("last_order_date >= |"))).toContain("-30d");
    expect(labels(at("last_order_date BETWEEN -90d AND |"))).toContain("today");
    expect(at("amount_spent > |").items).toEqual([]);
  });

  it("names the vocabulary kind where the shop's own values go, with what was typed of the string", () => {
    const tags = at("customer_tags CONTAINS 'vi|");
    expect(tags).toMatchObject({ vocabulary: { kind: "customer_tag", owner: "customer_tags" }, typed: "vi" });
    // An unclosed string: only up to the caret is replaced.
    expect(tags.text.slice(tags.from, tags.to)).toBe("'vi");
    const closed = at("customer_tags CONTAINS 'v|ip' AND number_of_orders > 1");
    expect(closed.text.slice(closed.from, closed.to)).toBe("'vip'");
    expect(at("customer_countries NOT CONTAINS |").vocabulary?.kind).toBe("country");
    const param = at("products_purchased MATCHES (tag = 'x', product_type = 'Cof|");
    expect(param).toMatchObject({ vocabulary: { kind: "product_type", owner: "product_type" }, typed: "Cof" });
    expect(at("products_viewed MATCHES (vendor IN ('a', |").vocabulary?.kind).toBe("vendor");
    expect(at("collections_viewed MATCHES (id = |").vocabulary?.kind).toBe("collection");
    expect(at("products_purchased(product_type: |").vocabulary?.kind).toBe("product_type");
  });

  it("offers the function's parameters not yet given, then their operators", () => {
    const params = labels(at("products_purchased MATCHES (tag = 'x', |"));
    expect(params).not.toContain("tag");
    expect(params).toEqual(expect.arrayContaining(["product_type", "vendor", "date", "quantity"]));
    expect(labels(at("orders_placed MATCHES (count_at_least |"))).toEqual(["="]);
    expect(labels(at("orders_placed MATCHES (sum_amount |"))).toContain("BETWEEN");
    expect(labels(at("products_purchased MATCHES (tag |"))).toEqual(["=", "!=", "IN", "NOT IN"]);
    expect(labels(at("products_purchased |"))).toEqual(["MATCHES", "NOT MATCHES"]);
    expect(labels(at("products_purchased MATCHES (tag = 'x' |"))).toEqual([",", ")"]);
    // The older colon form: parameter names end with ':'.
    expect(at("products_purchased(|").items[0]?.insert).toMatch(/: $/);
    expect(labels(at("products_purchased(tag: 'x') |"))).toEqual(["= true", "= false"]);
  });

  it("offers AND and OR after a complete condition, and ')' inside parentheses", () => {
    expect(labels(at("amount_spent > 100 |"))).toEqual(["AND", "OR"]);
    expect(labels(at("(amount_spent > 100 |"))).toEqual(["AND", "OR", ")"]);
    expect(labels(at("amount_spent BETWEEN 1 |"))).toEqual(["AND"]);
    expect(labels(at("customer_tags IS NOT NULL |"))).toEqual(["AND", "OR"]);
    expect(labels(at("products_purchased MATCHES (tag = 'x') |"))).toEqual(["AND", "OR"]);
    expect(labels(at("NOT |"))).toContain("amount_spent");
  });

  it("offers nothing where the text before the caret is not the language", () => {
    expect(at("amount_spent > > |").items).toEqual([]);
    expect(at(") |").items).toEqual([]);
  });

  it("builds a valid query when each step takes the first offer that fits", () => {
    let text = "";
    const choose = (label: string) => {
      const r = completionsAt(text, text.length);
      const item = r.items.find((i) => i.label === label);
      expect(item, `${label} offered after '${text}'`).toBeDefined();
      text = applyCompletion(text, r, item!.insert).text;
    };
    choose("rfm_group");
    choose("=");
    choose("AT_RISK");
    text += " ";
    choose("AND");
    choose("products_purchased");
    choose("date");
    choose(">=");
    choose("-30d");
    text += " ";
    choose(")");
    expect(text.trim()).toBe("rfm_group = 'AT_RISK' AND products_purchased MATCHES (date >= -30d )");
    expect(parse(text).ok).toBe(true);
  });
});

describe("applyCompletion", () => {
  it("replaces the range, puts the caret after the insert, and does not double a space", () => {
    expect(applyCompletion("amount_sp > 1", { from: 0, to: 9 }, "amount_spent ")).toEqual({
      text: "amount_spent > 1",
      caret: 13,
    });
    expect(applyCompletion("rfm_group = ", { from: 12, to: 12 }, "'NEW'")).toEqual({
      text: "rfm_group = 'NEW'",
      caret: 17,
    });
  });
});

describe("filterCompletions", () => {
  it("keeps everything for nothing typed and ignores case", () => {
    const items = [
      { label: "abc", insert: "abc", kind: "value" as const },
      { label: "xab", insert: "xab", kind: "value" as const },
    ];
    expect(filterCompletions(items, "")).toHaveLength(2);
    expect(filterCompletions(items, "AB").map((i) => i.label)).toEqual(["abc", "xab"]);
    expect(filterCompletions(items, "q")).toEqual([]);
  });
});
