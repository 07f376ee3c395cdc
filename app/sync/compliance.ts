// The mandatory compliance payloads (customers/redact, shop/redact) -> what to erase. Pure. The body is
// what Shopify signed; the X-Shopify-Shop-Domain header is not covered by the signature, so a body that
// names another shop than the delivery's is refused rather than acted on in either shop.
import { toLegacyId, type MapResult } from "./mappers/shared";

export type CustomerRedact = {
  /** Shopify's customer id; null when the payload carries none (a customer known by e-mail only). */
  customerId: string | null;
  email: string | null;
  phone: string | null;
  /** Orders Shopify asks us to redact (the customer's, including any placed as a guest). */
  orderIds: string[];
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : null;

function sameShop(payload: Record<string, unknown>, shop: string): MapResult<null> {
  const named = text(payload.shop_domain);
  if (named === null) return { ok: false, error: "shop_domain: expected the shop's myshopify.com domain" };
  if (named.toLowerCase() !== shop.toLowerCase())
    return { ok: false, error: "shop_domain: names another shop than the delivery; nothing erased" };
  return { ok: true, value: null };
}

/** customers/redact: `{shop_id, shop_domain, customer: {id, email, phone}, orders_to_redact: [ids]}`. */
export function mapCustomerRedact(payload: unknown, shop: string): MapResult<CustomerRedact> {
  if (!isObject(payload)) return { ok: false, error: "customers/redact: expected an object" };
  const same = sameShop(payload, shop);
  if (!same.ok) return same;
  const customer = payload.customer;
  if (!isObject(customer)) return { ok: false, error: "customer: expected an object" };
  const customerId = customer.id == null ? null : toLegacyId(customer.id, "Customer");
  if (customer.id != null && customerId === null)
    return { ok: false, error: "customer.id: expected an id below 2^53 or a numeric string" };
  const email = text(customer.email);
  const phone = text(customer.phone);
  if (customerId === null && email === null && phone === null)
    return { ok: false, error: "customer: expected an id, an e-mail or a phone" };
  const listed = payload.orders_to_redact ?? [];
  if (!Array.isArray(listed)) return { ok: false, error: "orders_to_redact: expected an array" };
  const orderIds: string[] = [];
  for (const [i, value] of listed.entries()) {
    const id = toLegacyId(value, "Order");
    if (id === null)
      return { ok: false, error: `orders_to_redact[${i}]: expected an id below 2^53 or a numeric string` };
    orderIds.push(id);
  }
  return { ok: true, value: { customerId, email, phone, orderIds: [...new Set(orderIds)] } };
}

/** shop/redact: `{shop_id, shop_domain}`, 48 hours after the app was uninstalled. */
export function mapShopRedact(payload: unknown, shop: string): MapResult<null> {
  if (!isObject(payload)) return { ok: false, error: "shop/redact: expected an object" };
  return sameShop(payload, shop);
}

export type DataRequestPayload = CustomerRedact & { requestId: string | null };

/**
 * customers/data_request: `{shop_id, shop_domain, orders_requested: [ids], customer: {id, email, phone},
 * data_request: {id}}`. The same reading as a redact's, with the request's own id.
 */
export function mapDataRequest(payload: unknown, shop: string): MapResult<DataRequestPayload> {
  if (!isObject(payload)) return { ok: false, error: "customers/data_request: expected an object" };
  const asRedact = mapCustomerRedact({ ...payload, orders_to_redact: payload.orders_requested ?? [] }, shop);
  if (!asRedact.ok) return { ok: false, error: asRedact.error.replace("orders_to_redact", "orders_requested") };
  const request = payload.data_request;
  const id =
    isObject(request) && (typeof request.id === "number" || typeof request.id === "string") ? String(request.id) : null;
  return { ok: true, value: { ...asRedact.value, requestId: id } };
}
