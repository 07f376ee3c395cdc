import { describe, expect, it } from "vitest";
import { nativeSegmentCheck } from "./native-segment";

describe("nativeSegmentCheck", () => {
  it("offers a rule of Shopify's own attributes and functions, as written", () => {
    for (const query of [
      "amount_spent > 100",
      "customer_tags CONTAINS 'vip' AND email_subscription_status = 'SUBSCRIBED'",
      "number_of_orders >= 2 OR last_order_date > -30d",
      "products_purchased(tag: 'shoes') = true",
      "customer_countries CONTAINS 'FR'",
    ]) {
      expect([query, nativeSegmentCheck(query)]).toEqual([query, { ok: true, query }]);
    }
  });

  it("refuses Tailored's extensions with the reason, wherever they sit in the rule", () => {
    const cases: [string, RegExp][] = [
      ["rfm_group = 'CHAMPIONS'", /rfm_group.*Tailored computes itself/],
      ["amount_spent > 10 AND (number_of_orders > 1 OR p_alive > 0.5)", /p_alive/],
      ["cluster = 'frequent, high spend'", /cluster/],
      ["predicted_spend_tier = 'HIGH'", /predicted_spend_tier/],
      ["lifecycle_stage = 'LAPSED'", /lifecycle_stage/],
      ["products_viewed(tag: 'shoes') = true", /products_viewed\(…\)/],
      ["products_purchased MATCHES (sum_quantity > 3)", /products_purchased\(sum_quantity: …\)/],
    ];
    for (const [query, reason] of cases) {
      const check = nativeSegmentCheck(query);
      expect(check.ok, query).toBe(false);
      expect(check.ok ? "" : check.reason, query).toMatch(reason);
    }
  });

  it("refuses a rule that does not parse", () => {
    expect(nativeSegmentCheck("amount_spent >")).toEqual({
      ok: false,
      reason: "The rule does not parse; fix it first",
    });
  });
});
