// The query editor's reference: every attribute and function of the registry (attributes.ts) with its
// plain description, type, operators and one example query, generated here so that it never drifts
// from what the parser accepts (reference.test.ts parses every example). A few sample values read
// better than a generic one; every other example is made from the attribute's type.
import {
  argOperators,
  ATTRIBUTES,
  FUNCTIONS,
  OPERATORS_BY_TYPE,
  TYPE_LABELS,
  type AttributeDef,
  type FunctionDef,
  type ParamDef,
} from "./attributes";
import { quote } from "./query-language/printer";

export interface ReferenceParam {
  name: string;
  type: string;
  description: string;
  operators: readonly string[];
}

export interface ReferenceEntry {
  name: string;
  kind: "attribute" | "function";
  description: string;
  /** How a merchant reads the type: "a number", "a date", "a list", ... */
  type: string;
  operators: readonly string[];
  params: ReferenceParam[];
  example: string;
  /** Tailored's own: a rule using it cannot be pasted into Shopify's editor. */
  extension: boolean;
}

/** Values that read like a real shop's; any attribute or parameter not named here gets its type's. */
const SAMPLES: Record<string, string> = {
  amount_spent: "500",
  average_order_value: "100",
  predicted_clv: "200",
  number_of_orders: "3",
  days_since_last_order: "90",
  sessions_count: "3",
  expected_orders_90d: "1",
  p_alive: "0.5",
  customer_tags: quote("vip"),
  customer_countries: quote("US"),
  customer_regions: quote("US-NY"),
  customer_cities: quote("US-NY-NewYorkCity"),
  customer_email_domain: quote("gmail.com"),
  cluster: quote("frequent, high spend"),
  churn_risk: quote("HIGH"),
  tag: quote("sale"),
  product_type: quote("Coffee Beans"),
  vendor: quote("Acme"),
  query_contains: quote("espresso"),
  id: "1234567890",
  within_hours: "24",
  count_at_least: "2",
  quantity: "2",
  sum_quantity: "3",
  sum_amount: "100",
};

function sampleFor(name: string, type: string, enumValues?: readonly string[]): string {
  const known = SAMPLES[name];
  if (known) return known;
  switch (type) {
    case "date":
      return "-30d";
    case "enum":
      return quote(enumValues?.[0] ?? "");
    case "boolean":
      return "true";
    case "string":
    case "string_list":
      return quote("example");
    default:
      return "1";
  }
}

function attributeExample(name: string, def: AttributeDef): string {
  const value = sampleFor(name, def.type, def.enumValues);
  switch (def.type) {
    case "string_list":
      return `${name} CONTAINS ${value}`;
    case "date":
      return `${name} >= ${value}`;
    case "number":
    case "money":
      return `${name} >= ${value}`;
    default:
      return `${name} = ${value}`;
  }
}

function argExample(name: string, param: ParamDef): string {
  const ops = argOperators(param);
  const op = ops.includes(">=") ? ">=" : (ops[0] ?? "=");
  return `${name} ${op} ${sampleFor(name, param.type)}`;
}

/** One filter that says what the function is about (text first, then a number, then an ID), and the date if it has one. */
function functionExample(name: string, def: FunctionDef): string {
  const params = Object.entries(def.params);
  const byType = (types: string[]) => params.find(([n, p]) => types.includes(p.type) && n !== "date");
  const main = byType(["string"]) ?? byType(["number", "money"]) ?? byType(["id"]);
  const date = params.find(([n]) => n === "date");
  const args = [main, date].filter((p): p is [string, ParamDef] => p !== undefined).map(([n, p]) => argExample(n, p));
  return `${name} MATCHES (${args.join(", ")})`;
}

export const REFERENCE: readonly ReferenceEntry[] = [
  ...Object.entries(ATTRIBUTES as Record<string, AttributeDef>)
    .filter(([, def]) => def.available)
    .map(([name, def]) => ({
      name,
      kind: "attribute" as const,
      description: def.description,
      type: def.type === "enum" ? `one of ${(def.enumValues ?? []).join(", ")}` : TYPE_LABELS[def.type],
      operators: OPERATORS_BY_TYPE[def.type],
      params: [],
      example: attributeExample(name, def),
      extension: def.extension === true,
    })),
  ...Object.entries(FUNCTIONS as Record<string, FunctionDef>)
    .filter(([, def]) => def.available)
    .map(([name, def]) => ({
      name,
      kind: "function" as const,
      description: def.description,
      type: "a filter on what the customer did",
      operators: ["MATCHES", "NOT MATCHES"],
      params: Object.entries(def.params).map(([p, param]) => ({
        name: p,
        type: TYPE_LABELS[param.type],
        description: param.description,
        operators: argOperators(param),
      })),
      example: functionExample(name, def),
      extension: false,
    })),
];

/** Entries whose name, description or parameters mention every word of the search (ignoring case). */
export function searchReference(entries: readonly ReferenceEntry[], search: string): ReferenceEntry[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  return entries.filter((e) => {
    const haystack = [e.name, e.name.replace(/_/g, " "), e.description, e.type, ...e.params.map((p) => p.name)]
      .join(" ")
      .toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/**
 * The query once the reference's example is put in: the example alone in an empty query; at the caret
 * where a condition can start there (after AND, OR, NOT or '('); otherwise joined to the end with AND.
 */
export function insertExample(text: string, caret: number, example: string): { text: string; caret: number } {
  if (text.trim() === "") return { text: example, caret: example.length };
  const at = Math.max(0, Math.min(caret, text.length));
  const before = text.slice(0, at);
  if (/(^|[\s(])(AND|OR|NOT)\s*$|\(\s*$/i.test(before)) {
    const rest = text.slice(at).replace(/^\s+/, "");
    const piece = `${/\s$/.test(before) ? "" : " "}${example}${rest ? " " : ""}`;
    return { text: before + piece + rest, caret: at + piece.length };
  }
  const next = `${text.replace(/\s+$/, "")} AND ${example}`;
  return { text: next, caret: next.length };
}
