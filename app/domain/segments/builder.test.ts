import { describe, expect, it } from "vitest";
import { createRandom } from "~/demo/random";
import {
  appendChild,
  builderToText,
  changeArgOperator,
  changeAttribute,
  emptyBuilder,
  fromBuilder,
  newArg,
  newCondition,
  newFunction,
  nodeAt,
  removeAt,
  textToBuilder,
  toBuilder,
  toggleNot,
  updateAt,
  type BuilderCondition,
  type BuilderFunction,
  type BuilderGroup,
} from "./builder";
import { parse, print } from "./query-language";
import { genRule } from "./random-rules.testing";
import type { Rule } from "./rule";
import { TEMPLATES } from "./templates";

function builderOf(text: string): BuilderGroup {
  const result = textToBuilder(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to open in the builder: ${JSON.stringify(result)}`);
  return result.builder;
}

// Canonical queries: text -> builder -> text must give back the very same characters.
const TRICKY = [
  "amount_spent >= 500",
  "amount_spent BETWEEN 1 AND 999.99",
  "amount_spent > -2.5",
  "number_of_orders >= 5 AND last_order_date >= -6m",
  "number_of_orders = 0 OR (amount_spent > 100 AND customer_tags CONTAINS 'vip')",
  "(number_of_orders = 0 OR amount_spent > 100) AND customer_tags NOT CONTAINS 'wholesale'",
  "NOT (rfm_group = 'AT_RISK' OR rfm_group = 'ALMOST_LOST')",
  "NOT NOT last_order_date IS NULL",
  "NOT customer_email_domain = 'gmail.com'",
  "(amount_spent > 1 AND amount_spent < 5) AND number_of_orders = 1",
  "last_order_date IS NOT NULL AND first_order_date BETWEEN 2025-01-01 AND 2025-03-31",
  "first_order_date BETWEEN today AND +30d",
  "customer_added_date < -10y OR customer_added_date >= -4w",
  "customer_tags CONTAINS 'it\\'s \\\\ a\\ntag' AND customer_tags CONTAINS ''",
  "customer_tags CONTAINS '  spaced  ' AND customer_tags CONTAINS 'AND (x) OR'",
  "customer_tags CONTAINS '☕ 😀 é'",
  "email_subscription_status = 'SUBSCRIBED' AND sms_subscription_status != 'UNSUBSCRIBED'",
  "lifecycle_stage = 'LAPSING'",
  "products_purchased MATCHES (tag = 'espresso', date >= -30d)",
  "products_purchased NOT MATCHES (id IN (1234567890, 42), quantity > 5)",
  "products_purchased MATCHES (product_type NOT IN ('Coffee', 'Tea, green'), sum_quantity BETWEEN 2 AND 10)",
  "products_purchased MATCHES ()",
  "orders_placed MATCHES (count_at_least = 3, sum_amount >= 99.5, date BETWEEN -1y AND today)",
  "NOT orders_placed MATCHES (date >= 2025-01-31) AND (products_purchased MATCHES (vendor = 'Acme') OR amount_spent = 0)",
  "((amount_spent > 1 OR amount_spent < 0) AND (number_of_orders = 2 OR number_of_orders = 3)) OR last_order_date = today",
];

describe("text -> builder -> text", () => {
  it.each(TEMPLATES.map((t) => [t.key, t.query] as const))("template %s comes back unchanged", (_key, query) => {
    expect(builderToText(builderOf(query))).toBe(query);
  });

  it.each(TRICKY.map((q) => [q]))("%s comes back unchanged", (query) => {
    const parsed = parse(query);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(print(parsed.rule)).toBe(query); // the cases really are canonical
    expect(builderToText(builderOf(query))).toBe(query);
  });

  it.each([
    ["amount_spent>=500", "amount_spent >= 500"],
    ["products_purchased(tag: 'x', date: -30d) = true", "products_purchased MATCHES (tag = 'x', date >= -30d)"],
    [
      "last_order_date > yesterday and lifecycle_stage = lapsing",
      "last_order_date > -1d AND lifecycle_stage = 'LAPSING'",
    ],
    ["amount_spent >= 007.50", "amount_spent >= 7.5"],
  ])("non-canonical %s keeps its meaning and comes back canonical", (input, canonical) => {
    expect(builderToText(builderOf(input))).toBe(canonical);
  });

  it("opens an empty query as an empty builder, and an empty builder prints nothing", () => {
    expect(builderOf("  ")).toEqual(emptyBuilder());
    expect(builderToText(emptyBuilder())).toBe("");
  });

  it("refuses a query with a syntax error, with the parser's position", () => {
    const result = textToBuilder("amount_spent > 'lots'");
    expect(result).toMatchObject({
      ok: false,
      reason: "syntax",
      errors: [{ line: 1, column: 16, message: "expected a number after '>'" }],
    });
    expect(textToBuilder("amount_spent >")).toMatchObject({ ok: false, reason: "syntax" });
  });
});

describe("random rules survive the builder", () => {
  // The parser's fuzz test draws them the same way (random-rules.testing.ts).
  const random = createRandom(20260601);
  const rule = (depth: number): Rule => genRule(random, depth);

  it("500 rules: print(fromBuilder(toBuilder(rule))) is print(rule), and the text opens in the builder", () => {
    for (let i = 0; i < 500; i++) {
      const r = rule(5);
      const text = print(r);
      const back = fromBuilder(toBuilder(r));
      expect(back.ok, text).toBe(true);
      if (back.ok) expect(print(back.rule)).toBe(text);
      expect(builderToText(builderOf(text))).toBe(text);
    }
  });
});

describe("builder edits", () => {
  it("builds amount_spent >= 100 AND customer_tags CONTAINS 'vip' from an empty builder", () => {
    let b = appendChild(emptyBuilder(), [], newCondition());
    expect(fromBuilder(b)).toMatchObject({
      ok: false,
      issues: [{ path: [0], field: "value", message: "Enter a number" }],
    });
    expect(builderToText(b)).toBe("amount_spent >="); // the query box then shows the parser's error for the gap
    b = updateAt(b, [0], (n) => ({ ...(n as BuilderCondition), value: "100" }));
    b = appendChild(b, [], changeAttribute(newCondition(), "customer_tags"));
    b = updateAt(b, [1], (n) => ({ ...(n as BuilderCondition), value: "vip" }));
    expect(builderToText(b)).toBe("amount_spent >= 100 AND customer_tags CONTAINS 'vip'");
    b = updateAt(b, [], (g) => ({ ...(g as BuilderGroup), op: "or" }));
    expect(builderToText(b)).toBe("amount_spent >= 100 OR customer_tags CONTAINS 'vip'");
    b = toggleNot(b, [1]);
    expect(builderToText(b)).toBe("amount_spent >= 100 OR NOT customer_tags CONTAINS 'vip'");
    b = toggleNot(b, [1]);
    expect(builderToText(b)).toBe("amount_spent >= 100 OR customer_tags CONTAINS 'vip'");
    b = removeAt(b, [0]);
    expect(builderToText(b)).toBe("customer_tags CONTAINS 'vip'");
  });

  it("changing the attribute keeps what still fits and resets what does not", () => {
    const c: BuilderCondition = {
      kind: "condition",
      attribute: "amount_spent",
      operator: "BETWEEN",
      value: "1",
      high: "5",
    };
    expect(changeAttribute(c, "average_order_value")).toEqual({ ...c, attribute: "average_order_value" });
    expect(changeAttribute(c, "rfm_group")).toEqual({
      kind: "condition",
      attribute: "rfm_group",
      operator: "=",
      value: "CHAMPIONS",
      high: "",
    });
    expect(changeAttribute(c, "last_order_date")).toMatchObject({ operator: "BETWEEN", value: "-30d" });
  });

  it("builds function calls with their arguments", () => {
    let f: BuilderFunction = newFunction("products_purchased");
    expect(f.args).toEqual([{ name: "id", operator: "=", value: "", high: "", items: [] }]);
    f = { ...f, args: [{ ...newArg("products_purchased", "tag"), value: "espresso" }] };
    f = { ...f, args: [...f.args, newArg("products_purchased", undefined, f.args)] };
    expect(f.args[1]?.name).toBe("id");
    f = {
      ...f,
      args: [f.args[0]!, { ...changeArgOperator({ ...f.args[1]!, value: "12" }, "IN"), items: ["12", "34"] }],
    };
    const b = appendChild(emptyBuilder(), [], f);
    expect(builderToText(b)).toBe("products_purchased MATCHES (tag = 'espresso', id IN (12, 34))");
    const negated = updateAt(b, [0], (n) => ({ ...(n as BuilderFunction), negated: true }));
    expect(builderToText(negated)).toBe("products_purchased NOT MATCHES (tag = 'espresso', id IN (12, 34))");
  });

  it("says which field is wrong", () => {
    const b: BuilderGroup = {
      kind: "group",
      op: "and",
      children: [
        { kind: "condition", attribute: "number_of_orders", operator: ">", value: "2.5", high: "" },
        { kind: "condition", attribute: "last_order_date", operator: "BETWEEN", value: "-30", high: "2025-02-30" },
        { kind: "group", op: "or", children: [] },
        {
          kind: "function",
          name: "orders_placed",
          negated: false,
          args: [
            { name: "date", operator: ">=", value: "soon", high: "", items: [] },
            { name: "date", operator: ">=", value: "-1d", high: "", items: [] },
          ],
        },
        {
          kind: "function",
          name: "products_purchased",
          negated: false,
          args: [{ name: "id", operator: "IN", value: "", high: "", items: ["1", "x"] }],
        },
      ],
    };
    const result = fromBuilder(b);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: [0], field: "value", message: "number_of_orders takes a whole number" },
      { path: [1], field: "value", message: "Enter a date like -30d, -6m, today or 2025-01-31" },
      { path: [1], field: "high", message: "Enter a date like -30d, -6m, today or 2025-01-31" },
      { path: [2], field: "children", message: "This group is empty: add a condition or remove it" },
      { path: [3], arg: 0, field: "value", message: "Enter a date like -30d, -6m, today or 2025-01-31" },
      { path: [3], arg: 1, field: "name", message: "'date' is given twice" },
      { path: [4], arg: 0, item: 1, field: "items", message: "'x' is not a product ID (digits only)" },
    ]);
    // The text still says what the builder holds, so the query box can point at the same places.
    const text = builderToText(b);
    expect(text).toBe(
      "number_of_orders > 2.5 AND last_order_date BETWEEN -30 AND 2025-02-30 AND () AND orders_placed MATCHES (date >= soon, date >= -1d) AND products_purchased MATCHES (id IN (1, x))",
    );
    expect(parse(text).ok).toBe(false);
  });

  it("refuses a builder nested deeper than a stored rule may be", () => {
    let node: BuilderGroup = {
      kind: "group",
      op: "and",
      children: [newCondition("number_of_orders"), newCondition("number_of_orders")],
    };
    node = updateAt(node, [0], (n) => ({ ...(n as BuilderCondition), value: "1" })) as BuilderGroup;
    node = updateAt(node, [1], (n) => ({ ...(n as BuilderCondition), value: "2" })) as BuilderGroup;
    for (let i = 0; i < 60; i++)
      node = {
        kind: "group",
        op: i % 2 ? "and" : "or",
        children: [node, { ...newCondition("number_of_orders"), value: "3" }],
      };
    expect(fromBuilder(node)).toMatchObject({
      ok: false,
      issues: [{ message: expect.stringMatching(/nested more than 50 levels/) }],
    });
  });

  it("removing the only child of a NOT removes the NOT; nodeAt follows NOT nodes", () => {
    const b = builderOf("amount_spent = 1 AND NOT (amount_spent = 2 OR amount_spent = 3)");
    expect(nodeAt(b, [1, 0, 1])).toMatchObject({ kind: "condition", value: "3" });
    expect(builderToText(removeAt(b, [1, 0]))).toBe("amount_spent = 1");
    expect(builderToText(removeAt(b, [1, 0, 0]))).toBe("amount_spent = 1 AND NOT amount_spent = 3");
    expect(removeAt(b, [])).toEqual(emptyBuilder());
  });
});
