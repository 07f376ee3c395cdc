import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { anonymousOrderPayload } from "./anonymous-order";
import { mapOrderWebhook } from "./rest";

// Shopify's own orders/create sample, with a customer, addresses, a phone and a note.
const sample = fs.readFileSync(path.resolve(__dirname, "../../../tests/fixtures/webhooks/orders__create.json"), "utf8");
const withRefund = JSON.stringify({
  ...JSON.parse(sample),
  refunds: [
    {
      id: 1,
      note: "Maya asked by phone",
      user_id: 7,
      transactions: [{ kind: "refund", status: "success", amount: "5.00", currency: "CAD", receipt: { x: 1 } }],
      refund_line_items: [],
      order_adjustments: [],
    },
  ],
});

function personal(payload: string): string[] {
  const order = JSON.parse(payload);
  const c = order.customer ?? {};
  const a = order.billing_address ?? {};
  return [
    order.email,
    order.contact_email,
    order.phone,
    order.browser_ip,
    c.first_name,
    c.last_name,
    c.email,
    a.address1,
    a.phone,
  ].filter((v): v is string => typeof v === "string" && v.length > 2);
}

describe("anonymousOrderPayload", () => {
  it.each([
    ["the sample", sample],
    ["the sample with a refund", withRefund],
  ])("keeps %s as the same sale, without the person", (_name, payload) => {
    const needles = personal(payload);
    expect(needles.length).toBeGreaterThan(4);
    const anonymous = anonymousOrderPayload(payload)!;
    for (const needle of needles) expect(anonymous).not.toContain(needle);
    expect(anonymous).not.toMatch(/address|note|browser_ip|phone/);
    const before = mapOrderWebhook(JSON.parse(payload));
    const after = mapOrderWebhook(JSON.parse(anonymous));
    if (!before.ok || !after.ok) throw new Error("both must map");
    expect(after.value.customer).toBeNull();
    expect(after.value.order).toEqual({ ...before.value.order, customerId: null, email: null });
  });

  it.each([
    ["not JSON", "{"],
    ["an array", "[]"],
    ["a product", JSON.stringify({ id: 1, title: "Mug" })],
    ["an order whose lines do not fit", JSON.stringify({ ...JSON.parse(sample), line_items: "no" })],
  ])("answers null for %s", (_name, payload) => {
    expect(anonymousOrderPayload(payload)).toBeNull();
  });
});
