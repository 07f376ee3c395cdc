// Rows turned back into the REST webhook payloads Shopify sends (API 2025-07 shapes, as in
// tests/fixtures/webhooks), to drive the real webhook path with many realistic events.
import { demoCustomers } from "~/demo/generator";
import { formatMinor } from "~/domain/money";
import type { CustomerRow, OrderRow } from "~/domain/rows";
import type { IncomingWebhook } from "~/sync/inbox.server";

const money = (minor: bigint, currency: string) => {
  const amount = formatMinor(minor, currency);
  return {
    amount,
    set: { shop_money: { amount, currency_code: currency }, presentment_money: { amount, currency_code: currency } },
  };
};

export function customerPayload(c: CustomerRow): Record<string, unknown> {
  return {
    id: Number(c.id),
    admin_graphql_api_id: `gid://shopify/Customer/${c.id}`,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    state: "disabled",
    verified_email: true,
    currency: "USD",
    phone: null,
    default_address: c.countryCode
      ? { country_code: c.countryCode, province_code: c.provinceCode, city: c.city, default: true }
      : null,
  };
}

export function orderPayload(o: OrderRow, customer: CustomerRow | null): Record<string, unknown> {
  const total = money(o.totalMinor, o.currencyCode);
  const refunds =
    o.refundedMinor > 0n
      ? [
          {
            id: Number(o.id) + 1,
            created_at: o.updatedAt.toISOString(),
            transactions: [
              {
                id: Number(o.id) + 2,
                kind: "refund",
                status: "success",
                amount: formatMinor(o.refundedMinor, o.currencyCode),
                currency: o.currencyCode,
              },
            ],
            refund_line_items: [],
            order_adjustments: [],
          },
        ]
      : [];
  return {
    id: Number(o.id),
    admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
    name: o.name,
    email: o.email,
    created_at: o.createdAt.toISOString(),
    processed_at: o.processedAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
    cancelled_at: o.cancelledAt?.toISOString() ?? null,
    currency: o.currencyCode,
    presentment_currency: o.currencyCode,
    financial_status: o.financialStatus?.toLowerCase() ?? null,
    test: o.test,
    total_price: total.amount,
    total_price_set: total.set,
    customer: customer ? { ...customerPayload(customer), updated_at: customer.createdAt.toISOString() } : null,
    line_items: o.lines.map((l) => {
      const price = money(l.priceMinor, o.currencyCode);
      return {
        id: Number(l.id),
        admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`,
        product_id: l.productId ? Number(l.productId) : null,
        variant_id: l.variantId ? Number(l.variantId) : null,
        title: l.title,
        sku: l.sku,
        vendor: l.vendor,
        quantity: l.quantity,
        price: price.amount,
        price_set: price.set,
      };
    }),
    refunds,
  };
}

export type TestEvent = { topic: string; eventId: string; payload: Record<string, unknown> };

/** A test event as the receiver hands it to the inbox (no webhook id, no Triggered-At). */
export function incomingWebhook(shop: string, e: TestEvent): IncomingWebhook {
  return {
    shop,
    topic: e.topic,
    eventId: e.eventId,
    webhookId: null,
    apiVersion: "2025-07",
    triggeredAt: null,
    payload: JSON.stringify(e.payload),
  };
}

/**
 * A realistic stream: each demo customer's create, then for every order a create, an update (a day
 * later, with a partial refund for some), a cancellation for some and a deletion for a few.
 */
export function eventStream({ customers, seed = 3 }: { customers: number; seed?: number }): TestEvent[] {
  const events: TestEvent[] = [];
  const now = new Date("2026-06-01T00:00:00Z");
  let n = 0;
  for (const { customer, orders } of demoCustomers({ seed, customers, now, shopDomain: "events.myshopify.com" })) {
    events.push({ topic: "customers/create", eventId: `e${n++}`, payload: customerPayload(customer) });
    // eslint-disable-next-line no-loop-func -- runs at once, numbering events in order
    orders.forEach((order, i) => {
      const created = {
        ...order,
        updatedAt: order.processedAt,
        cancelledAt: null,
        refundedMinor: 0n,
        financialStatus: "PAID" as const,
      };
      events.push({ topic: "orders/create", eventId: `e${n++}`, payload: orderPayload(created, customer) });
      const day = 86_400_000;
      const updated = {
        ...created,
        updatedAt: new Date(order.processedAt.getTime() + day),
        refundedMinor: i % 3 === 0 ? order.totalMinor / 4n : 0n,
        financialStatus: i % 3 === 0 ? ("PARTIALLY_REFUNDED" as const) : ("PAID" as const),
      };
      events.push({ topic: "orders/updated", eventId: `e${n++}`, payload: orderPayload(updated, customer) });
      if (i % 5 === 1) {
        const cancelled = {
          ...updated,
          updatedAt: new Date(order.processedAt.getTime() + 2 * day),
          cancelledAt: new Date(order.processedAt.getTime() + 2 * day),
          financialStatus: "VOIDED" as const,
        };
        events.push({ topic: "orders/cancelled", eventId: `e${n++}`, payload: orderPayload(cancelled, customer) });
      }
      if (i % 7 === 2) events.push({ topic: "orders/delete", eventId: `e${n++}`, payload: { id: Number(order.id) } });
    });
  }
  return events;
}
