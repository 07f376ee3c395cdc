import { describe, expect, it } from "vitest";
import { mapCustomerRedact, mapDataRequest, mapShopRedact } from "./compliance";

const SHOP = "fixture-shop.myshopify.com";

describe("compliance payloads", () => {
  it("reads customers/redact as Shopify documents it", () => {
    const payload = {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 7731250036789, email: "maya.patel@example.com", phone: "+14165550142" },
      orders_to_redact: [6012345678901, "6012345678902", 6012345678901],
    };
    expect(mapCustomerRedact(payload, SHOP)).toEqual({
      ok: true,
      value: {
        customerId: "7731250036789",
        email: "maya.patel@example.com",
        phone: "+14165550142",
        orderIds: ["6012345678901", "6012345678902"],
      },
    });
  });

  it.each([
    [
      "a body naming another shop",
      { shop_domain: "other.myshopify.com", customer: { id: 1 } },
      "shop_domain: names another shop than the delivery; nothing erased",
    ],
    ["no shop_domain", { customer: { id: 1 } }, "shop_domain: expected the shop's myshopify.com domain"],
    ["no customer", { shop_domain: SHOP }, "customer: expected an object"],
    [
      "a customer without id, e-mail or phone",
      { shop_domain: SHOP, customer: { email: " " } },
      "customer: expected an id, an e-mail or a phone",
    ],
    [
      "an id past 2^53",
      { shop_domain: SHOP, customer: { id: 2 ** 53 + 2 } },
      "customer.id: expected an id below 2^53 or a numeric string",
    ],
    [
      "orders_to_redact not a list",
      { shop_domain: SHOP, customer: { id: 1 }, orders_to_redact: 5 },
      "orders_to_redact: expected an array",
    ],
    [
      "a bad order id",
      { shop_domain: SHOP, customer: { id: 1 }, orders_to_redact: [1, "x"] },
      "orders_to_redact[1]: expected an id below 2^53 or a numeric string",
    ],
  ])("refuses customers/redact with %s", (_label, payload, error) => {
    expect(mapCustomerRedact(payload, SHOP)).toEqual({ ok: false, error });
  });

  it("takes a customer known by e-mail only, and a shop domain in another case", () => {
    expect(
      mapCustomerRedact(
        { shop_domain: SHOP.toUpperCase(), customer: { id: null, email: "a@example.com", phone: null } },
        SHOP,
      ),
    ).toEqual({
      ok: true,
      value: { customerId: null, email: "a@example.com", phone: null, orderIds: [] },
    });
  });

  it("reads shop/redact, and refuses one naming another shop", () => {
    expect(mapShopRedact({ shop_id: 1, shop_domain: SHOP }, SHOP)).toEqual({ ok: true, value: null });
    expect(mapShopRedact({ shop_id: 1, shop_domain: "other.myshopify.com" }, SHOP).ok).toBe(false);
    expect(mapShopRedact(null, SHOP).ok).toBe(false);
  });

  it("reads customers/data_request as Shopify documents it, and refuses one naming another shop or without orders as a list", () => {
    const payload = {
      shop_id: 1,
      shop_domain: SHOP,
      orders_requested: [6012345678901],
      customer: { id: 7731250036789, email: "maya.patel@example.com", phone: "+14165550142" },
      data_request: { id: 9012345 },
    };
    expect(mapDataRequest(payload, SHOP)).toEqual({
      ok: true,
      value: {
        customerId: "7731250036789",
        email: "maya.patel@example.com",
        phone: "+14165550142",
        orderIds: ["6012345678901"],
        requestId: "9012345",
      },
    });
    expect(mapDataRequest({ ...payload, shop_domain: "other.myshopify.com" }, SHOP).ok).toBe(false);
    expect(mapDataRequest({ ...payload, orders_requested: "1" }, SHOP)).toEqual({
      ok: false,
      error: "orders_requested: expected an array",
    });
  });
});
