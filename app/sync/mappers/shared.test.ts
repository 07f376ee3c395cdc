// Ids (shared.ts legacyId), as both mappers read them: REST numbers and GIDs, GraphQL GIDs, above 2^53.
import { describe, expect, it } from "vitest";
import { jsonl, value, webhook, type Json } from "./fixtures.testing";
import { mapCustomerNode } from "./graphql";
import { mapCustomerWebhook, mapDeleteWebhook } from "./rest";
import { legacyId } from "./shared";

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
