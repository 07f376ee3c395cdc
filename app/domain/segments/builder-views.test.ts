// The builder's views for people: dates said in words and read back from the query, "is any of" for
// enums, labels for every attribute and parameter, and new conditions that are not wrong yet.
import { describe, expect, it } from "vitest";
import { ATTRIBUTES, FUNCTIONS, OPERATORS_BY_TYPE, argOperators } from "./attributes";
import {
  appendChild,
  builderToText,
  changeOperator,
  emptyBuilder,
  fromBuilder,
  newCondition,
  newFunction,
  textToBuilder,
  touch,
  updateAt,
  type BuilderCondition,
  type BuilderFunction,
  type BuilderGroup,
} from "./builder";
import { applyDate, readDate, switchDateMode, type DateParts } from "./builder/dates";
import {
  ATTRIBUTE_LABELS,
  attributeLabel,
  fullParamLabel,
  groupedChoices,
  isTailoredOnly,
  operatorLabel,
  paramLabel,
} from "./builder/labels";

function builderOf(text: string): BuilderGroup {
  const result = textToBuilder(text);
  if (!result.ok) throw new Error(`expected ${text} to open in the builder: ${JSON.stringify(result)}`);
  return result.builder;
}

const first = (root: BuilderGroup) => root.children[0] as BuilderCondition;

describe("dates in words", () => {
  it.each([
    ["last_order_date >= -90d", { mode: "last", amount: "90", unit: "d" }],
    ["last_order_date >= -6m", { mode: "last", amount: "6", unit: "m" }],
    ["last_order_date < -12w", { mode: "ago", amount: "12", unit: "w" }],
    ["first_order_date < 2026-01-31", { mode: "before", date: "2026-01-31" }],
    ["first_order_date > 2026-01-31", { mode: "after", date: "2026-01-31" }],
    ["first_order_date = 2026-01-31", { mode: "on", date: "2026-01-31" }],
    ["first_order_date BETWEEN 2026-01-01 AND 2026-01-31", { mode: "between", date: "2026-01-01", high: "2026-01-31" }],
    ["last_order_date IS NULL", { mode: "empty" }],
    ["last_order_date IS NOT NULL", { mode: "notEmpty" }],
    // What the words cannot say stays as typed ("custom"), and the builder still opens it unchanged.
    ["last_order_date <= -30d", { mode: "custom" }],
    ["last_order_date >= today", { mode: "custom" }],
    ["last_order_date >= -2y", { mode: "custom" }],
    ["last_order_date > +7d", { mode: "custom" }],
    ["last_order_date BETWEEN -60d AND -30d", { mode: "custom" }],
    ["first_order_date >= 2026-01-31", { mode: "custom" }],
  ])("%s reads as %j and writes the same text back", (text, view) => {
    const root = builderOf(text);
    const node = first(root);
    const read = readDate(node);
    expect(read).toEqual(view);
    const parts = applyDate(node, read);
    const again = updateAt(root, [0], () => ({ ...node, ...parts, dateMode: read.mode })) as BuilderGroup;
    expect(builderToText(again)).toBe(text);
  });

  it("reads a function's date parameter the same way (the colon form's date is 'in the last')", () => {
    const root = builderOf("products_purchased(tag: 'espresso', date: -30d) = true");
    const fn = root.children[0] as BuilderFunction;
    expect(readDate(fn.args[1]!)).toEqual({ mode: "last", amount: "30", unit: "d" });
  });

  it.each([
    [{ mode: "last", amount: "90", unit: "d" }, "last_order_date >= -90d"],
    [{ mode: "ago", amount: "6", unit: "m" }, "last_order_date < -6m"],
    [{ mode: "before", date: "2026-02-01" }, "last_order_date < 2026-02-01"],
    [{ mode: "after", date: "2026-02-01" }, "last_order_date > 2026-02-01"],
    [{ mode: "on", date: "2026-02-01" }, "last_order_date = 2026-02-01"],
    [{ mode: "between", date: "2026-01-01", high: "2026-02-01" }, "last_order_date BETWEEN 2026-01-01 AND 2026-02-01"],
    [{ mode: "empty" }, "last_order_date IS NULL"],
  ] as const)("writes %j as %s", (view, text) => {
    const root = builderOf("last_order_date >= -30d");
    const node = first(root);
    const next = updateAt(root, [0], () => ({
      ...node,
      ...applyDate(node, view),
      dateMode: view.mode,
    })) as BuilderGroup;
    expect(builderToText(next)).toBe(text);
    expect(builderToText(builderOf(text))).toBe(text);
  });

  it("keeps a half-filled view: 'before' with no date yet, 'in the last' with no number yet", () => {
    const parts: DateParts = { operator: ">=", value: "-30d", high: "" };
    const before = applyDate(parts, switchDateMode(readDate(parts), "before"));
    expect(before).toEqual({ operator: "<", value: "", high: "" });
    expect(readDate(before, "before")).toEqual({ mode: "before", date: "" });
    // Without the hint an empty "<" could be "ago" as well; the hint keeps the merchant's choice.
    const emptied = applyDate(parts, { mode: "last", amount: "", unit: "w" });
    expect(emptied).toEqual({ operator: ">=", value: "-w", high: "" });
    expect(readDate(emptied, "last")).toEqual({ mode: "last", amount: "", unit: "w" });
    // A hint the operator contradicts (the text was edited meanwhile) is ignored.
    expect(readDate({ operator: "=", value: "2026-01-01", high: "" }, "last")).toEqual({
      mode: "on",
      date: "2026-01-01",
    });
  });

  it("carries the number between 'in the last' and 'ago', and a date between the date modes", () => {
    expect(switchDateMode({ mode: "last", amount: "9", unit: "w" }, "ago")).toEqual({
      mode: "ago",
      amount: "9",
      unit: "w",
    });
    expect(switchDateMode({ mode: "before", date: "2026-01-02" }, "between")).toEqual({
      mode: "between",
      date: "2026-01-02",
      high: "",
    });
    expect(switchDateMode({ mode: "empty" }, "last")).toEqual({ mode: "last", amount: "30", unit: "d" });
  });

  it("an unfinished date is an issue on the field, and never a query the parser accepts", () => {
    const root = builderOf("last_order_date >= -30d");
    const node = first(root);
    const next = updateAt(root, [0], () => ({
      ...node,
      ...applyDate(node, { mode: "before", date: "" }),
    })) as BuilderGroup;
    const result = fromBuilder(next);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]).toMatchObject({ path: [0], field: "value" });
  });
});

describe("is any of", () => {
  it.each([
    "rfm_group IN ('CHAMPIONS', 'LOYAL')",
    "churn_risk NOT IN ('HIGH')",
    "amount_spent > 10 AND lifecycle_stage IN ('NEW', 'REPEAT')",
    "customer_email_domain IN ('gmail.com', 'icloud.com')",
  ])("%s opens in the builder and prints back unchanged", (text) => {
    const root = builderOf(text);
    expect(builderToText(root)).toBe(text);
  });

  it("turns a single value into the first of the list and back", () => {
    const root = builderOf("rfm_group = 'LOYAL'");
    const listed = changeOperator(first(root), "IN");
    expect(listed.items).toEqual(["LOYAL"]);
    const withTwo = { ...listed, items: ["LOYAL", "CHAMPIONS"] };
    expect(builderToText({ ...root, children: [withTwo] })).toBe("rfm_group IN ('LOYAL', 'CHAMPIONS')");
    const single = changeOperator(withTwo, "!=");
    expect(builderToText({ ...root, children: [single] })).toBe("rfm_group != 'LOYAL'");
  });

  it("says what to fill in: no value chosen, or one that is not the attribute's", () => {
    const root = builderOf("rfm_group IN ('LOYAL')");
    const none = fromBuilder({ ...root, children: [{ ...first(root), items: [] }] });
    expect(none).toEqual({ ok: false, issues: [{ path: [0], field: "items", message: "Choose at least one value" }] });
    const wrong = fromBuilder({ ...root, children: [{ ...first(root), items: ["LOYAL", "GOLD"] }] });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.issues[0]).toMatchObject({ path: [0], field: "items", item: 1 });
  });
});

describe("new conditions are not wrong yet", () => {
  it("marks a condition or filter added by the merchant fresh, and an edit makes it ordinary", () => {
    const added = newCondition();
    expect(added.fresh).toBe(true);
    expect(newFunction().fresh).toBe(true);
    const edited = touch({ ...added, value: "100" });
    expect("fresh" in edited).toBe(false);
    // The mark is the builder's, not the rule's: the text is the same with or without it.
    const root = appendChild(emptyBuilder(), [], { ...added, value: "100" }) as BuilderGroup;
    expect(builderToText(root)).toBe("amount_spent >= 100");
    expect(builderToText({ ...root, children: [edited] })).toBe("amount_spent >= 100");
  });

  it("a fresh condition still has its issue (shown once the merchant edits it or tries to save)", () => {
    const root = appendChild(emptyBuilder(), [], newCondition()) as BuilderGroup;
    expect(fromBuilder(root)).toEqual({
      ok: false,
      issues: [{ path: [0], field: "value", message: "Enter a number" }],
    });
  });

  it("never marks what was read from text", () => {
    expect(first(builderOf("amount_spent >= 1")).fresh).toBeUndefined();
  });
});

describe("labels", () => {
  it("names every available attribute and every function parameter in words", () => {
    for (const [name, def] of Object.entries(ATTRIBUTES)) {
      if (!def.available) continue;
      expect(attributeLabel(name)).not.toBe(name);
      for (const op of OPERATORS_BY_TYPE[def.type]) expect(operatorLabel(op, def.type)).toMatch(/^[a-z …]+$/);
    }
    for (const [fn, def] of Object.entries(FUNCTIONS)) {
      for (const [param, p] of Object.entries(def.params)) {
        expect(paramLabel(fn, param)).not.toContain("_");
        for (const op of argOperators(p)) expect(operatorLabel(op, p.type)).toMatch(/^[a-z …]+$/);
      }
    }
    const labels = Object.values(ATTRIBUTE_LABELS).map((l) => l.label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it.each([
    ["amount_spent", ">=", "is at least"],
    ["last_order_date", "<", "is before"],
    ["rfm_group", "IN", "is any of"],
    ["rfm_group", "NOT IN", "is none of"],
    ["customer_tags", "CONTAINS", "contains"],
  ] as const)("%s %s reads '%s'", (attribute, op, words) => {
    expect(operatorLabel(op, ATTRIBUTES[attribute].type)).toBe(words);
  });

  it("groups the choices as Shopify does and marks what Shopify's editor does not know", () => {
    const groups = groupedChoices("attribute");
    expect(groups.map((g) => g.title)).toEqual(["Orders", "Customer", "Marketing", "Predictions", "Browsing"]);
    expect(groups[0]!.options[0]).toEqual({ value: "amount_spent", label: "Amount spent" });
    const all = groups.flatMap((g) => g.options);
    expect(all.find((o) => o.value === "p_alive")?.label).toMatch(/\(Tailored only\)$/);
    expect(all.find((o) => o.value === "rfm_group")?.label).toBe("RFM group");
    expect(isTailoredOnly("products_viewed")).toBe(true);
    expect(isTailoredOnly("products_purchased")).toBe(false);
    expect(fullParamLabel("products_purchased", "product_type")).toBe("Products purchased: product type");
    expect(paramLabel("collections_viewed", "id")).toBe("collection");
  });
});
