// REST webhook payloads (API 2025-07) -> our rows: customers/*, orders/*, products/*, the delete topics,
// and the tags and consent topics. Pure; every mapper answers a MapResult (shared.ts).
import { z } from "zod";
import { parseMinor } from "~/domain/money";
import {
  normalizeTags,
  type CustomerRow,
  type MarketingState,
  type OrderLineRow,
  type OrderRow,
  type ProductRow,
} from "~/domain/rows";
import {
  amount,
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
  toLegacyId,
  type MapResult,
  type Path,
} from "./shared";

/** REST ids: JSON numbers (or numeric strings); checked for precision by resolveId. */
const restId = z.union([z.number(), z.string()], { error: "expected an id" });
const restMoney = object({ amount: nonNegativeAmount, currency_code: currencyCode });
/** Signed: a refund's order adjustment is the calculated refund minus the actual one. */
const restSignedMoney = object({ amount, currency_code: currencyCode });

/**
 * A REST object's id. JSON.parse has already rounded numeric ids past 2^53, so admin_graphql_api_id (a
 * string) wins when present; `id` is the fallback and must then be exact.
 */
function resolveId(
  item: { id: number | string; admin_graphql_api_id?: string | null | undefined },
  type: string | undefined,
  at: Path,
): string {
  const fromId = toLegacyId(item.id);
  if (item.admin_graphql_api_id != null) {
    const fromGid = toLegacyId(item.admin_graphql_api_id, type);
    if (fromGid === null || !item.admin_graphql_api_id.startsWith("gid://")) {
      throw new Invalid([...at, "admin_graphql_api_id"], `expected a gid://shopify/${type ?? "…"}/… id`);
    }
    if (fromId !== null && fromId !== fromGid) {
      throw new Invalid([...at, "id"], "does not match admin_graphql_api_id");
    }
    return fromGid;
  }
  if (fromId === null) throw new Invalid([...at, "id"], "expected an id below 2^53 or a numeric string");
  return fromId;
}

function optionalRestId(value: number | string | null | undefined, path: Path): string | null {
  if (value == null) return null;
  const id = toLegacyId(value);
  if (id === null) throw new Invalid(path, "expected an id below 2^53 or a numeric string");
  return id;
}

/** n / d rounded half up (half away from zero for negatives), d > 0. */
function divRoundHalfUp(n: bigint, d: bigint): bigint {
  return n >= 0n ? (2n * n + d) / (2n * d) : -((-2n * n + d) / (2n * d));
}

// ---------------------------------------------------------------------------------------------------
// REST webhook payloads

const restConsent = object({ state: z.string({ error: "expected a consent state" }).nullish() }).nullish();
const restAddress = object({ country_code: text, province_code: text, city: text }).nullish();

const restCustomerFields = {
  id: restId,
  admin_graphql_api_id: gidString.nullish(),
  email: text,
  first_name: text,
  last_name: text,
  // 2025-01 and later customer payloads carry neither tags nor consent (see customerWebhookGaps).
  tags: z.string({ error: "expected a comma-separated string" }).nullish(),
  email_marketing_consent: restConsent,
  sms_marketing_consent: restConsent,
  default_address: restAddress,
};
const restCustomer = object({ ...restCustomerFields, created_at: isoDate, updated_at: isoDate });
// Inside an order the customer may come without timestamps (Shopify's own sample sends nulls).
const restOrderCustomer = object({ ...restCustomerFields, created_at: optionalDate, updated_at: optionalDate });

type RestCustomer = z.output<typeof restOrderCustomer>;

function customerRowFromRest(customer: RestCustomer & { created_at: Date; updated_at: Date }, at: Path): CustomerRow {
  return {
    id: resolveId(customer, "Customer", at),
    email: customer.email,
    firstName: customer.first_name,
    lastName: customer.last_name,
    countryCode: customer.default_address?.country_code ?? null,
    provinceCode: customer.default_address?.province_code ?? null,
    city: customer.default_address?.city ?? null,
    tags: normalizeTags(customer.tags ?? ""),
    emailMarketingState: marketingState(customer.email_marketing_consent?.state, [
      ...at,
      "email_marketing_consent",
      "state",
    ]),
    smsMarketingState: marketingState(customer.sms_marketing_consent?.state, [...at, "sms_marketing_consent", "state"]),
    createdAt: customer.created_at,
    updatedAt: customer.updated_at,
  };
}

/** customers/create, customers/update. */
export function mapCustomerWebhook(payload: unknown): MapResult<CustomerRow> {
  return run("customer", () => customerRowFromRest(parse(restCustomer, payload), []));
}

export type CustomerWebhookGap = "tags" | "emailMarketingState" | "smsMarketingState";

/**
 * The CustomerRow fields a REST customer object (a customers/* payload, or an order payload's `customer`)
 * did not actually carry, so that the mapped defaults ([] and NOT_SUBSCRIBED) are not written over
 * values we know. Since API 2025-01 Shopify leaves tags and both consents out of these payloads and
 * sends them on customer.tags_added/removed and customers_email_marketing_consent/update and
 * customers_marketing_consent/update instead.
 */
export function customerWebhookGaps(payload: unknown): CustomerWebhookGap[] {
  // Absent means "not sent"; null is a value (no email or phone, so nothing to consent with).
  const record = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : {};
  const gaps: CustomerWebhookGap[] = [];
  if (record.tags === undefined) gaps.push("tags");
  if (record.email_marketing_consent === undefined) gaps.push("emailMarketingState");
  if (record.sms_marketing_consent === undefined) gaps.push("smsMarketingState");
  return gaps;
}

const restLineItem = object({
  id: restId,
  admin_graphql_api_id: gidString.nullish(),
  product_id: restId.nullish(),
  variant_id: restId.nullish(),
  title: text,
  sku: text,
  vendor: text,
  quantity,
  price_set: object({ shop_money: restMoney }),
});

const restShopMoneySet = object({ shop_money: restMoney });
const restSignedShopMoneySet = object({ shop_money: restSignedMoney });

const restRefund = object({
  transactions: array(
    object({
      kind: requiredString,
      status: requiredString,
      amount: nonNegativeAmount,
      currency: currencyCode.nullish(),
    }),
  ).nullish(),
  refund_line_items: array(
    object({ subtotal_set: restShopMoneySet, total_tax_set: restShopMoneySet.nullish() }),
  ).nullish(),
  order_adjustments: array(
    object({ amount_set: restSignedShopMoneySet, tax_amount_set: restSignedShopMoneySet.nullish() }),
  ).nullish(),
});

const restOrder = object({
  id: restId,
  admin_graphql_api_id: gidString.nullish(),
  name: text,
  email: text,
  contact_email: text,
  created_at: isoDate,
  processed_at: optionalDate,
  updated_at: isoDate,
  cancelled_at: optionalDate,
  presentment_currency: currencyCode.nullish(),
  total_price_set: object({ shop_money: restMoney, presentment_money: restMoney.nullish() }),
  financial_status: z.string({ error: "expected a string or null" }).nullish(),
  test: bool.nullish(),
  customer: restOrderCustomer.nullish(),
  line_items: array(restLineItem),
  refunds: array(restRefund).nullish(),
});

type RestOrder = z.output<typeof restOrder>;

function lineRowFromRest(line: z.output<typeof restLineItem>, currency: string, at: Path): OrderLineRow {
  const price = line.price_set.shop_money;
  requireCurrency(price.currency_code, currency, [...at, "price_set", "shop_money", "currency_code"]);
  return {
    id: resolveId(line, "LineItem", at),
    productId: optionalRestId(line.product_id, [...at, "product_id"]),
    variantId: optionalRestId(line.variant_id, [...at, "variant_id"]),
    title: line.title,
    sku: line.sku,
    // REST line items don't say; the product row (or the next bulk sync) does.
    productType: null,
    vendor: line.vendor,
    quantity: line.quantity,
    priceMinor: minor(price, currency),
  };
}

/**
 * Money refunded, in shop-currency minor units, from the refunds embedded in an order payload.
 *
 * Per refund: its successful `refund` transactions when it has any transactions at all. Transactions are
 * in the presentment currency (`currency` may be null, which means that); presentment sums are converted
 * once, at the order's own rate total_price_set.shop_money / presentment_money, rounded half up to shop
 * minor units. Converting the sum rather than each transaction keeps a full refund equal to the total.
 *
 * A refund without transactions is counted as Shopify documents it: refund line items (subtotal + tax,
 * shop money) less its order adjustments (an adjustment is the calculated refund minus the actual one, so
 * a negative adjustment means more money went back). Since 2024-10 refunded shipping is reported in
 * refund_shipping_lines rather than as an adjustment; that shape isn't documented for webhooks, so it is
 * not counted here.
 */
function refundedMinorFromRest(order: RestOrder, shopCurrency: string, totalMinor: bigint): bigint {
  const presentmentMoney = order.total_price_set.presentment_money ?? null;
  const presentmentCurrency = presentmentMoney?.currency_code ?? order.presentment_currency ?? shopCurrency;
  let shop = 0n;
  let presentment = 0n;

  (order.refunds ?? []).forEach((refund, r) => {
    const transactions = refund.transactions ?? [];
    if (transactions.length > 0) {
      transactions.forEach((tx, t) => {
        if (tx.kind !== "refund" || tx.status !== "success") return;
        const currency = tx.currency ?? presentmentCurrency;
        if (currency === shopCurrency) shop += parseMinor(tx.amount, shopCurrency);
        else if (currency === presentmentCurrency) presentment += parseMinor(tx.amount, presentmentCurrency);
        else {
          throw new Invalid(
            ["refunds", r, "transactions", t, "currency"],
            `expected ${presentmentCurrency} or ${shopCurrency}`,
          );
        }
      });
      return;
    }
    const shopMoney = (set: { shop_money: { amount: string; currency_code: string } }, path: Path) => {
      requireCurrency(set.shop_money.currency_code, shopCurrency, [...path, "shop_money", "currency_code"]);
      return minor(set.shop_money, shopCurrency);
    };
    (refund.refund_line_items ?? []).forEach((item, i) => {
      const at: Path = ["refunds", r, "refund_line_items", i];
      shop += shopMoney(item.subtotal_set, [...at, "subtotal_set"]);
      if (item.total_tax_set) shop += shopMoney(item.total_tax_set, [...at, "total_tax_set"]);
    });
    (refund.order_adjustments ?? []).forEach((adjustment, i) => {
      const at: Path = ["refunds", r, "order_adjustments", i];
      shop -= shopMoney(adjustment.amount_set, [...at, "amount_set"]);
      if (adjustment.tax_amount_set) shop -= shopMoney(adjustment.tax_amount_set, [...at, "tax_amount_set"]);
    });
  });

  if (presentment !== 0n) {
    if (!presentmentMoney) {
      throw new Invalid(["total_price_set", "presentment_money"], "expected an object (needed to convert refunds)");
    }
    const totalPresentment = minor(presentmentMoney, presentmentCurrency);
    // A zero-total order can't have refunded anything; the clamp below makes that 0.
    if (totalPresentment > 0n) shop += divRoundHalfUp(presentment * totalMinor, totalPresentment);
  }
  return clamp(shop, 0n, totalMinor);
}

/** An order payload's rows: the order with its lines, and the order's own (partial) copy of its customer. */
export type OrderMapping = { order: OrderRow; customer: CustomerRow | null };

/**
 * orders/create, orders/updated, orders/paid, orders/cancelled (and orders/edited, which has the same
 * shape). The embedded customer comes back as a row when it carries its timestamps, so an order that
 * arrives before its customer can create it; see customerWebhookGaps before writing it.
 */
export function mapOrderWebhook(payload: unknown): MapResult<OrderMapping> {
  return run("order", () => {
    const order = parse(restOrder, payload);
    const shopMoney = order.total_price_set.shop_money;
    const currency = shopMoney.currency_code;
    const totalMinor = minor(shopMoney, currency);

    let customer: CustomerRow | null = null;
    let customerId: string | null = null;
    if (order.customer) {
      const embedded = order.customer;
      customerId = resolveId(embedded, "Customer", ["customer"]);
      if (embedded.created_at && embedded.updated_at) {
        customer = customerRowFromRest(
          { ...embedded, created_at: embedded.created_at, updated_at: embedded.updated_at },
          ["customer"],
        );
      }
    }

    const row: OrderRow = {
      id: resolveId(order, "Order", []),
      name: order.name,
      customerId,
      email: order.email ?? order.contact_email,
      createdAt: order.created_at,
      processedAt: order.processed_at ?? order.created_at,
      updatedAt: order.updated_at,
      cancelledAt: order.cancelled_at,
      currencyCode: currency,
      totalMinor,
      refundedMinor: refundedMinorFromRest(order, currency, totalMinor),
      financialStatus: financialStatus(order.financial_status),
      test: order.test ?? false,
      lines: order.line_items.map((line, i) => lineRowFromRest(line, currency, ["line_items", i])),
    };
    return { order: row, customer };
  });
}

const restProductImage = object({ src: text }).nullish();
const restProduct = object({
  id: restId,
  admin_graphql_api_id: gidString.nullish(),
  handle: requiredString,
  title: requiredString,
  product_type: text,
  vendor: text,
  tags: z.string({ error: "expected a comma-separated string" }).nullish(),
  status: requiredString,
  created_at: isoDate,
  updated_at: isoDate,
  image: restProductImage,
  images: array(object({ src: text })).nullish(),
  media: array(object({ preview_image: restProductImage })).nullish(),
  variants: array(object({ price: nonNegativeAmount.nullish() })).nullish(),
});

/**
 * products/create, products/update. REST product payloads carry prices without a currency, so the shop
 * currency must be passed for priceMinor; without it priceMinor is null. The price is the lowest variant
 * price (of the first 100 variants the payload holds), as priceRangeV2.minVariantPrice is for GraphQL.
 */
export function mapProductWebhook(payload: unknown, shopCurrency?: string): MapResult<ProductRow> {
  if (shopCurrency !== undefined && !currencyCode.safeParse(shopCurrency).success) {
    return { ok: false, error: "shopCurrency: expected a currency code" };
  }
  return run("product", () => {
    const product = parse(restProduct, payload);
    let priceMinor: bigint | null = null;
    if (shopCurrency !== undefined) {
      for (const variant of product.variants ?? []) {
        if (variant.price == null) continue;
        const price = parseMinor(variant.price, shopCurrency);
        if (priceMinor === null || price < priceMinor) priceMinor = price;
      }
    }
    return {
      id: resolveId(product, "Product", []),
      handle: product.handle,
      title: product.title,
      productType: product.product_type,
      vendor: product.vendor,
      tags: normalizeTags(product.tags ?? ""),
      status: productStatus(product.status, ["status"]),
      imageUrl: product.image?.src ?? product.images?.[0]?.src ?? product.media?.[0]?.preview_image?.src ?? null,
      priceMinor,
      createdAt: product.created_at,
      updatedAt: product.updated_at,
    };
  });
}

const restDeleted = object({ id: restId, admin_graphql_api_id: gidString.nullish() });

/** customers/delete, orders/delete, products/delete: the id of what is gone. */
export function mapDeleteWebhook(payload: unknown): MapResult<{ id: string }> {
  return run("payload", () => ({ id: resolveId(parse(restDeleted, payload), undefined, []) }));
}

// ---------------------------------------------------------------------------------------------------
// Tags and consent webhooks (API 2025-01 on: customers/* payloads no longer carry them)

export type CustomerTagsEvent = { customerId: string; tags: string[]; occurredAt: Date | null };

const restTagsEvent = object({
  customerId: gidString,
  tags: array(z.string({ error: "expected a string" })),
  occurredAt: isoDate.nullish(),
});

/** customer.tags_added, customer.tags_removed: `{ customerId: gid, tags: [...], occurredAt }`. */
export function mapCustomerTagsWebhook(payload: unknown): MapResult<CustomerTagsEvent> {
  return run("payload", () => {
    const event = parse(restTagsEvent, payload);
    return {
      customerId: gidOf(event.customerId, "Customer", ["customerId"]),
      tags: normalizeTags(event.tags),
      occurredAt: event.occurredAt ?? null,
    };
  });
}

export type CustomerConsentEvent = {
  customerId: string;
  state: MarketingState;
  /** consent_updated_at; Shopify sends null for a customer who never gave or withdrew consent. */
  consentUpdatedAt: Date | null;
};

const restConsentDetail = object({
  state: z.string({ error: "expected a consent state" }).nullish(),
  consent_updated_at: optionalDate,
}).nullish();

const restEmailConsentEvent = object({
  customer_id: restId,
  email_address: text,
  email_marketing_consent: restConsentDetail,
});

// Shopify's sample names the customer `id` on this topic (and `customer_id` on the email one).
const restSmsConsentEvent = object({
  id: restId.nullish(),
  customer_id: restId.nullish(),
  phone: text,
  sms_marketing_consent: restConsentDetail,
});

function consentEvent(
  id: number | string,
  idPath: Path,
  consent: { state?: string | null; consent_updated_at: Date | null } | null | undefined,
  key: string,
): CustomerConsentEvent {
  const customerId = toLegacyId(id);
  if (customerId === null) throw new Invalid(idPath, "expected an id below 2^53 or a numeric string");
  return {
    customerId,
    // No consent object, or a null state: nothing to consent with (no email address or phone).
    state: marketingState(consent?.state, [key, "state"]),
    consentUpdatedAt: consent?.consent_updated_at ?? null,
  };
}

/** customers_email_marketing_consent/update. */
export function mapEmailConsentWebhook(payload: unknown): MapResult<CustomerConsentEvent> {
  return run("payload", () => {
    const event = parse(restEmailConsentEvent, payload);
    return consentEvent(event.customer_id, ["customer_id"], event.email_marketing_consent, "email_marketing_consent");
  });
}

/** customers_marketing_consent/update (SMS). */
export function mapSmsConsentWebhook(payload: unknown): MapResult<CustomerConsentEvent> {
  return run("payload", () => {
    const event = parse(restSmsConsentEvent, payload);
    const id = event.customer_id ?? event.id;
    if (id == null) throw new Invalid(["id"], "expected an id");
    return consentEvent(
      id,
      event.customer_id != null ? ["customer_id"] : ["id"],
      event.sms_marketing_consent,
      "sms_marketing_consent",
    );
  });
}
