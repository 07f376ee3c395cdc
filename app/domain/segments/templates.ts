// Ready segments a merchant adds with one click. Each is a query in Shopify's language that they can
// read and edit afterwards, so a template is only ever a starting point.

export type SegmentTemplate = {
  key: string;
  name: string;
  description: string;
  query: string;
  /** Set when the query uses something Tailored cannot evaluate yet: shown, not addable. */
  unavailable?: string;
};

export const TEMPLATES: readonly SegmentTemplate[] = [
  {
    key: "high-value",
    name: "High-value customers",
    description: "Spent $500 or more in total.",
    query: "amount_spent >= 500",
  },
  {
    key: "loyal",
    name: "Loyal customers",
    description: "Five or more orders, the latest within six months.",
    query: "number_of_orders >= 5 AND last_order_date >= -6m",
  },
  {
    key: "new",
    name: "New customers",
    description: "First order within the last 30 days.",
    query: "first_order_date >= -30d",
  },
  { key: "one-time", name: "One-time buyers", description: "Exactly one order so far.", query: "number_of_orders = 1" },
  { key: "repeat", name: "Repeat buyers", description: "Two or more orders.", query: "number_of_orders >= 2" },
  {
    key: "win-back",
    name: "Win-back (lapsed)",
    description: "Ordered before, but not in the last six months.",
    query: "number_of_orders >= 1 AND last_order_date < -6m",
  },
  {
    key: "at-risk",
    name: "At risk",
    description: "Repeat customers whose last order was three to six months ago.",
    query: "number_of_orders >= 2 AND last_order_date BETWEEN -6m AND -90d",
  },
  {
    key: "big-spenders",
    name: "Big spenders",
    description: "Average order of $150 or more.",
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
    description: "Spent $500 or more, and more likely than not to have stopped buying (medium or high churn risk).",
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
