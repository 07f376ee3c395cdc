// What each webhook topic does to our copy of the shop. Runs inside the processor's transaction, so
// the effects and the inbox's "done" commit together. Payloads are mapped by the pure mappers
// (app/sync/mappers/rest.ts); one that does not fit comes back as an error for the inbox to keep.
import { Sql, type Executor } from "~/db/database.server";
import type { CustomerRow, OrderRow } from "~/domain/rows";
import {
  applyConsentEvent,
  applyTagsEvent,
  deleteRecords,
  upsertCustomers,
  upsertOrders,
  upsertProducts,
} from "~/models/store.server";
import {
  customerWebhookGaps,
  mapCustomerTagsWebhook,
  mapCustomerWebhook,
  mapDeleteWebhook,
  mapEmailConsentWebhook,
  mapSmsConsentWebhook,
  mapOrderWebhook,
  mapProductWebhook,
  type OrderMapping,
} from "./mappers/rest";
import type { MapResult } from "./mappers/shared";
export { isTopic, ORDER_UPSERT_TOPICS, TOPICS, type Topic } from "./topics";

export type Applied =
  | {
      ok: true;
      customersChanged: string[];
      bulkOperationFinished?: string;
      /** A product's tags changed (or a tagged product went): rules on products_purchased(tag: …) may move. */
      productTagsChanged?: boolean;
    }
  | { ok: false; error: string };

/** The product's tags as we hold them; null when we hold no such product. */
async function productTags(tx: Executor, shop: string, id: string): Promise<string | null> {
  const sql = new Sql(tx.dialect);
  const [row] = await tx.all(sql, `SELECT "tags" FROM "Product" WHERE "shop" = ${sql.p(shop)} AND "id" = ${sql.p(id)}`);
  return row ? String(row.tags) : null;
}

async function shopCurrency(tx: Executor, shop: string): Promise<string | undefined> {
  const sql = new Sql(tx.dialect);
  const [row] = await tx.all(sql, `SELECT "currencyCode" FROM "Shop" WHERE "domain" = ${sql.p(shop)}`);
  return row ? String(row.currencyCode) : undefined;
}

/**
 * Several order payloads of one shop at once, already mapped (`mapOrderWebhook`), with one result each:
 * equivalent to applying them one after the other (the newest version of an order wins, by updatedAt,
 * the later one on a tie), but in a few multi-row statements instead of a handful per event — most of
 * the processor's work under load.
 */
export async function applyOrderWebhooks(
  tx: Executor,
  { shop, mapped: mappings, now }: { shop: string; mapped: readonly MapResult<OrderMapping>[]; now: Date },
): Promise<Applied[]> {
  const results: Applied[] = [];
  const orders: OrderRow[] = [];
  const customers: CustomerRow[] = [];
  for (const mapped of mappings) {
    if (!mapped.ok) {
      results.push(fail(mapped));
      continue;
    }
    const { order, customer } = mapped.value;
    if (customer) customers.push(customer);
    orders.push(order);
    results.push({ ok: true, customersChanged: order.customerId ? [order.customerId] : [] });
  }
  // The order's own, partial copy of its customer: it creates a customer whose customers/create has
  // not arrived (yet), and never overwrites the full record.
  await upsertCustomers(tx, { shop, rows: customers, now, insertOnly: true });
  await upsertOrders(tx, { shop, rows: orders, now });
  return results;
}

const fail = (result: MapResult<unknown> & { ok: false }): Applied => ({ ok: false, error: result.error });

export async function applyWebhook(
  tx: Executor,
  {
    shop,
    topic,
    payload,
    now,
    triggeredAt = null,
  }: { shop: string; topic: string; payload: unknown; now: Date; triggeredAt?: Date | null },
): Promise<Applied> {
  switch (topic) {
    case "customer.tags_added":
    case "customer.tags_removed": {
      const mapped = mapCustomerTagsWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      const { customerId, tags, occurredAt } = mapped.value;
      // Ordered by the payload's occurredAt; without it by X-Shopify-Triggered-At; without either, the
      // event is taken as the newest (the last one processed wins).
      const at = occurredAt ?? triggeredAt ?? now;
      const changed = await applyTagsEvent(tx, { shop, customerId, tags, added: topic === "customer.tags_added", at });
      return { ok: true, customersChanged: changed ? [customerId] : [] };
    }
    case "customers_email_marketing_consent/update":
    case "customers_marketing_consent/update": {
      const email = topic === "customers_email_marketing_consent/update";
      const mapped = email ? mapEmailConsentWebhook(payload) : mapSmsConsentWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      const { customerId, state, consentUpdatedAt } = mapped.value;
      // Ordered by the payload's own consent_updated_at only, never by X-Shopify-Triggered-At: the body
      // is signed, the headers are not, so a replayed body can come with any Triggered-At (and a new
      // event id). A payload without a time is handled by applyConsentEvent (decision 015).
      const changed = await applyConsentEvent(tx, { shop, customerId, channel: email ? "email" : "sms", state, at: consentUpdatedAt, now });
      return { ok: true, customersChanged: changed ? [customerId] : [] };
    }
    case "customers/create":
    case "customers/update": {
      const mapped = mapCustomerWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      // Since API 2025-01 these payloads carry neither tags nor consent: keep what we hold (the
      // bulk backfill and reconciliation, over GraphQL, bring them).
      await upsertCustomers(tx, { shop, rows: [mapped.value], now, keep: customerWebhookGaps(payload) });
      return { ok: true, customersChanged: [mapped.value.id] };
    }
    case "customers/delete": {
      const mapped = mapDeleteWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      await deleteRecords(tx, { shop, kind: "customer", ids: [mapped.value.id], now });
      // Changed in the sense that matters to segments: the customer leaves every one.
      return { ok: true, customersChanged: [mapped.value.id] };
    }
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/cancelled":
      return (await applyOrderWebhooks(tx, { shop, mapped: [mapOrderWebhook(payload)], now }))[0]!;
    case "orders/delete": {
      const mapped = mapDeleteWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      const { affectedCustomers } = await deleteRecords(tx, { shop, kind: "order", ids: [mapped.value.id], now });
      return { ok: true, customersChanged: affectedCustomers };
    }
    case "products/create":
    case "products/update": {
      // REST product payloads give prices without a currency: they are in the shop's.
      const mapped = mapProductWebhook(payload, await shopCurrency(tx, shop));
      if (!mapped.ok) return fail(mapped);
      const keep = mapped.value.priceMinor === null ? (["priceMinor"] as const) : [];
      const before = await productTags(tx, shop, mapped.value.id);
      await upsertProducts(tx, { shop, rows: [mapped.value], now, keep });
      // A stale payload changes nothing; a new product matters only if it carries tags.
      const after = await productTags(tx, shop, mapped.value.id);
      return { ok: true, customersChanged: [], productTagsChanged: (before ?? "") !== (after ?? "") };
    }
    case "products/delete": {
      const mapped = mapDeleteWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      const before = await productTags(tx, shop, mapped.value.id);
      await deleteRecords(tx, { shop, kind: "product", ids: [mapped.value.id], now });
      return { ok: true, customersChanged: [], productTagsChanged: (before ?? "") !== "" };
    }
    case "app/uninstalled": {
      // The token is void: sessions go. The shop and its data stay until shop/redact (48 hours later),
      // so a quick re-install finds them.
      const sql = new Sql(tx.dialect);
      await tx.run(sql, `DELETE FROM "Session" WHERE "shop" = ${sql.p(shop)}`);
      const sql2 = new Sql(tx.dialect);
      await tx.run(
        sql2,
        `UPDATE "Shop" SET "uninstalledAt" = ${sql2.p(now)}, "updatedAt" = ${sql2.p(now)}
         WHERE "domain" = ${sql2.p(shop)} AND "uninstalledAt" IS NULL`,
      );
      return { ok: true, customersChanged: [] };
    }
    case "app/scopes_update": {
      const current = (payload as { current?: unknown } | null)?.current;
      if (!Array.isArray(current)) return { ok: false, error: "current: expected the list of granted scopes" };
      const sql = new Sql(tx.dialect);
      await tx.run(
        sql,
        `UPDATE "Session" SET "scope" = ${sql.p(current.map(String).join(","))}
         WHERE "shop" = ${sql.p(shop)} AND "isOnline" = ${sql.p(false)}`,
      );
      return { ok: true, customersChanged: [] };
    }
    case "bulk_operations/finish": {
      const id = (payload as { admin_graphql_api_id?: unknown } | null)?.admin_graphql_api_id;
      if (typeof id !== "string") return { ok: false, error: "admin_graphql_api_id: expected the bulk operation's id" };
      return { ok: true, customersChanged: [], bulkOperationFinished: id };
    }
    case "customers/data_request":
    case "customers/redact":
    case "shop/redact":
      // Mandatory compliance topics: verified and recorded here (the inbox row is the record); what
      // they do to the data belongs to the privacy work.
      return { ok: true, customersChanged: [] };
    default:
      return { ok: false, error: `topic ${topic}: not one Tailored subscribes to` };
  }
}
