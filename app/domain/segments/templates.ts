// Ready segments a merchant adds with one click. Each is a query in Shopify's language that they can
// read and edit afterwards, so a template is only ever a starting point. A template named after a
// lifecycle stage (loyal, lapsing, lapsed) selects that stage, so the word means one thing in the app
// (decision 034); its description is written with the shop's thresholds.
import type { LifecycleThresholds } from "./engine/lifecycle";

export type SegmentTemplate = {
  key: string;
  name: string;
  description: string;
  query: string;
  /** Set when the query uses something Tailored cannot evaluate yet: shown, not addable. */
  unavailable?: string;
  /** The description in the shop's terms: its lifecycle thresholds, amounts in its currency. */
  describe?: (shop: TemplateShop) => string;
};

export type TemplateShop = { lifecycle: LifecycleThresholds; money: (amount: number) => string };

/** A template's description for one shop. */
export function describeTemplate(template: SegmentTemplate, shop: TemplateShop): string {
  return template.describe ? template.describe(shop) : template.description;
}

export const TEMPLATES: readonly SegmentTemplate[] = [
  {
    key: "high-value",
    name: "High-value customers",
    description: "Spent 500 or more in total, in the shop's currency.",
    describe: ({ money }) => `Spent ${money(500)} or more in total.`,
    query: "amount_spent >= 500",
  },
  {
    key: "loyal",
    name: "Loyal customers",
    description: "The Loyal lifecycle stage: the orders and recency set in Settings.",
    describe: ({ lifecycle: t }) =>
      `The Loyal lifecycle stage: ${t.loyalOrders} or more orders, the latest within ${t.lapsingDays} days (set in Settings).`,
    query: "lifecycle_stage = 'LOYAL'",
  },
  {
    key: "new",
    name: "First order in the last 30 days",
    description: "Customers whose first order was within the last 30 days, however many they placed since.",
    query: "first_order_date >= -30d",
  },
  { key: "one-time", name: "One-time buyers", description: "Exactly one order so far.", query: "number_of_orders = 1" },
  { key: "repeat", name: "Repeat buyers", description: "Two or more orders.", query: "number_of_orders >= 2" },
  {
    key: "win-back",
    name: "Win-back (lapsed)",
    description: "The Lapsed lifecycle stage: ordered before, but not within the days set in Settings.",
    describe: ({ lifecycle: t }) =>
      `The Lapsed lifecycle stage: ordered before, but not in the last ${t.lapsedDays} days (set in Settings).`,
    query: "lifecycle_stage = 'LAPSED'",
  },
  {
    key: "at-risk",
    name: "Lapsing repeat buyers",
    description: "The Lapsing lifecycle stage, for customers with two or more orders.",
    describe: ({ lifecycle: t }) =>
      `Two or more orders, the last ${t.lapsingDays} to ${t.lapsedDays} days ago: the Lapsing lifecycle stage (set in Settings).`,
    query: "lifecycle_stage = 'LAPSING' AND number_of_orders >= 2",
  },
  {
    key: "big-spenders",
    name: "Big spenders",
    description: "Average order of 150 or more, in the shop's currency.",
    describe: ({ money }) => `Average order of ${money(150)} or more.`,
    query: "average_order_value >= 150",
  },
  {
    key: "local",
    name: "Local customers",
    description: "Customers in one country; change 'US' to yours.",
    query: "customer_countries CONTAINS 'US'",
  },
  {
    key: "email-subscribers",
    name: "Email subscribers",
    description: "Agreed to receive marketing email.",
    query: "email_subscription_status = 'SUBSCRIBED'",
  },
  {
    key: "prospects",
    name: "Never ordered (prospects)",
    description: "Customers without an order yet.",
    query: "number_of_orders = 0",
  },
  {
    key: "category-fans",
    name: "Category fans",
    description: "Bought two or more items of one product type; change the type to yours.",
    query: "products_purchased MATCHES (product_type = 'Coffee Beans', sum_quantity >= 2)",
  },
  // Browsing, from the Web Pixel (issue 14).
  {
    key: "browsed-not-bought",
    name: "Browsed but did not buy",
    description: "Viewed products in the last 7 days without ordering in that time.",
    query: "products_viewed MATCHES (date >= -7d) AND orders_placed NOT MATCHES (date >= -7d)",
  },
  {
    key: "cart-abandoners",
    name: "Cart abandoners (7 days)",
    description: "Added to cart or started checkout in the last 7 days, with no order within a day.",
    query: "abandoned_cart MATCHES (date >= -7d)",
  },
  {
    key: "window-shoppers",
    name: "Window shoppers",
    description: "Three or more visits to the store, never an order.",
    query: "sessions_count >= 3 AND number_of_orders = 0",
  },
  {
    key: "category-browsers",
    name: "Category browsers",
    description: "Viewed one product type three or more times in 30 days; change the type to yours.",
    query: "products_viewed MATCHES (product_type = 'Coffee Beans', count_at_least = 3, date >= -30d)",
  },
  // From the shop's predictions (app/models/predictions): empty until the models have been fitted.
  {
    key: "likely-to-buy-soon",
    name: "Likely to buy soon",
    description: "Expected to place at least one order in the next 90 days.",
    query: "expected_orders_90d >= 1",
  },
  {
    key: "high-value-at-risk",
    name: "High value at risk",
    description: "Spent 500 or more, and more likely than not to have stopped buying (medium or high churn risk).",
    describe: ({ money }) =>
      `Spent ${money(500)} or more, and more likely than not to have stopped buying (medium or high churn risk).`,
    query: "amount_spent >= 500 AND churn_risk != 'LOW'",
  },
  {
    key: "predicted-top-spenders",
    name: "Predicted top spenders",
    description: "The highest predicted spend over the next 12 months.",
    query: "predicted_spend_tier = 'HIGH'",
  },
];

export function templateByKey(key: string): SegmentTemplate | undefined {
  return TEMPLATES.find((t) => t.key === key);
}
