import { describe, expect, it } from "vitest";
import {
  checkVocabulary,
  matchVocabulary,
  vocabularyKindOfAttribute,
  vocabularyKindOfParam,
  type VocabularyEntry,
} from "./vocabulary";

const entries: VocabularyEntry[] = [
  { value: "Coffee Beans", label: "Coffee Beans", count: 30 },
  { value: "Tea", label: "Tea", count: 12 },
  { value: "Decaf Coffee", label: "Decaf Coffee", count: 4 },
];

describe("segment value vocabulary", () => {
  it("knows which attributes and parameters take the shop's own values", () => {
    expect(vocabularyKindOfAttribute("customer_tags")).toBe("customer_tag");
    expect(vocabularyKindOfAttribute("customer_cities")).toBe("city");
    expect(vocabularyKindOfAttribute("amount_spent")).toBeUndefined();
    expect(vocabularyKindOfParam("products_purchased", "product_type")).toBe("product_type");
    expect(vocabularyKindOfParam("products_viewed", "id")).toBe("product");
    expect(vocabularyKindOfParam("collections_viewed", "id")).toBe("collection");
    expect(vocabularyKindOfParam("orders_placed", "date")).toBeUndefined();
  });

  it("lists values starting with the typed text before those containing it", () => {
    expect(matchVocabulary(entries, "c", 5).map((e) => e.value)).toEqual(["Coffee Beans", "Decaf Coffee"]);
    expect(matchVocabulary(entries, "coffee", 1).map((e) => e.value)).toEqual(["Coffee Beans"]);
    expect(matchVocabulary(entries, "", 2).map((e) => e.value)).toEqual(["Coffee Beans", "Tea"]);
  });

  it("finds a value whatever its case, and offers the nearest when the shop does not have it", () => {
    expect(checkVocabulary("product_type", entries, "TEA")).toMatchObject({ found: true });
    expect(checkVocabulary("product_type", entries, "Coffee")).toMatchObject({
      found: false,
      didYouMean: { value: "Coffee Beans" },
    });
    expect(checkVocabulary("product_type", entries, "Tee")).toMatchObject({
      found: false,
      didYouMean: { value: "Tea" },
    });
    expect(checkVocabulary("product_type", entries, "Chocolate")).toEqual({ found: false });
    expect(checkVocabulary("product_type", [], "x")).toEqual({ found: false });
  });

  it("compares countries and product ids as the engines do", () => {
    const countries = [{ value: "US", label: "US", count: 2 }];
    expect(checkVocabulary("country", countries, "us")).toMatchObject({ found: true });
    const products = [{ value: "101", label: "Espresso", count: 1 }];
    expect(checkVocabulary("product", products, " 101 ")).toMatchObject({ found: true });
  });
});
