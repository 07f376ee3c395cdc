import { TOPICS } from "../topics";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CustomerRow, OrderRow } from "~/domain/rows";
import {
  BULK_CUSTOMERS_QUERY,
  BULK_ORDERS_QUERY,
  BULK_PRODUCTS_QUERY,
  CUSTOMERS_UPDATED_SINCE_QUERY,
  ORDERS_UPDATED_SINCE_QUERY,
} from "../bulk-queries";
import { mapCustomerNode, mapLineItemNode, mapOrderNode, mapProductNode } from "./graphql";
import {
  customerWebhookGaps,
  mapCustomerTagsWebhook,
  mapCustomerWebhook,
  mapDeleteWebhook,
  mapEmailConsentWebhook,
  mapSmsConsentWebhook,
  mapOrderWebhook,
  mapProductWebhook,
} from "./rest";
import { legacyId, type MapResult } from "./shared";

// Fresh copies every time: tests edit them.
type Json = Record<string, any>;
const FIXTURES = new URL("../../../tests/fixtures/", import.meta.url);
const webhook = (topic: string): Json =>
  JSON.parse(readFileSync(new URL(`webhooks/${topic.replace("/", "__")}.json`, FIXTURES), "utf8"));
const jsonl = (name: string): Json[] =>
  readFileSync(new URL(`bulk/${name}.jsonl`, FIXTURES), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));

function value<T>(result: MapResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error}`);
  return result.value;
}

const MAYA: CustomerRow = {
  id: "7731250036789",
  email: "maya.patel@example.com",
  firstName: "Maya",
  lastName: "Patel",
  countryCode: "CA",
  provinceCode: "ON",
  city: "Toronto",
  tags: [],
  emailMarketingState: "NOT_SUBSCRIBED",
  smsMarketingState: "NOT_SUBSCRIBED",
  createdAt: new Date("2025-02-02T18:05:44Z"),
  updatedAt: new Date("2025-02-02T18:05:44Z"),
};

// #1001: presented in CAD (176.28), shop currency USD (128.69).
const ORDER_1001: OrderRow = {
  id: "6012345678901",
  name: "#1001",
  customerId: "7731250036789",
  email: "maya.patel@example.com",
  createdAt: new Date("2025-03-14T14:22:05Z"),
  processedAt: new Date("2025-03-14T14:22:05Z"),
  updatedAt: new Date("2025-03-14T14:22:05Z"),
  cancelledAt: null,
  currencyCode: "USD",
  totalMinor: 12869n,
  refundedMinor: 0n,
  financialStatus: "AUTHORIZED",
  test: false,
  lines: [
    {
      id: "14567890123456",
      productId: "8412345678901",
      variantId: "45123456789012",
      title: "Merino Crew Sweater",
      sku: "NL-MCS-NAVY-M",
      productType: null,
      vendor: "Northloom",
      quantity: 1,
      priceMinor: 8760n,
    },
    {
      id: "14567890123489",
      productId: "8412345678934",
      variantId: "45123456789045",
      title: "Wool Hiking Socks",
      sku: "NL-WHS-GRY",
      productType: null,
      vendor: "Northloom",
      quantity: 2,
      priceMinor: 1314n,
    },
  ],
};

describe("webhook fixtures", () => {
  const topics = TOPICS;

  it("has one fixture per topic and nothing else", () => {
    const files = readdirSync(new URL("webhooks/", FIXTURES)).sort();
    expect(files).toEqual(topics.map((t) => `${t.replace("/", "__")}.json`).sort());
  });

  it.each([
    ["customers/create", (p: unknown) => mapCustomerWebhook(p)],
    ["customers/update", (p: unknown) => mapCustomerWebhook(p)],
    ["customers/delete", (p: unknown) => mapDeleteWebhook(p)],
    ["orders/create", (p: unknown) => mapOrderWebhook(p)],
    ["orders/updated", (p: unknown) => mapOrderWebhook(p)],
    ["orders/paid", (p: unknown) => mapOrderWebhook(p)],
    ["orders/cancelled", (p: unknown) => mapOrderWebhook(p)],
    ["orders/delete", (p: unknown) => mapDeleteWebhook(p)],
    ["products/create", (p: unknown) => mapProductWebhook(p, "USD")],
    ["products/update", (p: unknown) => mapProductWebhook(p, "USD")],
    ["products/delete", (p: unknown) => mapDeleteWebhook(p)],
    ["customer.tags_added", (p: unknown) => mapCustomerTagsWebhook(p)],
    ["customer.tags_removed", (p: unknown) => mapCustomerTagsWebhook(p)],
    ["customers_email_marketing_consent/update", (p: unknown) => mapEmailConsentWebhook(p)],
    ["customers_marketing_consent/update", (p: unknown) => mapSmsConsentWebhook(p)],
  ])("%s maps", (topic, map) => {
    const result = map(webhook(topic));
    expect(result.ok ? "ok" : result.error).toBe("ok");
  });

  it("tells one story: one shop, one customer, one order updated in sequence", () => {
    for (const topic of ["customers/data_request", "customers/redact", "shop/redact"]) {
      expect(webhook(topic)).toMatchObject({ shop_id: 87654321098, shop_domain: "fixture-shop.myshopify.com" });
    }
    expect(webhook("app/uninstalled")).toMatchObject({
      id: 87654321098,
      myshopify_domain: "fixture-shop.myshopify.com",
    });
    expect(webhook("app/scopes_update").shop_id).toBe("gid://shopify/Shop/87654321098");
    expect(webhook("customers/redact").customer.id).toBe(7731250036789);
    expect(webhook("customers/redact").orders_to_redact).toEqual([6012345678901]);

    const orders = ["orders/create", "orders/paid", "orders/updated", "orders/cancelled"].map(
      (topic) => value(mapOrderWebhook(webhook(topic))).order,
    );
    expect(new Set(orders.map((o) => o.id))).toEqual(new Set(["6012345678901"]));
    expect(new Set(orders.map((o) => o.customerId))).toEqual(new Set([MAYA.id]));
    const times = orders.map((o) => o.updatedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(4);
    expect(orders.map((o) => [o.financialStatus, o.refundedMinor])).toEqual([
      ["AUTHORIZED", 0n],
      ["PAID", 0n],
      ["PARTIALLY_REFUNDED", 1485n],
      ["REFUNDED", 12869n],
    ]);
    expect(value(mapDeleteWebhook(webhook("orders/delete")))).toEqual({ id: "6012345678901" });
    expect(value(mapDeleteWebhook(webhook("products/delete")))).toEqual({ id: "8412345678901" });
    // A customer with orders can't be deleted, so customers/delete is about someone else.
    expect(value(mapDeleteWebhook(webhook("customers/delete")))).toEqual({ id: "7731250069557" });
  });
});

describe("mapCustomerWebhook", () => {
  it("maps customers/create", () => {
    expect(mapCustomerWebhook(webhook("customers/create"))).toEqual({ ok: true, value: MAYA });
  });

  it("maps customers/update, and says which fields 2025-07 payloads leave out", () => {
    const payload = webhook("customers/update");
    expect(value(mapCustomerWebhook(payload))).toEqual({ ...MAYA, updatedAt: new Date("2025-03-14T14:22:07Z") });
    expect(customerWebhookGaps(payload)).toEqual(["tags", "emailMarketingState", "smsMarketingState"]);
  });

  // Payloads from before 2025-01 (and other API versions' consumers) still carry tags and consent.
  it.each([
    [{ state: "subscribed" }, null, "SUBSCRIBED", "NOT_SUBSCRIBED"],
    [{ state: "not_subscribed" }, { state: "pending" }, "NOT_SUBSCRIBED", "PENDING"],
    [{ state: "unsubscribed" }, { state: "redacted" }, "UNSUBSCRIBED", "REDACTED"],
    [{ state: "invalid" }, undefined, "INVALID", "NOT_SUBSCRIBED"],
    [null, { state: "subscribed" }, "NOT_SUBSCRIBED", "SUBSCRIBED"],
    [{ state: null }, { state: "unsubscribed" }, "NOT_SUBSCRIBED", "UNSUBSCRIBED"],
  ])("email consent %j, sms %j -> %s / %s", (email, sms, emailState, smsState) => {
    const payload = { ...webhook("customers/create"), email_marketing_consent: email, sms_marketing_consent: sms };
    const row = value(mapCustomerWebhook(payload));
    expect([row.emailMarketingState, row.smsMarketingState]).toEqual([emailState, smsState]);
  });

  it("normalizes tags and blanks", () => {
    const payload = {
      ...webhook("customers/create"),
      tags: " vip, wholesale ,vip,, ",
      first_name: "",
      last_name: "  ",
    };
    expect(value(mapCustomerWebhook(payload))).toMatchObject({
      tags: ["vip", "wholesale"],
      firstName: null,
      lastName: null,
    });
    expect(customerWebhookGaps(payload)).toEqual(["emailMarketingState", "smsMarketingState"]);
  });

  it("gives null address fields without a default address", () => {
    const payload = { ...webhook("customers/create"), default_address: null, addresses: [] };
    expect(value(mapCustomerWebhook(payload))).toMatchObject({ countryCode: null, provinceCode: null, city: null });
  });
});

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

describe("mapProductWebhook", () => {
  const SWEATER = {
    id: "8412345678901",
    handle: "merino-crew-sweater",
    title: "Merino Crew Sweater",
    productType: "Sweaters",
    vendor: "Northloom",
    tags: ["merino", "sweaters", "winter"],
    status: "ACTIVE",
    imageUrl: "https://cdn.shopify.com/s/files/1/0612/3456/7890/files/merino-crew-navy.jpg?v=1737382814",
    priceMinor: 8800n,
    createdAt: new Date("2025-01-20T14:12:33Z"),
    updatedAt: new Date("2025-03-03T19:48:19Z"),
  };

  it("maps products/update (lowest variant price: S–L 88.00, XL 96.00)", () => {
    expect(mapProductWebhook(webhook("products/update"), "USD")).toEqual({ ok: true, value: SWEATER });
  });

  it("maps products/create, a draft without images yet", () => {
    expect(value(mapProductWebhook(webhook("products/create"), "USD"))).toEqual({
      ...SWEATER,
      tags: ["merino", "sweaters"],
      status: "DRAFT",
      imageUrl: null,
      priceMinor: 9200n,
      updatedAt: new Date("2025-01-20T14:12:33Z"),
    });
  });

  it("needs the shop currency for the price: REST product payloads don't carry one", () => {
    expect(value(mapProductWebhook(webhook("products/update"))).priceMinor).toBeNull();
    const yen = { ...webhook("products/update"), variants: [{ price: "1500.00" }, { price: "1200.00" }] };
    expect(value(mapProductWebhook(yen, "JPY")).priceMinor).toBe(1200n);
    expect(mapProductWebhook(webhook("products/update"), "usd")).toEqual({
      ok: false,
      error: "shopCurrency: expected a currency code",
    });
  });

  it.each<[string, Json, string | null]>([
    ["image", {}, SWEATER.imageUrl],
    [
      "images[0] when image is null",
      { image: null, images: [{ src: "https://cdn.example.com/a.jpg" }] },
      "https://cdn.example.com/a.jpg",
    ],
    [
      "media preview as a last resort",
      { image: null, images: [], media: [{ preview_image: { src: "https://cdn.example.com/m.jpg" } }] },
      "https://cdn.example.com/m.jpg",
    ],
    ["nothing", { image: null, images: [], media: [] }, null],
  ])("takes the image from %s", (_name, patch, url) => {
    expect(value(mapProductWebhook({ ...webhook("products/update"), ...patch }, "USD")).imageUrl).toBe(url);
  });

  it.each([
    ["active", "ACTIVE"],
    ["archived", "ARCHIVED"],
    ["draft", "DRAFT"],
  ])("status %s -> %s", (status, expected) => {
    expect(value(mapProductWebhook({ ...webhook("products/update"), status }, "USD")).status).toBe(expected);
  });

  it("gives null productType and vendor for blanks", () => {
    const payload = { ...webhook("products/update"), product_type: "", vendor: null };
    expect(value(mapProductWebhook(payload, "USD"))).toMatchObject({ productType: null, vendor: null });
  });
});

describe("ids", () => {
  it.each<[string | number, string]>([
    ["gid://shopify/Customer/7731250036789", "7731250036789"],
    ["gid://shopify/Order/6012345678901", "6012345678901"],
    ["gid://shopify/LineItem/14567890123456", "14567890123456"],
    ["gid://shopify/Customer/9007199254740993", "9007199254740993"],
    ["gid://shopify/Customer/18446744073709551615", "18446744073709551615"],
    ["gid://shopify/ProductImage/36123456789012?height=100", "36123456789012"],
    ["9007199254740993", "9007199254740993"],
    ["007731250036789", "7731250036789"],
    [7731250036789, "7731250036789"],
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
  ])("legacyId(%j) = %j", (input, expected) => {
    expect(legacyId(input)).toBe(expected);
  });

  it.each<string | number>([
    2 ** 53,
    2 ** 53 + 2,
    0,
    -5,
    1.5,
    "",
    "abc",
    "12a",
    "0",
    "gid://shopify/Customer/",
    "gid://shopify/Customer/abc",
    "gid://other/Customer/1",
  ])("legacyId(%j) throws", (input) => {
    expect(() => legacyId(input)).toThrow(RangeError);
  });

  // JSON.parse rounds 9007199254740993 to 9007199254740992; the GID string still has the right digits.
  const bigCustomer = () =>
    JSON.parse(
      JSON.stringify(webhook("customers/create"))
        .replace('"id":7731250036789', '"id":9007199254740993')
        .replace("gid://shopify/Customer/7731250036789", "gid://shopify/Customer/9007199254740993"),
    ) as Json;

  it("takes ids above 2^53 from the GID, not the rounded number", () => {
    const payload = bigCustomer();
    expect(payload.id).toBe(9007199254740992);
    expect(value(mapCustomerWebhook(payload)).id).toBe("9007199254740993");
    expect(value(mapDeleteWebhook(payload))).toEqual({ id: "9007199254740993" });
  });

  it("refuses an id above 2^53 that has no GID beside it", () => {
    const { admin_graphql_api_id: _gid, ...payload } = bigCustomer();
    expect(mapCustomerWebhook(payload)).toEqual({
      ok: false,
      error: "customer.id: expected an id below 2^53 or a numeric string",
    });
    expect(mapDeleteWebhook({ id: 2 ** 53 + 2 })).toEqual({
      ok: false,
      error: "payload.id: expected an id below 2^53 or a numeric string",
    });
  });

  it("accepts string ids, and deletes without a GID (orders/delete, products/delete send only id)", () => {
    expect(value(mapDeleteWebhook({ id: "9007199254740993" }))).toEqual({ id: "9007199254740993" });
    expect(value(mapDeleteWebhook({ id: 6012345678901 }))).toEqual({ id: "6012345678901" });
  });

  it.each<[string, Json, string]>([
    [
      "a GID of another type",
      { admin_graphql_api_id: "gid://shopify/Order/7731250036789" },
      "customer.admin_graphql_api_id: expected a gid://shopify/Customer/… id",
    ],
    ["an id that contradicts the GID", { id: 7731250036790 }, "customer.id: does not match admin_graphql_api_id"],
    [
      "a GID that isn't one",
      { admin_graphql_api_id: "7731250036789" },
      "customer.admin_graphql_api_id: expected a gid://shopify/Customer/… id",
    ],
  ])("rejects %s", (_name, patch, error) => {
    expect(mapCustomerWebhook({ ...webhook("customers/create"), ...patch })).toEqual({ ok: false, error });
  });

  it("maps GraphQL ids above 2^53", () => {
    const node = { ...jsonl("customers")[0], id: "gid://shopify/Customer/9007199254740993" };
    expect(value(mapCustomerNode(node)).id).toBe("9007199254740993");
  });
});

describe("bad input", () => {
  const customerNode = () => jsonl("customers")[0]!;
  const productNode = () => jsonl("products")[0]!;
  const lineNode = () => jsonl("orders")[1]!;
  /** A webhook fixture after `edit`. */
  const edited = (topic: string, edit: (payload: Json) => void) => {
    const payload = webhook(topic);
    edit(payload);
    return payload;
  };
  /** #1001 from orders.jsonl after `edit`, with its two line rows. */
  const order1001 = (edit: (order: Json, lines: Json[]) => void) => {
    const [order, ...lines] = jsonl("orders").slice(0, 3) as [Json, ...Json[]];
    edit(order, lines);
    return mapOrderNode(order, lines);
  };
  const MARKETING = "expected one of SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING, REDACTED, INVALID";
  const customer = (patch: Json) => mapCustomerWebhook({ ...webhook("customers/create"), ...patch });
  const order = (edit: (payload: Json) => void) => mapOrderWebhook(edited("orders/create", edit));

  it.each<[string, () => MapResult<unknown>, string]>([
    // REST
    ["no updated_at", () => customer({ updated_at: undefined }), "customer.updated_at: expected an ISO date-time"],
    ["updated_at null", () => customer({ updated_at: null }), "customer.updated_at: expected an ISO date-time"],
    [
      "a date that doesn't exist",
      () => customer({ created_at: "2025-02-30T10:00:00-05:00" }),
      "customer.created_at: expected an ISO date-time",
    ],
    [
      "a date without offset",
      () => customer({ created_at: "2025-02-02 13:05:44" }),
      "customer.created_at: expected an ISO date-time",
    ],
    ["an email that isn't text", () => customer({ email: 42 }), "customer.email: expected a string or null"],
    [
      "an unknown consent state",
      () => customer({ email_marketing_consent: { state: "maybe" } }),
      `customer.email_marketing_consent.state: ${MARKETING}`,
    ],
    [
      "amount abc",
      () => order((p) => (p.total_price_set.shop_money.amount = "abc")),
      "order.total_price_set.shop_money.amount: expected a decimal amount",
    ],
    [
      "an amount that went through a float",
      () => order((p) => (p.line_items[1].price_set.shop_money.amount = 13.14)),
      "order.line_items[1].price_set.shop_money.amount: expected a decimal amount",
    ],
    // Negative money (issue 10): a clear error, and the processor fails the event with it.
    [
      "a negative order total",
      () => order((p) => (p.total_price_set.shop_money.amount = "-128.69")),
      "order.total_price_set.shop_money.amount: expected an amount of at least 0",
    ],
    [
      "a negative presentment total",
      () => order((p) => (p.total_price_set.presentment_money = { amount: "-1.00", currency_code: "CAD" })),
      "order.total_price_set.presentment_money.amount: expected an amount of at least 0",
    ],
    [
      "a negative line price",
      () => order((p) => (p.line_items[1].price_set.shop_money.amount = "-13.14")),
      "order.line_items[1].price_set.shop_money.amount: expected an amount of at least 0",
    ],
    [
      "a negative variant price",
      () =>
        mapProductWebhook({ ...webhook("products/update"), variants: [{ price: "10.00" }, { price: "-0.01" }] }, "USD"),
      "product.variants[1].price: expected an amount of at least 0",
    ],
    [
      "a line in another currency",
      () => order((p) => (p.line_items[0].price_set.shop_money.currency_code = "CAD")),
      "order.line_items[0].price_set.shop_money.currency_code: expected the shop currency USD, got CAD",
    ],
    [
      "a product_id past 2^53 (as in Shopify's sample payload)",
      () => order((p) => (p.line_items[0].product_id = 788032119674292900)),
      "order.line_items[0].product_id: expected an id below 2^53 or a numeric string",
    ],
    [
      "a fractional quantity",
      () => order((p) => (p.line_items[0].quantity = 1.5)),
      "order.line_items[0].quantity: expected a quantity",
    ],
    ["no line_items", () => order((p) => delete p.line_items), "order.line_items: expected an array"],
    [
      "a malformed embedded customer date",
      () => order((p) => (p.customer.updated_at = "yesterday")),
      "order.customer.updated_at: expected an ISO date-time",
    ],
    [
      "an unknown product status",
      () => mapProductWebhook({ ...webhook("products/update"), status: "unlisted" }, "USD"),
      "product.status: expected active, archived or draft",
    ],
    [
      "a product without handle",
      () => mapProductWebhook({ ...webhook("products/update"), handle: null }, "USD"),
      "product.handle: expected a string",
    ],
    // Not objects at all
    ["a string payload", () => mapCustomerWebhook("customers/create"), "customer: expected an object"],
    ["an array payload", () => mapOrderWebhook([]), "order: expected an object"],
    ["null customer", () => mapCustomerWebhook(null), "customer: expected an object"],
    ["null order", () => mapOrderWebhook(null), "order: expected an object"],
    ["null product", () => mapProductWebhook(null, "USD"), "product: expected an object"],
    ["null delete", () => mapDeleteWebhook(null), "payload: expected an object"],
    ["null customer node", () => mapCustomerNode(null), "customer: expected an object"],
    ["null order node", () => mapOrderNode(null, []), "order: expected an object"],
    ["null line node", () => mapLineItemNode(null), "lineItem: expected an object"],
    ["null product node", () => mapProductNode(null), "product: expected an object"],
    // GraphQL
    [
      "a date as an epoch number",
      () => mapCustomerNode({ ...customerNode(), updatedAt: 1740000000000 }),
      "customer.updatedAt: expected an ISO date-time",
    ],
    [
      "a node id that isn't a GID",
      () => mapCustomerNode({ ...customerNode(), id: "7731250036789" }),
      "customer.id: expected a gid://shopify/Customer/… id",
    ],
    [
      "a node GID of another type",
      () => mapProductNode({ ...productNode(), id: "gid://shopify/Customer/1" }),
      "product.id: expected a gid://shopify/Product/… id",
    ],
    [
      "tags as a string on a node",
      () => mapCustomerNode({ ...customerNode(), tags: "a, b" }),
      "customer.tags: expected an array",
    ],
    [
      "an unknown node marketing state",
      () =>
        mapCustomerNode({
          ...customerNode(),
          defaultEmailAddress: { emailAddress: "a@example.com", marketingState: "MAYBE" },
        }),
      `customer.defaultEmailAddress.marketingState: ${MARKETING}`,
    ],
    [
      "node amount abc",
      () =>
        mapProductNode({ ...productNode(), priceRangeV2: { minVariantPrice: { amount: "abc", currencyCode: "USD" } } }),
      "product.priceRangeV2.minVariantPrice.amount: expected a decimal amount",
    ],
    [
      "a negative node price",
      () =>
        mapProductNode({
          ...productNode(),
          priceRangeV2: { minVariantPrice: { amount: "-5.00", currencyCode: "USD" } },
        }),
      "product.priceRangeV2.minVariantPrice.amount: expected an amount of at least 0",
    ],
    [
      "a negative node order total",
      () => order1001((o) => (o.totalPriceSet.shopMoney.amount = "-1.00")),
      "order.totalPriceSet.shopMoney.amount: expected an amount of at least 0",
    ],
    [
      "a negative node refunded total",
      () => order1001((o) => (o.totalRefundedSet.shopMoney.amount = "-1.00")),
      "order.totalRefundedSet.shopMoney.amount: expected an amount of at least 0",
    ],
    [
      "a negative node line price",
      () => order1001((_order, lines) => (lines[1]!.originalUnitPriceSet.shopMoney.amount = "-2.50")),
      "order.lineItems[1].originalUnitPriceSet.shopMoney.amount: expected an amount of at least 0",
    ],
    [
      "a negative line quantity",
      () => mapLineItemNode({ ...lineNode(), quantity: -1 }),
      "lineItem.quantity: expected a quantity",
    ],
    [
      "a bad line inside an order",
      () => order1001((_order, lines) => (lines[1]!.quantity = "2")),
      "order.lineItems[1].quantity: expected a quantity",
    ],
    [
      "a line of another order",
      () => order1001((_order, lines) => (lines[0]!.__parentId = "gid://shopify/Order/6012345711669")),
      "order.lineItems[0].__parentId: expected gid://shopify/Order/6012345678901",
    ],
    [
      "a line priced in another currency",
      () => order1001((_order, lines) => (lines[0]!.originalUnitPriceSet.shopMoney.currencyCode = "CAD")),
      "order.lineItems[0].originalUnitPriceSet.shopMoney.currencyCode: expected the shop currency USD, got CAD",
    ],
    [
      "refunds in another currency",
      () => order1001((o) => (o.totalRefundedSet.shopMoney.currencyCode = "CAD")),
      "order.totalRefundedSet.shopMoney.currencyCode: expected the shop currency USD, got CAD",
    ],
    [
      "an order node without totalRefundedSet",
      () => order1001((o) => delete o.totalRefundedSet),
      "order.totalRefundedSet: expected an object",
    ],
  ])("%s", (_name, map, error) => {
    expect(map()).toEqual({ ok: false, error });
  });

  it("ignores fields it doesn't know", () => {
    const payload = { ...webhook("customers/create"), something_new: { deeply: ["nested"] } };
    expect(value(mapCustomerWebhook(payload))).toEqual(MAYA);
  });
});

describe("bulk JSONL", () => {
  /** Top-level rows with their children, matched on __parentId (not on position). */
  function group(rows: Json[]): { node: Json; children: Json[] }[] {
    const children = new Map<string, Json[]>();
    for (const row of rows) {
      if (typeof row.__parentId !== "string") continue;
      children.set(row.__parentId, [...(children.get(row.__parentId) ?? []), row]);
    }
    return rows
      .filter((row) => row.__parentId === undefined)
      .map((node) => ({ node, children: children.get(node.id) ?? [] }));
  }

  it("maps every customer", () => {
    const rows = jsonl("customers").map((node) => value(mapCustomerNode(node)));
    expect(rows.map((c) => [c.id, c.email, c.emailMarketingState, c.smsMarketingState, c.tags, c.countryCode])).toEqual(
      [
        [
          "7731250036789",
          "maya.patel@example.com",
          "SUBSCRIBED",
          "NOT_SUBSCRIBED",
          ["newsletter", "wool-lovers"],
          "CA",
        ],
        ["7731250102325", "jonas.becker@example.com", "UNSUBSCRIBED", "SUBSCRIBED", ["wholesale"], "US"],
        ["7731250135093", null, "NOT_SUBSCRIBED", "NOT_SUBSCRIBED", [], null],
        ["7731250167861", "lena.okafor@example.com", "PENDING", "NOT_SUBSCRIBED", ["vip"], "GB"],
      ],
    );
    expect(rows[0]).toEqual({
      ...MAYA,
      tags: ["newsletter", "wool-lovers"],
      emailMarketingState: "SUBSCRIBED",
      updatedAt: new Date("2025-03-21T15:02:31Z"),
    });
  });

  it("reads the deprecated contact fields when a node has them instead", () => {
    const { defaultEmailAddress: _e, defaultPhoneNumber: _p, ...node } = jsonl("customers")[1]!;
    const legacy = {
      ...node,
      email: "jonas.becker@example.com",
      emailMarketingConsent: { marketingState: "UNSUBSCRIBED" },
      smsMarketingConsent: { marketingState: "REDACTED" },
    };
    expect(value(mapCustomerNode(legacy))).toMatchObject({
      email: "jonas.becker@example.com",
      emailMarketingState: "UNSUBSCRIBED",
      smsMarketingState: "REDACTED",
    });
  });

  it("maps every order with the line rows that name it as parent", () => {
    const rows = jsonl("orders");
    const orders = group(rows).map(({ node, children }) => value(mapOrderNode(node, children)));
    expect(
      orders.map((o) => [o.name, o.customerId, o.lines.length, o.totalMinor, o.refundedMinor, o.financialStatus]),
    ).toEqual([
      ["#1001", "7731250036789", 2, 12869n, 12869n, "REFUNDED"],
      ["#1002", null, 1, 4200n, 0n, "PAID"],
      ["#1003", "7731250102325", 3, 15600n, 3200n, "PARTIALLY_REFUNDED"],
    ]);
    expect(orders.reduce((n, o) => n + o.lines.length, 0)).toBe(rows.filter((r) => r.__parentId).length);

    // The bulk copy of #1001 agrees with its last webhook; GraphQL adds the product type.
    const fromWebhook = value(mapOrderWebhook(webhook("orders/cancelled"))).order;
    expect(orders[0]).toEqual({
      ...fromWebhook,
      lines: fromWebhook.lines.map((line, i) => ({ ...line, productType: ["Sweaters", "Socks"][i] })),
    });
    expect(orders[2]!.lines[1]).toEqual({
      id: "14567890189033",
      productId: "8412345678967",
      variantId: "45123456789144",
      title: "Ribbed Beanie",
      sku: "NL-RB-OAT",
      productType: "Hats",
      vendor: "Northloom",
      quantity: 1,
      priceMinor: 3200n,
    });
  });

  it("maps line items on their own, deleted products and custom items included", () => {
    const line = jsonl("orders")[4]!;
    expect(value(mapLineItemNode(line))).toMatchObject({ id: "14567890156224", quantity: 3, priceMinor: 1400n });
    const custom = { ...line, product: null, variant: null, vendor: null, sku: "" };
    expect(value(mapLineItemNode(custom))).toMatchObject({
      productId: null,
      variantId: null,
      productType: null,
      vendor: null,
      sku: null,
    });
  });

  it("maps every product", () => {
    const rows = jsonl("products").map((node) => value(mapProductNode(node)));
    expect(rows.map((p) => [p.handle, p.status, p.priceMinor, p.imageUrl !== null, p.productType])).toEqual([
      ["merino-crew-sweater", "ACTIVE", 8800n, true, "Sweaters"],
      ["wool-hiking-socks", "ACTIVE", 1400n, true, "Socks"],
      ["ribbed-beanie", "ARCHIVED", 3200n, false, "Hats"],
      ["alpaca-scarf", "DRAFT", 12000n, false, null],
    ]);
    // The bulk copy of the sweater agrees with its products/update webhook.
    expect(rows[0]).toEqual(value(mapProductWebhook(webhook("products/update"), "USD")));
  });

  it("falls back to featuredImage and to no price", () => {
    const node = {
      ...jsonl("products")[2],
      featuredImage: { url: "https://cdn.example.com/b.jpg" },
      priceRangeV2: null,
    };
    expect(value(mapProductNode(node))).toMatchObject({ imageUrl: "https://cdn.example.com/b.jpg", priceMinor: null });
  });
});

describe("queries", () => {
  /** The selection inside `<field> {`, whitespace-collapsed. */
  function selection(query: string, field: string): string {
    const start = query.indexOf(`${field} {`);
    expect(start).toBeGreaterThanOrEqual(0);
    const open = start + field.length + 1;
    let depth = 0;
    for (let i = open; i < query.length; i++) {
      if (query[i] === "{") depth++;
      if (query[i] === "}" && --depth === 0)
        return query
          .slice(open + 1, i)
          .replace(/\s+/g, " ")
          .trim();
    }
    throw new Error("unbalanced");
  }

  it.each([
    BULK_CUSTOMERS_QUERY,
    BULK_ORDERS_QUERY,
    BULK_PRODUCTS_QUERY,
    CUSTOMERS_UPDATED_SINCE_QUERY,
    ORDERS_UPDATED_SINCE_QUERY,
  ])("is #graphql-tagged (%#)", (query) => {
    expect(query.trimStart().startsWith("#graphql")).toBe(true);
  });

  it.each([BULK_CUSTOMERS_QUERY, BULK_ORDERS_QUERY, BULK_PRODUCTS_QUERY])(
    "bulk query %# paginates nothing",
    (query) => {
      expect(query).not.toMatch(/\b(first|last|after|before)\s*:/);
      expect(query).not.toMatch(/pageInfo/);
    },
  );

  it("selects the same customer fields in bulk and in reconciliation", () => {
    expect(selection(CUSTOMERS_UPDATED_SINCE_QUERY, "nodes")).toBe(selection(BULK_CUSTOMERS_QUERY, "node"));
  });

  it("selects the same order and line fields in bulk and in reconciliation", () => {
    const paged = selection(ORDERS_UPDATED_SINCE_QUERY, "nodes");
    const bulk = selection(BULK_ORDERS_QUERY, "node");
    const withoutLines = (s: string) => s.slice(0, s.indexOf("lineItems"));
    expect(withoutLines(paged)).toBe(withoutLines(bulk));
    expect(selection(paged, "lineItems(first: 50) { nodes")).toBe(selection(bulk, "lineItems { edges { node"));
  });

  it("selects every field the fixtures carry", () => {
    const keys = (rows: Json[]) => new Set(rows.flatMap((row) => Object.keys(row)).filter((k) => k !== "__parentId"));
    for (const [query, rows] of [
      [BULK_CUSTOMERS_QUERY, jsonl("customers")],
      [BULK_ORDERS_QUERY, jsonl("orders")],
      [BULK_PRODUCTS_QUERY, jsonl("products")],
    ] as const) {
      for (const key of keys(rows)) expect(query).toMatch(new RegExp(`\\b${key}\\b`));
    }
  });
});

describe("tags and consent webhooks", () => {
  it("maps the tags events: the customer from its GID, the tags normalised, the time", () => {
    expect(
      mapCustomerTagsWebhook({
        customerId: "gid://shopify/Customer/12",
        tags: [" vip", "vip", "b2b "],
        occurredAt: "2025-02-03T10:15:00.000Z",
      }),
    ).toEqual({
      ok: true,
      value: { customerId: "12", tags: ["vip", "b2b"], occurredAt: new Date("2025-02-03T10:15:00.000Z") },
    });
    expect(mapCustomerTagsWebhook({ customerId: "gid://shopify/Customer/12", tags: [] })).toMatchObject({
      ok: true,
      value: { occurredAt: null },
    });
  });

  it("maps both consent events; a null state is NOT_SUBSCRIBED, a null time stays null", () => {
    expect(mapEmailConsentWebhook(webhook("customers_email_marketing_consent/update"))).toEqual({
      ok: true,
      value: { customerId: "7731250036789", state: "SUBSCRIBED", consentUpdatedAt: new Date("2025-02-03T15:20:00Z") },
    });
    // Shopify's own sample for the SMS topic: `id`, and every consent field null.
    expect(
      mapSmsConsentWebhook({
        id: 12,
        phone: null,
        sms_marketing_consent: {
          state: null,
          opt_in_level: null,
          consent_updated_at: null,
          consent_collected_from: "other",
        },
      }),
    ).toEqual({
      ok: true,
      value: { customerId: "12", state: "NOT_SUBSCRIBED", consentUpdatedAt: null },
    });
    expect(
      mapSmsConsentWebhook({
        customer_id: "13",
        sms_marketing_consent: { state: "unsubscribed", consent_updated_at: null },
      }),
    ).toMatchObject({
      ok: true,
      value: { customerId: "13", state: "UNSUBSCRIBED" },
    });
  });

  it.each([
    [
      "tags: a numeric customerId",
      () => mapCustomerTagsWebhook({ customerId: 12, tags: [] }),
      "payload.customerId: expected a Shopify GID",
    ],
    [
      "tags: the GID of an order",
      () => mapCustomerTagsWebhook({ customerId: "gid://shopify/Order/12", tags: [] }),
      "payload.customerId: expected a gid://shopify/Customer/… id",
    ],
    [
      "tags: a string for the list",
      () => mapCustomerTagsWebhook({ customerId: "gid://shopify/Customer/12", tags: "vip" }),
      "payload.tags: expected an array",
    ],
    [
      "tags: a bad time",
      () => mapCustomerTagsWebhook({ customerId: "gid://shopify/Customer/12", tags: [], occurredAt: "yesterday" }),
      "payload.occurredAt: expected an ISO date-time",
    ],
    [
      "email: no customer",
      () => mapEmailConsentWebhook({ email_marketing_consent: { state: "subscribed" } }),
      "payload.customer_id: expected an id",
    ],
    [
      "email: an id past 2^53",
      // eslint-disable-next-line @typescript-eslint/no-loss-of-precision -- an id past 2^53, as JSON.parse would give it
      () => mapEmailConsentWebhook({ customer_id: 706405506930370084, email_marketing_consent: null }),
      "payload.customer_id: expected an id below 2^53 or a numeric string",
    ],
    [
      "email: an unknown state",
      () =>
        mapEmailConsentWebhook({
          customer_id: 12,
          email_marketing_consent: { state: "maybe", consent_updated_at: null },
        }),
      "payload.email_marketing_consent.state: expected one of",
    ],
    [
      "sms: no id at all",
      () => mapSmsConsentWebhook({ phone: null, sms_marketing_consent: null }),
      "payload.id: expected an id",
    ],
  ])("refuses %s with the field named", (_name, map, error) => {
    const result = map() as MapResult<unknown>;
    expect(result.ok ? "ok" : result.error).toContain(error);
  });
});
