// The catalogue of what a segment rule may talk about. Names and value spellings follow Shopify's
// customer segment filters (help.shopify.com "Shopify-based customer segment filters", shopify.dev
// "Segment query language reference") so a rule can be pasted into, or copied from, the Shopify
// admin editor. Attributes Tailored computes itself (lifecycle_stage, days_since_last_order, the
// predictive ones) use the same conventions: snake_case names, UPPER_CASE enum values.

export type AttributeType = "number" | "money" | "date" | "string" | "string_list" | "enum" | "boolean";

export interface AttributeDef {
  type: AttributeType;
  description: string;
  /** Canonical spellings; input is matched case-insensitively and normalised to these. */
  enumValues?: readonly string[];
  /** Counts are whole numbers; `number_of_orders > 2.5` is a typo, not a threshold. */
  integer?: boolean;
  /**
   * False for attributes reserved for models that do not exist yet: the parser reports them as
   * "not available yet" instead of "unknown" so a merchant who read about them is not told they
   * misspelled the name.
   */
  available: boolean;
  /**
   * Not in Shopify's segment language: Tailored's own (the builder says so). A rule using it cannot
   * be pasted into Shopify's editor.
   */
  extension?: boolean;
}

export const SUBSCRIPTION_STATUSES = [
  "SUBSCRIBED",
  "NOT_SUBSCRIBED",
  "UNSUBSCRIBED",
  "PENDING",
  "REDACTED",
  "INVALID",
] as const;

// Shopify's CustomerRfmGroup enum (Admin GraphQL), same spelling as in segment queries.
export const RFM_GROUPS = [
  "CHAMPIONS",
  "LOYAL",
  "ACTIVE",
  "NEW",
  "PROMISING",
  "NEEDS_ATTENTION",
  "AT_RISK",
  "ALMOST_LOST",
  "PREVIOUSLY_LOYAL",
  "DORMANT",
  "PROSPECTS",
] as const;

// Upper case like every Shopify segment enum, so rules read uniformly.
export const LIFECYCLE_STAGES = ["PROSPECT", "NEW", "REPEAT", "LOYAL", "LAPSING", "LAPSED"] as const;

export const TIERS = ["HIGH", "MEDIUM", "LOW"] as const;

export const ATTRIBUTES = {
  amount_spent: {
    type: "money",
    description: "Total amount the customer has spent in the shop currency",
    available: true,
  },
  number_of_orders: {
    type: "number",
    integer: true,
    description: "Number of orders the customer has placed",
    available: true,
  },
  average_order_value: {
    type: "money",
    description: "Amount spent divided by number of orders",
    available: true,
  },
  first_order_date: { type: "date", description: "Date of the customer's first order", available: true },
  last_order_date: { type: "date", description: "Date of the customer's most recent order", available: true },
  customer_added_date: { type: "date", description: "Date the customer was added to the shop", available: true },
  days_since_last_order: {
    type: "number",
    integer: true,
    description: "Whole days since the customer's most recent order",
    available: true,
  },
  customer_tags: { type: "string_list", description: "Tags on the customer", available: true },
  customer_countries: {
    type: "string_list",
    description: "ISO country codes of the customer's addresses, e.g. 'DE'",
    available: true,
  },
  customer_regions: {
    type: "string_list",
    description: "Region codes of the customer's addresses, e.g. 'US-NY'",
    available: true,
  },
  customer_cities: {
    type: "string_list",
    description: "City codes of the customer's addresses, e.g. 'US-NY-NewYorkCity'",
    available: true,
  },
  customer_email_domain: {
    type: "string",
    description: "Domain of the customer's email address, e.g. 'gmail.com'",
    available: true,
  },
  email_subscription_status: {
    type: "enum",
    enumValues: SUBSCRIPTION_STATUSES,
    description: "Email marketing consent",
    available: true,
  },
  sms_subscription_status: {
    type: "enum",
    enumValues: SUBSCRIPTION_STATUSES,
    description: "SMS marketing consent",
    available: true,
  },
  rfm_group: {
    type: "enum",
    enumValues: RFM_GROUPS,
    description: "Shopify's recency/frequency/monetary group",
    available: true,
  },
  lifecycle_stage: {
    type: "enum",
    enumValues: LIFECYCLE_STAGES,
    description: "Tailored's lifecycle stage for the customer",
    available: true,
  },
  predicted_spend_tier: {
    type: "enum",
    enumValues: TIERS,
    description: "Predicted spend over the next 12 months, as Shopify's tiers (HIGH, MEDIUM, LOW)",
    available: true,
  },
  churn_risk: {
    type: "enum",
    enumValues: TIERS,
    description: "Risk that the customer has stopped buying: LOW, MEDIUM or HIGH",
    available: true,
  },
  expected_orders_90d: {
    type: "number",
    description: "Orders the customer is expected to place in the next 90 days",
    available: true,
  },
  predicted_clv: {
    type: "money",
    description: "Predicted spend over the next 12 months (customer lifetime value)",
    available: true,
  },
  p_alive: {
    type: "number",
    description: "Probability, 0 to 1, that the customer still buys from the shop (Tailored extension)",
    available: true,
    extension: true,
  },
  cluster: {
    type: "string",
    description: "Name of the customer's behavioural cluster, e.g. 'frequent, high spend' (Tailored extension)",
    available: true,
    extension: true,
  },
  // Browsing, from the Web Pixel (app/pixel/, engine/behaviour.ts).
  sessions_count: {
    type: "number",
    integer: true,
    description: "Storefront visits (browser sessions) seen by the Web Pixel",
    available: true,
  },
  last_seen_date: { type: "date", description: "When the Web Pixel last saw the customer", available: true },
} as const satisfies Record<string, AttributeDef>;

export type AttributeName = keyof typeof ATTRIBUTES;

// Function parameters carry their own comparison, as in Shopify's `MATCHES (quantity > 5)` form.
export type ParamType = "id" | "string" | "number" | "money" | "date";

export interface ParamDef {
  type: ParamType;
  description: string;
  integer?: boolean;
  /** Fewer operators than its type allows (see argOperators). */
  operators?: readonly ArgOperator[];
}

export interface FunctionDef {
  description: string;
  params: Record<string, ParamDef>;
  available: boolean;
}

export const FUNCTIONS = {
  products_purchased: {
    description: "Customers who bought matching products",
    available: true,
    params: {
      id: { type: "id", description: "Product ID" },
      tag: { type: "string", description: "Product tag" },
      product_type: { type: "string", description: "Product type" },
      vendor: { type: "string", description: "Product vendor" },
      date: { type: "date", description: "When the order was placed" },
      quantity: { type: "number", integer: true, description: "Units bought in one order" },
      sum_quantity: { type: "number", integer: true, description: "Units bought in total" },
    },
  },
  orders_placed: {
    description: "Customers who placed matching orders",
    available: true,
    params: {
      // Shopify's spelling is "count_at_least = 3": the name already says "at least", so another
      // operator would mean something other than what it reads as.
      count_at_least: {
        type: "number",
        integer: true,
        operators: ["="],
        description: "Minimum number of matching orders",
      },
      sum_amount: { type: "money", description: "Total amount of the matching orders" },
      date: { type: "date", description: "When the order was placed" },
    },
  },
  // Browsing, from the Web Pixel (engine/behaviour.ts). Product filters spelled as products_purchased's.
  products_viewed: {
    description: "Customers who viewed matching products",
    available: true,
    params: {
      id: { type: "id", description: "Product ID" },
      tag: { type: "string", description: "Product tag" },
      product_type: { type: "string", description: "Product type" },
      vendor: { type: "string", description: "Product vendor" },
      date: { type: "date", description: "When the product was viewed" },
      count_at_least: {
        type: "number",
        integer: true,
        operators: ["="],
        description: "Minimum number of matching views",
      },
    },
  },
  collections_viewed: {
    description: "Customers who viewed matching collections",
    available: true,
    params: {
      id: { type: "id", description: "Collection ID" },
      date: { type: "date", description: "When the collection was viewed" },
      count_at_least: {
        type: "number",
        integer: true,
        operators: ["="],
        description: "Minimum number of matching views",
      },
    },
  },
  searched: {
    description: "Customers who searched the storefront",
    available: true,
    params: {
      query_contains: { type: "string", operators: ["="], description: "Text the search query contains" },
      date: { type: "date", description: "When they searched" },
    },
  },
  abandoned_cart: {
    description: "Customers who added to cart or started checkout without ordering within the window",
    available: true,
    params: {
      date: { type: "date", description: "When they added to cart or started checkout" },
      within_hours: {
        type: "number",
        integer: true,
        operators: ["="],
        description: "Hours an order may follow and still count as completing the cart (default 24)",
      },
    },
  },
} as const satisfies Record<string, FunctionDef>;

export type FunctionName = keyof typeof FUNCTIONS;

export function getAttribute(name: string): AttributeDef | undefined {
  return Object.prototype.hasOwnProperty.call(ATTRIBUTES, name)
    ? (ATTRIBUTES as Record<string, AttributeDef>)[name]
    : undefined;
}

export function getFunction(name: string): FunctionDef | undefined {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name)
    ? (FUNCTIONS as Record<string, FunctionDef>)[name]
    : undefined;
}

export function getParam(fn: FunctionDef, name: string): ParamDef | undefined {
  return Object.prototype.hasOwnProperty.call(fn.params, name) ? fn.params[name] : undefined;
}

/** How error messages name a type: "'CONTAINS' does not apply to amount_spent (a number)". */
export const TYPE_LABELS: Record<AttributeType | ParamType, string> = {
  number: "a number",
  money: "a number",
  date: "a date",
  string: "text",
  string_list: "a list",
  enum: "a fixed set of values",
  boolean: "true or false",
  id: "an ID",
};

export type ComparisonOperator = "=" | "!=" | ">" | ">=" | "<" | "<=";
export type ConditionOperator =
  ComparisonOperator | "BETWEEN" | "IS NULL" | "IS NOT NULL" | "CONTAINS" | "NOT CONTAINS" | "IN" | "NOT IN";
export type ArgOperator = ComparisonOperator | "BETWEEN" | "IN" | "NOT IN";

const ORDERED: readonly ConditionOperator[] = ["=", "!=", ">", ">=", "<", "<=", "BETWEEN", "IS NULL", "IS NOT NULL"];

// Shopify lists CONTAINS/NOT CONTAINS for the list filters (tags, countries, cities) and plain
// equality for enums and text; ordering comparisons only make sense for numbers and dates. IN / NOT IN
// on enums and text (`rfm_group IN ('CHAMPIONS', 'LOYAL')`) is "is any of" / "is none of" (decision 030).
export const OPERATORS_BY_TYPE: Record<AttributeType, readonly ConditionOperator[]> = {
  number: ORDERED,
  money: ORDERED,
  date: ORDERED,
  string: ["=", "!=", "IN", "NOT IN", "IS NULL", "IS NOT NULL"],
  string_list: ["CONTAINS", "NOT CONTAINS", "IS NULL", "IS NOT NULL"],
  enum: ["=", "!=", "IN", "NOT IN", "IS NULL", "IS NOT NULL"],
  boolean: ["=", "!="],
};

export const ARG_OPERATORS_BY_TYPE: Record<ParamType, readonly ArgOperator[]> = {
  id: ["=", "!=", "IN", "NOT IN"],
  string: ["=", "!=", "IN", "NOT IN"],
  number: ["=", "!=", ">", ">=", "<", "<=", "BETWEEN"],
  money: ["=", "!=", ">", ">=", "<", "<=", "BETWEEN"],
  date: ["=", "!=", ">", ">=", "<", "<=", "BETWEEN"],
};

/** The operators a function parameter takes: its type's, or fewer where the parameter says so. */
export function argOperators(param: ParamDef): readonly ArgOperator[] {
  return param.operators ?? ARG_OPERATORS_BY_TYPE[param.type];
}

/**
 * Edit distance counting a swap of neighbours as one edit ("tga" -> "tag"), the commonest typo.
 * Capped, and only used to suggest near misses among short catalogue names.
 */
export function editDistance(a: string, b: string, cap = 4): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (before[j - 2] ?? 0) + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > cap) return cap + 1;
    before = prev;
    prev = cur;
  }
  return prev[b.length] ?? cap + 1;
}

/** The closest candidate if it is close enough to be a plausible typo. */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  if (input.length > 64) return undefined;
  const needle = input.toLowerCase();
  const cap = Math.max(1, Math.min(3, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = cap + 1;
  for (const candidate of candidates) {
    const d = editDistance(needle, candidate.toLowerCase(), cap);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
