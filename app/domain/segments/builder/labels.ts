// What the builder shows a merchant instead of the language's names: "Amount spent" for amount_spent,
// "is at least" for >=, grouped as Shopify's editor groups its filters. Every available attribute and
// function parameter has a label (a test holds that), and the ones Shopify's own editor does not know
// are marked, since a rule using them cannot be pasted there. Enum values: enumLabel (format.ts).
import {
  getAttribute,
  getFunction,
  type ArgOperator,
  type AttributeType,
  type ConditionOperator,
  type ParamType,
  type ATTRIBUTES,
  type FUNCTIONS,
} from "../attributes";

export const BUILDER_GROUPS = ["Orders", "Customer", "Marketing", "Predictions", "Browsing"] as const;
export type BuilderGroupName = (typeof BUILDER_GROUPS)[number];

type Labelled = { label: string; group: BuilderGroupName };

export const ATTRIBUTE_LABELS: Record<keyof typeof ATTRIBUTES, Labelled> = {
  amount_spent: { label: "Amount spent", group: "Orders" },
  number_of_orders: { label: "Number of orders", group: "Orders" },
  average_order_value: { label: "Average order value", group: "Orders" },
  first_order_date: { label: "First order date", group: "Orders" },
  last_order_date: { label: "Last order date", group: "Orders" },
  days_since_last_order: { label: "Days since last order", group: "Orders" },
  customer_added_date: { label: "Date added as a customer", group: "Customer" },
  customer_tags: { label: "Customer tags", group: "Customer" },
  customer_countries: { label: "Country", group: "Customer" },
  customer_regions: { label: "Region (state or province)", group: "Customer" },
  customer_cities: { label: "City", group: "Customer" },
  customer_email_domain: { label: "Email domain", group: "Customer" },
  email_subscription_status: { label: "Email subscription", group: "Marketing" },
  sms_subscription_status: { label: "SMS subscription", group: "Marketing" },
  rfm_group: { label: "RFM group", group: "Predictions" },
  lifecycle_stage: { label: "Lifecycle stage", group: "Predictions" },
  predicted_spend_tier: { label: "Predicted spend tier", group: "Predictions" },
  churn_risk: { label: "Churn risk", group: "Predictions" },
  expected_orders_90d: { label: "Expected orders in the next 90 days", group: "Predictions" },
  predicted_clv: { label: "Predicted spend in the next 12 months", group: "Predictions" },
  p_alive: { label: "Chance the customer still buys (0 to 1)", group: "Predictions" },
  cluster: { label: "Behaviour cluster", group: "Predictions" },
  sessions_count: { label: "Store visits", group: "Browsing" },
  last_seen_date: { label: "Last seen on the store", group: "Browsing" },
};

export const FUNCTION_LABELS: Record<keyof typeof FUNCTIONS, Labelled> = {
  products_purchased: { label: "Products purchased", group: "Orders" },
  orders_placed: { label: "Orders placed", group: "Orders" },
  products_viewed: { label: "Products viewed", group: "Browsing" },
  collections_viewed: { label: "Collections viewed", group: "Browsing" },
  searched: { label: "Searched the store", group: "Browsing" },
  abandoned_cart: { label: "Abandoned a cart", group: "Browsing" },
};

const PARAM_LABELS: Record<string, string> = {
  id: "product",
  tag: "product tag",
  product_type: "product type",
  vendor: "vendor",
  date: "date",
  quantity: "units in one order",
  sum_quantity: "units in total",
  count_at_least: "how many times (at least)",
  sum_amount: "total amount",
  query_contains: "search text contains",
  within_hours: "hours to complete the order",
};

/**
 * Names Shopify's segment editor does not know (its reference lists the others): Tailored computes
 * them from its own models or from the Web Pixel.
 */
const TAILORED_ONLY = new Set<string>([
  "days_since_last_order",
  "lifecycle_stage",
  "churn_risk",
  "expected_orders_90d",
  "predicted_clv",
  "p_alive",
  "cluster",
  "sessions_count",
  "last_seen_date",
  "products_viewed",
  "collections_viewed",
  "searched",
  "abandoned_cart",
]);

export const TAILORED_ONLY_NOTE = "Tailored only — not in Shopify's editor";

export function isTailoredOnly(name: string): boolean {
  return TAILORED_ONLY.has(name) || getAttribute(name)?.extension === true;
}

export function attributeLabel(name: string): string {
  return (ATTRIBUTE_LABELS as Record<string, Labelled | undefined>)[name]?.label ?? name;
}

export function functionLabel(name: string): string {
  return (FUNCTION_LABELS as Record<string, Labelled | undefined>)[name]?.label ?? name;
}

/** "product type"; a collection's id is a collection, not a product. */
export function paramLabel(fn: string, param: string): string {
  if (param === "id" && fn === "collections_viewed") return "collection";
  return PARAM_LABELS[param] ?? param;
}

/** "Products purchased: product type" */
export function fullParamLabel(fn: string, param: string): string {
  return `${functionLabel(fn)}: ${paramLabel(fn, param)}`;
}

/** Options for a grouped select (Polaris Select's sections), attributes or functions, in the groups' order. */
export function groupedChoices(
  what: "attribute" | "function",
): { title: BuilderGroupName; options: { value: string; label: string }[] }[] {
  const entries: [string, Labelled][] = Object.entries(what === "attribute" ? ATTRIBUTE_LABELS : FUNCTION_LABELS);
  const available = (name: string) =>
    what === "attribute" ? getAttribute(name)?.available === true : getFunction(name)?.available === true;
  return BUILDER_GROUPS.map((title) => ({
    title,
    options: entries
      .filter(([name, l]) => l.group === title && available(name))
      .map(([name, l]) => ({ value: name, label: isTailoredOnly(name) ? `${l.label} (Tailored only)` : l.label })),
  })).filter((g) => g.options.length > 0);
}

const WORDS: Record<ConditionOperator | ArgOperator, string> = {
  "=": "is",
  "!=": "is not",
  ">": "is more than",
  ">=": "is at least",
  "<": "is less than",
  "<=": "is at most",
  BETWEEN: "is between",
  "IS NULL": "is empty",
  "IS NOT NULL": "is not empty",
  CONTAINS: "contains",
  "NOT CONTAINS": "does not contain",
  IN: "is any of",
  "NOT IN": "is none of",
};

// Dates read as time, not size: "is after", not "is more than".
const DATE_WORDS: Partial<Record<ConditionOperator | ArgOperator, string>> = {
  "=": "is on",
  "!=": "is not on",
  ">": "is after",
  ">=": "is on or after",
  "<": "is before",
  "<=": "is on or before",
};

export function operatorLabel(operator: ConditionOperator | ArgOperator, type?: AttributeType | ParamType): string {
  if (type === "date") return DATE_WORDS[operator] ?? WORDS[operator];
  if (type === "string_list" && operator === "IS NULL") return "has none";
  if (type === "string_list" && operator === "IS NOT NULL") return "has any";
  return WORDS[operator];
}
