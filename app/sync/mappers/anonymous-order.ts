// An order delivery still waiting in the inbox when its customer is erased (customers/redact) is kept as
// the shop's sale, as the orders already stored are: rewritten with only what the order mapper reads of
// a sale, so that neither the customer nor an e-mail, a phone, an address or a note remains in it.
// An allow-list, not a deny-list: a field Shopify adds tomorrow is left out, not kept by mistake.
import { mapOrderWebhook } from "./rest";

type Json = Record<string, unknown>;

const ORDER_KEYS = [
  "id",
  "admin_graphql_api_id",
  "name",
  "created_at",
  "processed_at",
  "updated_at",
  "cancelled_at",
  "presentment_currency",
  "total_price_set",
  "financial_status",
  "test",
] as const;
const LINE_KEYS = [
  "id",
  "admin_graphql_api_id",
  "product_id",
  "variant_id",
  "title",
  "sku",
  "vendor",
  "quantity",
  "price_set",
] as const;
const MONEY_KEYS = ["amount", "currency_code"] as const;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pick(value: unknown, keys: readonly string[]): Json {
  const out: Json = {};
  if (!isRecord(value)) return out;
  for (const key of keys) if (key in value) out[key] = value[key];
  return out;
}

/** A money set ({shop_money, presentment_money}) with amounts and currencies only. */
function moneySet(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const key of ["shop_money", "presentment_money"]) {
    if (key in value) out[key] = isRecord(value[key]) ? pick(value[key], MONEY_KEYS) : value[key];
  }
  return out;
}

function list(value: unknown, each: (item: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map(each) : value;
}

function refund(value: unknown): Json {
  const r = isRecord(value) ? value : {};
  return {
    transactions: list(r.transactions, (t) => pick(t, ["kind", "status", "amount", "currency"])),
    refund_line_items: list(r.refund_line_items, (l) => {
      const line = isRecord(l) ? l : {};
      return { subtotal_set: moneySet(line.subtotal_set), total_tax_set: moneySet(line.total_tax_set) };
    }),
    order_adjustments: list(r.order_adjustments, (a) => {
      const adj = isRecord(a) ? a : {};
      return { amount_set: moneySet(adj.amount_set), tax_amount_set: moneySet(adj.tax_amount_set) };
    }),
  };
}

/**
 * The sale without the person, as JSON; null when the payload is not an order the mapper can read
 * (then nothing of it is worth keeping).
 */
export function anonymousOrderPayload(payload: string): string | null {
  let order: unknown;
  try {
    order = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!isRecord(order)) return null;
  const kept: Json = {
    ...pick(order, ORDER_KEYS),
    total_price_set: moneySet(order.total_price_set),
    email: null,
    contact_email: null,
    customer: null,
    line_items: list(order.line_items, (line) => ({
      ...pick(line, LINE_KEYS),
      price_set: moneySet(isRecord(line) ? line.price_set : undefined),
    })),
  };
  if ("refunds" in order) kept.refunds = list(order.refunds, refund);
  return mapOrderWebhook(kept).ok ? JSON.stringify(kept) : null;
}
