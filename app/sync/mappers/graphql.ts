// Admin GraphQL nodes -> our rows: bulk-operation JSONL rows (app/sync/jsonl.ts) or nodes of a
// paginated connection (app/sync/bulk-queries.ts). Pure; every mapper answers a MapResult (shared.ts).
import { z } from "zod";
import { normalizeTags, type CustomerRow, type OrderLineRow, type OrderRow, type ProductRow } from "~/domain/rows";
import {
  array,
  bool,
  clamp,
  currencyCode,
  financialStatus,
  gidOf,
  gidString,
  Invalid,
  isoDate,
  marketingState,
  minor,
  nonNegativeAmount,
  object,
  optionalDate,
  parse,
  productStatus,
  quantity,
  requireCurrency,
  requiredString,
  run,
  text,
  type MapResult,
  type Path,
} from "./shared";

// Every amount the queries read is a price, a total or money refunded: none is below zero.
const gqlMoney = object({ amount: nonNegativeAmount, currencyCode });
const gqlMoneyBag = object({ shopMoney: gqlMoney });

const gqlEmailState = z.string({ error: "expected a marketing state" }).nullish();

const gqlCustomer = object({
  id: gidString,
  firstName: text,
  lastName: text,
  // The queries select defaultEmailAddress/defaultPhoneNumber (2025-07: Customer.email,
  // emailMarketingConsent and smsMarketingConsent are deprecated in their favour); the deprecated
  // fields are still read when a node carries them instead.
  defaultEmailAddress: object({ emailAddress: text, marketingState: gqlEmailState }).nullish(),
  defaultPhoneNumber: object({ marketingState: gqlEmailState }).nullish(),
  email: text,
  emailMarketingConsent: object({ marketingState: gqlEmailState }).nullish(),
  smsMarketingConsent: object({ marketingState: gqlEmailState }).nullish(),
  tags: array(z.string({ error: "expected a string" })),
  defaultAddress: object({ countryCodeV2: text, provinceCode: text, city: text }).nullish(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export function mapCustomerNode(node: unknown): MapResult<CustomerRow> {
  return run("customer", () => {
    const customer = parse(gqlCustomer, node);
    const emailState =
      customer.defaultEmailAddress !== undefined
        ? { value: customer.defaultEmailAddress?.marketingState, path: ["defaultEmailAddress", "marketingState"] }
        : { value: customer.emailMarketingConsent?.marketingState, path: ["emailMarketingConsent", "marketingState"] };
    const smsState =
      customer.defaultPhoneNumber !== undefined
        ? { value: customer.defaultPhoneNumber?.marketingState, path: ["defaultPhoneNumber", "marketingState"] }
        : { value: customer.smsMarketingConsent?.marketingState, path: ["smsMarketingConsent", "marketingState"] };
    return {
      id: gidOf(customer.id, "Customer", ["id"]),
      email:
        customer.defaultEmailAddress !== undefined
          ? (customer.defaultEmailAddress?.emailAddress ?? null)
          : customer.email,
      firstName: customer.firstName,
      lastName: customer.lastName,
      countryCode: customer.defaultAddress?.countryCodeV2 ?? null,
      provinceCode: customer.defaultAddress?.provinceCode ?? null,
      city: customer.defaultAddress?.city ?? null,
      tags: normalizeTags(customer.tags),
      emailMarketingState: marketingState(emailState.value, emailState.path),
      smsMarketingState: marketingState(smsState.value, smsState.path),
      createdAt: customer.createdAt,
      updatedAt: customer.updatedAt,
    };
  });
}

const gqlLineItem = object({
  id: gidString,
  title: text,
  sku: text,
  vendor: text,
  quantity,
  product: object({ id: gidString, productType: text, vendor: text }).nullish(),
  variant: object({ id: gidString }).nullish(),
  originalUnitPriceSet: gqlMoneyBag,
});

function lineRowFromNode(node: unknown, at: Path): { row: OrderLineRow; currency: string } {
  const line = parse(gqlLineItem, node, at);
  const money = line.originalUnitPriceSet.shopMoney;
  return {
    currency: money.currencyCode,
    row: {
      id: gidOf(line.id, "LineItem", [...at, "id"]),
      productId: line.product ? gidOf(line.product.id, "Product", [...at, "product", "id"]) : null,
      variantId: line.variant ? gidOf(line.variant.id, "ProductVariant", [...at, "variant", "id"]) : null,
      title: line.title,
      sku: line.sku,
      productType: line.product?.productType ?? null,
      vendor: line.vendor ?? line.product?.vendor ?? null,
      quantity: line.quantity,
      priceMinor: minor(money, money.currencyCode),
    },
  };
}

export function mapLineItemNode(node: unknown): MapResult<OrderLineRow> {
  return run("lineItem", () => lineRowFromNode(node, []).row);
}

const gqlOrder = object({
  id: gidString,
  name: text,
  email: text,
  customer: object({ id: gidString }).nullish(),
  createdAt: isoDate,
  processedAt: optionalDate,
  updatedAt: isoDate,
  cancelledAt: optionalDate,
  test: bool.nullish(),
  displayFinancialStatus: z.string({ error: "expected a string or null" }).nullish(),
  totalPriceSet: gqlMoneyBag,
  totalRefundedSet: gqlMoneyBag,
});

const parentRef = object({ __parentId: z.string({ error: "expected a GID" }).nullish() });

/**
 * An order and its line items. From bulk JSONL the lines are the rows whose __parentId is this order's
 * id; from a paginated query pass node.lineItems.nodes. Lines beyond those given are not fetched here.
 */
export function mapOrderNode(node: unknown, lineNodes: unknown[]): MapResult<OrderRow> {
  return run("order", () => {
    const order = parse(gqlOrder, node);
    const id = gidOf(order.id, "Order", ["id"]);
    const currency = order.totalPriceSet.shopMoney.currencyCode;
    const totalMinor = minor(order.totalPriceSet.shopMoney, currency);
    const refunded = order.totalRefundedSet.shopMoney;
    requireCurrency(refunded.currencyCode, currency, ["totalRefundedSet", "shopMoney", "currencyCode"]);

    const lines = lineNodes.map((lineNode, i) => {
      const at: Path = ["lineItems", i];
      const parent = parse(parentRef, lineNode, at).__parentId;
      if (parent != null && parent !== order.id) throw new Invalid([...at, "__parentId"], `expected ${order.id}`);
      const { row, currency: lineCurrency } = lineRowFromNode(lineNode, at);
      requireCurrency(lineCurrency, currency, [...at, "originalUnitPriceSet", "shopMoney", "currencyCode"]);
      return row;
    });

    return {
      id,
      name: order.name,
      customerId: order.customer ? gidOf(order.customer.id, "Customer", ["customer", "id"]) : null,
      email: order.email,
      createdAt: order.createdAt,
      processedAt: order.processedAt ?? order.createdAt,
      updatedAt: order.updatedAt,
      cancelledAt: order.cancelledAt,
      currencyCode: currency,
      totalMinor,
      refundedMinor: clamp(minor(refunded, currency), 0n, totalMinor),
      financialStatus: financialStatus(order.displayFinancialStatus),
      test: order.test ?? false,
      lines,
    };
  });
}

const gqlImage = object({ url: text }).nullish();
const gqlProduct = object({
  id: gidString,
  handle: requiredString,
  title: requiredString,
  productType: text,
  vendor: text,
  tags: array(z.string({ error: "expected a string" })),
  status: requiredString,
  createdAt: isoDate,
  updatedAt: isoDate,
  featuredMedia: object({ preview: object({ image: gqlImage }).nullish() }).nullish(),
  featuredImage: gqlImage,
  priceRangeV2: object({ minVariantPrice: gqlMoney }).nullish(),
});

export function mapProductNode(node: unknown): MapResult<ProductRow> {
  return run("product", () => {
    const product = parse(gqlProduct, node);
    const price = product.priceRangeV2?.minVariantPrice;
    return {
      id: gidOf(product.id, "Product", ["id"]),
      handle: product.handle,
      title: product.title,
      productType: product.productType,
      vendor: product.vendor,
      tags: normalizeTags(product.tags),
      status: productStatus(product.status, ["status"]),
      imageUrl: product.featuredMedia?.preview?.image?.url ?? product.featuredImage?.url ?? null,
      priceMinor: price ? minor(price, price.currencyCode) : null,
      createdAt: product.createdAt,
      updatedAt: product.updatedAt,
    };
  });
}
