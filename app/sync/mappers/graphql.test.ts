// The GraphQL mappers (graphql.ts): bulk JSONL rows and reconciliation nodes, and the queries
// (bulk-queries.ts) that select what they read.
import { describe, expect, it } from "vitest";
import {
  BULK_CUSTOMERS_QUERY,
  BULK_ORDERS_QUERY,
  BULK_PRODUCTS_QUERY,
  CUSTOMERS_UPDATED_SINCE_QUERY,
  ORDERS_UPDATED_SINCE_QUERY,
} from "../bulk-queries";
import { MAYA, jsonl, value, webhook, type Json } from "./fixtures.testing";
import { mapCustomerNode, mapLineItemNode, mapOrderNode, mapProductNode } from "./graphql";
import { mapOrderWebhook, mapProductWebhook } from "./rest";
import type { MapResult } from "./shared";

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

describe("bad input", () => {
  const customerNode = () => jsonl("customers")[0]!;
  const productNode = () => jsonl("products")[0]!;
  const lineNode = () => jsonl("orders")[1]!;
  /** #1001 from orders.jsonl after `edit`, with its two line rows. */
  const order1001 = (edit: (order: Json, lines: Json[]) => void) => {
    const [order, ...lines] = jsonl("orders").slice(0, 3) as [Json, ...Json[]];
    edit(order, lines);
    return mapOrderNode(order, lines);
  };
  const MARKETING = "expected one of SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING, REDACTED, INVALID";

  it.each<[string, () => MapResult<unknown>, string]>([
    // Not objects at all
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
});
