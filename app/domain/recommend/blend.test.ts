import { describe, expect, it } from "vitest";
import { blend, compareIds, type BlendInput } from "./blend";

const base = (over: Partial<BlendInput>): BlendInput => ({
  personal: [],
  boughtTogether: [],
  segments: [],
  trending: [],
  popular: [],
  exclude: new Set(),
  isActive: () => true,
  limit: 4,
  ...over,
});

describe("blend", () => {
  it.each([
    ["the page's bought-together first", { boughtTogether: ["1", "2"], popular: ["9", "8"] }, ["1", "2", "9", "8"]],
    ["the personal list before popular", { personal: ["5"], popular: ["9", "5", "8"] }, ["5", "9", "8"]],
    ["an item in two lists rises", { personal: ["1", "2", "3"], popular: ["3"] }, ["3", "1", "2"]],
    ["segments share their weight", { segments: [["4"], ["6"]], popular: ["9"] }, ["4", "6", "9"]],
  ])("puts %s", (_, lists, expected) => {
    expect(blend(base(lists))).toEqual(expected);
  });

  it.each([
    ["what the customer bought", { exclude: new Set(["1"]) }, "1"],
    ["an inactive product", { isActive: (id: string) => id !== "2" }, "2"],
    ["the page's own product", { productId: "3" }, "3"],
  ])("leaves out %s", (_, over, gone) => {
    const got = blend(base({ personal: ["1", "2", "3"], popular: ["4", "5", "6"], ...over }));
    expect(got).not.toContain(gone);
    expect(got).toHaveLength(4);
  });

  it.each([
    ["no lists at all", {}],
    ["lists of inactive products only", { popular: ["1", "2"], isActive: (id: string) => id >= "5" }],
    ["everything in the lists bought", { popular: ["5", "6"], exclude: new Set(["5", "6"]) }],
  ])("is never empty while a product is active: %s", (_, over) => {
    const got = blend(base({ fallback: ["5", "6", "7"], ...over }));
    expect(got.length).toBeGreaterThan(0);
  });

  it("gives back something bought only when every active product was bought", () => {
    const got = blend(base({ popular: ["2", "1"], fallback: ["1", "2"], exclude: new Set(["1", "2"]), limit: 2 }));
    expect(got).toEqual(["2", "1"]);
    expect(blend(base({ popular: ["2"], fallback: ["1", "2"], exclude: new Set(["2"]), limit: 2 }))).toEqual(["1"]);
  });

  it("is empty only when nothing is active", () => {
    expect(blend(base({ popular: ["1"], fallback: ["1"], isActive: () => false }))).toEqual([]);
    expect(blend(base({ popular: ["1"], limit: 0 }))).toEqual([]);
  });

  it("breaks ties by id, whatever order the lists come in", () => {
    const a = blend(base({ segments: [["30"], ["4"]], limit: 2 }));
    const b = blend(base({ segments: [["4"], ["30"]], limit: 2 }));
    expect(a).toEqual(["4", "30"]);
    expect(b).toEqual(a);
  });

  it.each([
    ["9", "10", -1],
    ["10", "9", 1],
    ["12", "12", 0],
    ["123", "124", -1],
  ])("orders ids numerically: %s vs %s", (a, b, sign) => {
    expect(Math.sign(compareIds(a, b))).toBe(sign);
  });
});
