import { describe, expect, it } from "vitest";
import { ATTRIBUTES, FUNCTIONS } from "./attributes";
import { parse } from "./query-language";
import { insertExample, REFERENCE, searchReference } from "./reference";

describe("the query reference", () => {
  it("lists every available attribute and function of the registry, once", () => {
    const names = REFERENCE.map((e) => e.name);
    const available = [
      ...Object.entries(ATTRIBUTES)
        .filter(([, d]) => d.available)
        .map(([n]) => n),
      ...Object.entries(FUNCTIONS)
        .filter(([, d]) => d.available)
        .map(([n]) => n),
    ];
    expect([...names].sort()).toEqual([...available].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(REFERENCE.map((e) => [e.name, e.example] as const))("%s's example parses: %s", (name, example) => {
    const parsed = parse(example);
    expect(parsed).toMatchObject({ ok: true });
    // The example is about the entry it illustrates.
    expect(example.startsWith(`${name} `)).toBe(true);
  });

  it("marks Tailored's own attributes, and gives each entry its type and operators", () => {
    expect(REFERENCE.filter((e) => e.extension).map((e) => e.name)).toEqual(
      Object.entries(ATTRIBUTES)
        .filter(([, d]) => "extension" in d && d.extension)
        .map(([n]) => n),
    );
    const rfm = REFERENCE.find((e) => e.name === "rfm_group")!;
    expect(rfm.type).toContain("AT_RISK");
    expect(rfm.operators).toContain("=");
    const purchased = REFERENCE.find((e) => e.name === "products_purchased")!;
    expect(purchased.params.map((p) => p.name)).toContain("product_type");
    expect(purchased.example).toBe("products_purchased MATCHES (tag = 'sale', date >= -30d)");
  });

  it("searches names, descriptions and parameters", () => {
    expect(searchReference(REFERENCE, "").length).toBe(REFERENCE.length);
    expect(searchReference(REFERENCE, "last order").map((e) => e.name)).toContain("last_order_date");
    expect(searchReference(REFERENCE, "VENDOR").map((e) => e.name)).toEqual(
      expect.arrayContaining(["products_purchased", "products_viewed"]),
    );
    expect(searchReference(REFERENCE, "no such thing at all")).toEqual([]);
  });
});

describe("insertExample", () => {
  const example = "customer_tags CONTAINS 'vip'";
  it("puts the example alone in an empty query", () => {
    expect(insertExample("  ", 0, example)).toEqual({ text: example, caret: example.length });
  });
  it("puts it at the caret where a condition can start, and otherwise joins it with AND", () => {
    expect(insertExample("amount_spent > 5 AND ", 21, example).text).toBe(`amount_spent > 5 AND ${example}`);
    expect(insertExample("(amount_spent > 5 OR ) AND x > 1", 21, example)).toEqual({
      text: `(amount_spent > 5 OR ${example} ) AND x > 1`,
      caret: 21 + example.length + 1,
    });
    expect(insertExample("amount_spent > 5", 3, example).text).toBe(`amount_spent > 5 AND ${example}`);
    for (const at of [0, 8, 16]) expect(parse(insertExample("amount_spent > 5", at, example).text).ok).toBe(true);
  });
});
