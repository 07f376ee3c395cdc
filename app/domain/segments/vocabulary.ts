// The shop's own words for segment values: which product types, vendors, tags, countries, regions,
// cities, products and collections a rule can name. The builder suggests them, the query editor
// completes them and says "did you mean" when a rule names one the shop does not have. This module
// is pure: which kind of value an attribute or a function parameter takes, and how a typed value is
// matched against the shop's list. The lists themselves come from app/models/segments/vocabulary.server.ts.
import { foldAscii } from "./engine/values";
import { editDistance } from "./attributes";

export const VOCABULARY_KINDS = [
  "customer_tag",
  "country",
  "region",
  "city",
  "product",
  "product_type",
  "vendor",
  "product_tag",
  "collection",
  "cluster",
] as const;

export type VocabularyKind = (typeof VOCABULARY_KINDS)[number];

export function isVocabularyKind(value: string): value is VocabularyKind {
  return (VOCABULARY_KINDS as readonly string[]).includes(value);
}

/** One value the shop has: what a rule writes (`value`), what a merchant reads (`label`), how many use it. */
export type VocabularyEntry = { value: string; label: string; count: number };

/** What a merchant reads for each kind, e.g. in "No product type 'Coffee' in your shop". */
export const VOCABULARY_NOUNS: Record<VocabularyKind, string> = {
  customer_tag: "customer tag",
  country: "country",
  region: "region",
  city: "city",
  product: "product",
  product_type: "product type",
  vendor: "vendor",
  product_tag: "product tag",
  collection: "collection",
  cluster: "cluster",
};

const ATTRIBUTE_KINDS: Record<string, VocabularyKind> = {
  customer_tags: "customer_tag",
  customer_countries: "country",
  customer_regions: "region",
  customer_cities: "city",
  cluster: "cluster",
};

// products_purchased and products_viewed spell their product filters alike.
const PRODUCT_PARAMS: Record<string, VocabularyKind> = {
  id: "product",
  product_type: "product_type",
  vendor: "vendor",
  tag: "product_tag",
};

const FUNCTION_PARAM_KINDS: Record<string, Record<string, VocabularyKind>> = {
  products_purchased: PRODUCT_PARAMS,
  products_viewed: PRODUCT_PARAMS,
  collections_viewed: { id: "collection" },
};

/** The kind of value an attribute compares with, if the shop's own values can be suggested for it. */
export function vocabularyKindOfAttribute(attribute: string): VocabularyKind | undefined {
  return ATTRIBUTE_KINDS[attribute];
}

/** The kind of value a function parameter compares with (`products_purchased MATCHES (product_type = …)`). */
export function vocabularyKindOfParam(fn: string, param: string): VocabularyKind | undefined {
  return FUNCTION_PARAM_KINDS[fn]?.[param];
}

/** How the engines compare the values of a kind: ids exactly, codes upper case, words ASCII-folded. */
export function vocabularyKey(kind: VocabularyKind, value: string): string {
  if (kind === "product" || kind === "collection") return value.trim();
  if (kind === "country" || kind === "region") return value.trim().toUpperCase();
  return foldAscii(value.trim());
}

/**
 * The entries a merchant's typing points at, most used first: those whose value or label starts with
 * the text, then those containing it (ignoring case). An empty text lists the most used.
 */
export function matchVocabulary(entries: readonly VocabularyEntry[], typed: string, limit: number): VocabularyEntry[] {
  const needle = typed.trim().toLowerCase();
  if (needle === "") return entries.slice(0, limit);
  const starts: VocabularyEntry[] = [];
  const contains: VocabularyEntry[] = [];
  for (const entry of entries) {
    const value = entry.value.toLowerCase();
    const label = entry.label.toLowerCase();
    if (value.startsWith(needle) || label.startsWith(needle)) starts.push(entry);
    else if (value.includes(needle) || label.includes(needle)) contains.push(entry);
    if (starts.length >= limit) break;
  }
  return [...starts, ...contains].slice(0, limit);
}

export type VocabularyCheck = { found: true; entry: VocabularyEntry } | { found: false; didYouMean?: VocabularyEntry };

/**
 * Whether the shop has a value as the engines would compare it, and if not the nearest one it has: a
 * value that differs only in (ASCII) case counts as found where the engines ignore case; otherwise a
 * close spelling ("Coffe Beans") or one that contains the typed word ("Coffee" -> "Coffee Beans") is
 * offered.
 */
export function checkVocabulary(
  kind: VocabularyKind,
  entries: readonly VocabularyEntry[],
  typed: string,
): VocabularyCheck {
  const key = vocabularyKey(kind, typed);
  const exact = entries.find((e) => vocabularyKey(kind, e.value) === key);
  if (exact) return { found: true, entry: exact };
  if (key === "" || key.length > 64) return { found: false };
  const needle = typed.trim().toLowerCase();
  const cap = Math.max(1, Math.min(3, Math.floor(needle.length / 3)));
  let best: VocabularyEntry | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const entry of entries) {
    for (const candidate of [entry.value, entry.label]) {
      const folded = candidate.toLowerCase();
      // Containing the typed word is as good as one typo; otherwise the edit distance, within a cap.
      const d = folded.includes(needle) && needle.length >= 3 ? 1 : editDistance(needle, folded, cap);
      if (d <= cap && (d < bestScore || (d === bestScore && best !== undefined && entry.count > best.count))) {
        best = entry;
        bestScore = d;
      }
    }
  }
  return best ? { found: false, didYouMean: best } : { found: false };
}
