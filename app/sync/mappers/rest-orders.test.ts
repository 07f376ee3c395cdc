// The REST order mapper (rest.ts): orders/* webhook payloads, currencies and refunds.
import { describe, expect, it } from "vitest";
import { MAYA, ORDER_1001, value, webhook, type Json } from "./fixtures.testing";
import { mapOrderWebhook } from "./rest";

describe("mapOrderWebhook", () => {
  it("maps orders/create with its customer", () => {
    expect(mapOrderWebhook(webhook("orders/create"))).toEqual({
      ok: true,
      value: { order: ORDER_1001, customer: { ...MAYA, updatedAt: new Date("2025-03-14T14:22:05Z") } },
    });
  });

  it("converts a partial refund made in the presentment currency into shop money", () => {
    // 20.34 CAD back, at the order's rate 128.69 USD / 176.28 CAD = 14.8488… -> 14.85 USD, which is also
    // what the refund line items say in shop money.
    const { order, customer } = value(mapOrderWebhook(webhook("orders/updated")));
    expect(order).toEqual({
      ...ORDER_1001,
      updatedAt: new Date("2025-03-20T13:15:44Z"),
      refundedMinor: 1485n,
      financialStatus: "PARTIALLY_REFUNDED",
    });
    expect(customer).toEqual({ ...MAYA, updatedAt: new Date("2025-03-14T14:22:07Z") });
  });

  it("refunds the whole total on cancellation, to the cent, across currencies", () => {
    const { order } = value(mapOrderWebhook(webhook("orders/cancelled")));
    expect(order).toEqual({
      ...ORDER_1001,
      updatedAt: new Date("2025-03-21T15:02:30Z"),
      cancelledAt: new Date("2025-03-21T15:02:30Z"),
      refundedMinor: 12869n,
      financialStatus: "REFUNDED",
    });
  });

  it("maps a guest order", () => {
    const payload = { ...webhook("orders/paid"), customer: null };
    expect(value(mapOrderWebhook(payload))).toEqual({
      order: { ...ORDER_1001, customerId: null, updatedAt: new Date("2025-03-14T20:40:12Z"), financialStatus: "PAID" },
      customer: null,
    });
    const { customer: _omitted, ...withoutKey } = webhook("orders/paid");
    expect(value(mapOrderWebhook(withoutKey)).order.customerId).toBeNull();
  });

  it("keeps the customer id but makes no row from a customer without timestamps", () => {
    // Shopify's own sample payload sends the embedded customer with created_at/updated_at null.
    const payload = webhook("orders/create");
    payload.customer.created_at = null;
    payload.customer.updated_at = null;
    expect(value(mapOrderWebhook(payload))).toEqual({ order: ORDER_1001, customer: null });
  });

  it("falls back to created_at without processed_at, to contact_email without email", () => {
    const payload = { ...webhook("orders/create"), processed_at: null, email: "", contact_email: "orders@example.com" };
    expect(value(mapOrderWebhook(payload)).order).toMatchObject({
      processedAt: new Date("2025-03-14T14:22:05Z"),
      email: "orders@example.com",
    });
  });

  it.each([
    ["paid", "PAID"],
    ["partially_refunded", "PARTIALLY_REFUNDED"],
    ["partially_paid", "PARTIALLY_PAID"],
    ["pending", "PENDING"],
    ["voided", "VOIDED"],
    ["expired", "EXPIRED"],
    ["something_new", null],
    [null, null],
  ])("financial_status %j -> %j", (status, expected) => {
    const payload = { ...webhook("orders/paid"), financial_status: status };
    expect(value(mapOrderWebhook(payload)).order.financialStatus).toBe(expected);
  });

  it("treats a payload without `test` as a live order", () => {
    const { test: _test, ...payload } = webhook("orders/paid");
    expect(value(mapOrderWebhook(payload)).order.test).toBe(false);
    expect(value(mapOrderWebhook({ ...payload, test: true })).order.test).toBe(true);
  });

  describe("refunds", () => {
    const tx = (amount: string, extra: Json = {}) => ({
      kind: "refund",
      status: "success",
      amount,
      currency: "CAD",
      ...extra,
    });
    const refund = (transactions: Json[], extra: Json = {}) => ({ transactions, ...extra });
    const moneyBag = (shop: string, presentment: string, presentmentCurrency = "CAD") => ({
      shop_money: { amount: shop, currency_code: "USD" },
      presentment_money: { amount: presentment, currency_code: presentmentCurrency },
    });
    const shopOnly = (amount: string) => ({ shop_money: { amount, currency_code: "USD" } });

    it.each<[string, Json[], bigint]>([
      ["a CAD refund, converted", [refund([tx("20.34")])], 1485n],
      ["currency null means presentment", [refund([tx("20.34", { currency: null })])], 1485n],
      ["a refund already in shop currency", [refund([tx("14.85", { currency: "USD" })])], 1485n],
      ["two refunds converted as one sum", [refund([tx("20.34")]), refund([tx("155.94")])], 12869n],
      [
        "failed and pending transactions don't count",
        [refund([tx("20.34", { status: "failure" }), tx("5.00", { status: "pending" })])],
        0n,
      ],
      ["only kind refund counts", [refund([tx("20.34", { kind: "void" })])], 0n],
      ["more than the total is clamped", [refund([tx("500.00")])], 12869n],
      ["a negative zero is zero", [refund([tx("-0.00")])], 0n],
      [
        "without transactions: line items and tax, less adjustments",
        [
          refund([], {
            refund_line_items: [{ subtotal_set: moneyBag("13.14", "18.00"), total_tax_set: moneyBag("1.71", "2.34") }],
            // A negative adjustment is money refunded beyond the line items (e.g. pre-2024-10 shipping).
            order_adjustments: [{ amount_set: moneyBag("-3.65", "-5.00"), tax_amount_set: shopOnly("0.00") }],
          }),
        ],
        1850n,
      ],
      [
        "a refund of line items for less than they cost",
        [
          refund([], {
            refund_line_items: [{ subtotal_set: shopOnly("87.60") }],
            order_adjustments: [{ amount_set: shopOnly("87.60") }],
          }),
        ],
        0n,
      ],
      ["no refunds key at all", [], 0n],
    ])("%s", (_name, refunds, expected) => {
      const payload = { ...webhook("orders/updated"), refunds };
      expect(value(mapOrderWebhook(payload)).order.refundedMinor).toBe(expected);
    });

    it.each([
      // 1 CAD cent at 1.00 USD / 2.00 CAD is half a US cent: rounds up; 3 cents -> 1.5 -> 2.
      ["0.01", 1n],
      ["0.02", 1n],
      ["0.03", 2n],
      ["1.99", 100n],
    ])("rounds %s CAD half up at 1 USD : 2 CAD", (amount, expected) => {
      const payload = {
        ...webhook("orders/updated"),
        total_price_set: moneyBag("1.00", "2.00"),
        refunds: [refund([tx(amount)])],
      };
      expect(value(mapOrderWebhook(payload)).order.refundedMinor).toBe(expected);
    });

    it("converts between currencies with different minor units", () => {
      // 1,000 JPY back on a 19,000 JPY / 128.69 USD order: 12869 × 1000 / 19000 = 677.3 cents.
      const payload = {
        ...webhook("orders/updated"),
        presentment_currency: "JPY",
        total_price_set: moneyBag("128.69", "19000", "JPY"),
        refunds: [refund([tx("1000", { currency: "JPY" })])],
      };
      expect(value(mapOrderWebhook(payload)).order.refundedMinor).toBe(677n);
    });

    it("single-currency orders need no presentment money", () => {
      const payload = {
        ...webhook("orders/updated"),
        presentment_currency: "USD",
        total_price_set: shopOnly("128.69"),
        refunds: [refund([tx("14.85", { currency: null })])],
      };
      expect(value(mapOrderWebhook(payload)).order.refundedMinor).toBe(1485n);
    });

    it.each<[string, Json, string]>([
      [
        "a transaction in a third currency",
        { refunds: [refund([tx("1.00", { currency: "EUR" })])] },
        "order.refunds[0].transactions[0].currency: expected CAD or USD",
      ],
      [
        "presentment refunds without presentment totals",
        { total_price_set: shopOnly("128.69"), refunds: [refund([tx("1.00")])] },
        "order.total_price_set.presentment_money: expected an object (needed to convert refunds)",
      ],
      [
        "a refund amount that isn't a decimal string",
        { refunds: [refund([tx("20,34")])] },
        "order.refunds[0].transactions[0].amount: expected a decimal amount",
      ],
      [
        "refund line items in another currency than the shop's",
        {
          refunds: [
            refund([], {
              refund_line_items: [{ subtotal_set: { shop_money: { amount: "1.00", currency_code: "EUR" } } }],
            }),
          ],
        },
        "order.refunds[0].refund_line_items[0].subtotal_set.shop_money.currency_code: expected the shop currency USD, got EUR",
      ],
      // Money refunded is never negative (issue 10): such a payload fails, it is not clamped to 0.
      [
        "a negative refund transaction",
        { refunds: [refund([tx("-3.00")])] },
        "order.refunds[0].transactions[0].amount: expected an amount of at least 0",
      ],
      [
        "a negative refunded line subtotal",
        { refunds: [refund([], { refund_line_items: [{ subtotal_set: shopOnly("-87.60") }] })] },
        "order.refunds[0].refund_line_items[0].subtotal_set.shop_money.amount: expected an amount of at least 0",
      ],
      [
        "negative refunded tax",
        {
          refunds: [
            refund([], { refund_line_items: [{ subtotal_set: shopOnly("1.00"), total_tax_set: shopOnly("-0.13") }] }),
          ],
        },
        "order.refunds[0].refund_line_items[0].total_tax_set.shop_money.amount: expected an amount of at least 0",
      ],
    ])("rejects %s", (_name, patch, error) => {
      expect(mapOrderWebhook({ ...webhook("orders/updated"), ...patch })).toEqual({ ok: false, error });
    });
  });
});
