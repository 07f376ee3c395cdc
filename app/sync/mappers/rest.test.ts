// The REST mappers (rest.ts): webhook payloads of customers, products, tags and consent, and the
// fixtures' story; orders and refunds are in rest-orders.test.ts.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TOPICS } from "../topics";
import { FIXTURES, MAYA, value, webhook, type Json } from "./fixtures.testing";
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
import type { MapResult } from "./shared";

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

describe("bad input", () => {
  /** A webhook fixture after `edit`. */
  const edited = (topic: string, edit: (payload: Json) => void) => {
    const payload = webhook(topic);
    edit(payload);
    return payload;
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
  ])("%s", (_name, map, error) => {
    expect(map()).toEqual({ ok: false, error });
  });

  it("ignores fields it doesn't know", () => {
    const payload = { ...webhook("customers/create"), something_new: { deeply: ["nested"] } };
    expect(value(mapCustomerWebhook(payload))).toEqual(MAYA);
  });
});
