// What each webhook topic does to our copy of the shop. Runs inside the processor's transaction, so
// the effects and the inbox's "done" commit together. Payloads are mapped by the pure mappers
// (app/sync/mappers/rest.ts); one that does not fit comes back as an error for the inbox to keep.
import type { Executor } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import type { CustomerRow, OrderRow } from "~/domain/rows";
import { applyConsentEvent, applyTagsEvent } from "~/models/customer-events.server";
import { CUSTOMER_TABLES, eraseCustomer, erasures, eraseShop, SHOP_TABLES } from "~/models/erasure.server";
import { deleteRecords, upsertCustomers, upsertOrders, upsertProducts } from "~/models/store.server";
import { emailConsentStates, noteConsentChange } from "~/export/consent.server";
import { savePrivacyReport } from "~/export/privacy-report.server";
import { mapCustomerRedact, mapDataRequest, mapShopRedact } from "./compliance";
import { AFTER_UNINSTALL_TOPICS } from "./installed-shops";
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
      /**
       * Personal data was erased (a redact), or a delivery about someone erased was refused: after the
       * commit the storage is scrubbed (scrubStorage; these tables re-sampled) and the webhook journal
       * moves to a new file.
       */
      erased?: readonly string[];
      /** Customers this event removed for good: nothing is recomputed for them. */
      forget?: readonly string[];
      /** Every row of the shop is gone (shop/redact): nothing more of it is applied in this batch. */
      shopErased?: boolean;
    }
  | {
      ok: false;
      error: string;
      /** The payload is not kept with the failure (no retry can fix it, and it is personal data). */
      discard?: boolean;
    };

/** The product's tags as we hold them; null when we hold no such product. */
async function productTags(tx: Executor, shop: string, id: string): Promise<string | null> {
  const [row] = await tx.all(
    sql`SELECT "tags" FROM "Product" WHERE "shop" = ${shop} AND "id" = ${id}`,
    decoder({ tags: text }),
  );
  return row ? row.tags : null;
}

async function shopCurrency(tx: Executor, shop: string): Promise<string | undefined> {
  const [row] = await tx.all(
    sql`SELECT "currencyCode" FROM "Shop" WHERE "domain" = ${shop}`,
    decoder({ currencyCode: text }),
  );
  return row?.currencyCode;
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
  const erasedCustomers = (await upsertCustomers(tx, { shop, rows: customers, now, insertOnly: true })).erased;
  const erasedOrders = (await upsertOrders(tx, { shop, rows: orders, now })).erased;
  if (erasedCustomers.size === 0 && erasedOrders.size === 0) return results;
  // Orders about someone erased went in without them: nothing of theirs to recompute, and the
  // delivery's traces are scrubbed after the commit.
  let i = 0;
  return results.map((result) => {
    if (!result.ok) return result;
    const order = orders[i++]!;
    if (!erasedOrders.has(order.id)) return result;
    return { ok: true, customersChanged: [], erased: [] };
  });
}

/** A delivery about a customer who was erased: applied as nothing, and scrubbed after. */
async function erasedCustomer(tx: Executor, shop: string, id: string): Promise<Applied | null> {
  return (await erasures(tx, { shop, customerIds: [id] })).customers.size > 0
    ? { ok: true, customersChanged: [], erased: [] }
    : null;
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
    seq = -1,
  }: {
    shop: string;
    topic: string;
    payload: unknown;
    now: Date;
    triggeredAt?: Date | null;
    /** The event's inbox row (a redact leaves its own to the processor, which blanks it). */
    seq?: number;
  },
): Promise<Applied> {
  if (AFTER_UNINSTALL_TOPICS.has(topic)) {
    const [held] = await tx.all(sql`SELECT 1 AS "held" FROM "Shop" WHERE "domain" = ${shop}`);
    // A shop erased by shop/redact (another process may still take its compliance topics for a few
    // minutes): nothing of it is held and nothing is written, the delivery's own row included.
    if (!held) {
      await eraseShop(tx, { shop });
      return { ok: true, customersChanged: [], erased: [...SHOP_TABLES], shopErased: true };
    }
  }
  switch (topic) {
    case "customer.tags_added":
    case "customer.tags_removed": {
      const mapped = mapCustomerTagsWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      const { customerId, tags, occurredAt } = mapped.value;
      const erased = await erasedCustomer(tx, shop, customerId);
      if (erased) return erased;
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
      const erased = await erasedCustomer(tx, shop, customerId);
      if (erased) return erased;
      // Ordered by the payload's own consent_updated_at only, never by X-Shopify-Triggered-At: the body
      // is signed, the headers are not, so a replayed body can come with any Triggered-At (and a new
      // event id). A payload without a time is handled by applyConsentEvent (decision 015).
      const changed = await applyConsentEvent(tx, {
        shop,
        customerId,
        channel: email ? "email" : "sms",
        state,
        at: consentUpdatedAt,
        now,
      });
      // Kept-in-sync email tools follow consent even when membership does not move (decision 024).
      if (changed && email) await noteConsentChange(tx, { shop, customerIds: [customerId], now });
      return { ok: true, customersChanged: changed ? [customerId] : [] };
    }
    case "customers/create":
    case "customers/update": {
      const mapped = mapCustomerWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      const erased = await erasedCustomer(tx, shop, mapped.value.id);
      if (erased) return erased;
      // Since API 2025-01 these payloads carry neither tags nor consent: keep what we hold (the
      // bulk backfill and reconciliation, over GraphQL, bring them).
      const keep = customerWebhookGaps(payload);
      // A payload that carries email consent (API versions before 2025-01) may change it.
      const consent = !keep.includes("emailMarketingState");
      const ids = [mapped.value.id];
      const before = consent ? await emailConsentStates(tx, { shop, customerIds: ids }) : null;
      await upsertCustomers(tx, { shop, rows: [mapped.value], now, keep });
      if (before && (await emailConsentStates(tx, { shop, customerIds: ids })).get(ids[0]!) !== before.get(ids[0]!))
        await noteConsentChange(tx, { shop, customerIds: ids, now });
      return { ok: true, customersChanged: [mapped.value.id] };
    }
    case "customers/delete": {
      const mapped = mapDeleteWebhook(payload);
      if (!mapped.ok) return fail(mapped);
      // Erased already: a tombstone with the id itself must not be written.
      const erased = await erasedCustomer(tx, shop, mapped.value.id);
      if (erased) return erased;
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
      await tx.run(sql`DELETE FROM "Session" WHERE "shop" = ${shop}`);
      await tx.run(
        sql`UPDATE "Shop" SET "uninstalledAt" = ${now}, "updatedAt" = ${now}
         WHERE "domain" = ${shop} AND "uninstalledAt" IS NULL`,
      );
      return { ok: true, customersChanged: [] };
    }
    case "app/scopes_update": {
      const current = (payload as { current?: unknown } | null)?.current;
      if (!Array.isArray(current)) return { ok: false, error: "current: expected the list of granted scopes" };
      await tx.run(
        sql`UPDATE "Session" SET "scope" = ${current.map(String).join(",")}
         WHERE "shop" = ${shop} AND "isOnline" = ${false}`,
      );
      return { ok: true, customersChanged: [] };
    }
    case "bulk_operations/finish": {
      const id = (payload as { admin_graphql_api_id?: unknown } | null)?.admin_graphql_api_id;
      if (typeof id !== "string") return { ok: false, error: "admin_graphql_api_id: expected the bulk operation's id" };
      return { ok: true, customersChanged: [], bulkOperationFinished: id };
    }
    case "customers/data_request": {
      // The report of what Tailored holds about the customer, kept for the merchant (Privacy page,
      // `tailored privacy report`); the request's own payload, like every applied event's, is not kept.
      const mapped = mapDataRequest(payload, shop);
      if (!mapped.ok) return { ok: false, error: mapped.error, discard: true };
      await savePrivacyReport(tx, { shop, request: mapped.value, now });
      return { ok: true, customersChanged: [] };
    }
    case "customers/redact": {
      const mapped = mapCustomerRedact(payload, shop);
      if (!mapped.ok) return { ok: false, error: mapped.error, discard: true };
      const { customerIds } = await eraseCustomer(tx, { shop, request: mapped.value, seq, now });
      return { ok: true, customersChanged: [], erased: CUSTOMER_TABLES, forget: customerIds };
    }
    case "shop/redact": {
      const mapped = mapShopRedact(payload, shop);
      if (!mapped.ok) return { ok: false, error: mapped.error, discard: true };
      await eraseShop(tx, { shop });
      return { ok: true, customersChanged: [], erased: [...SHOP_TABLES, "Shop"], shopErased: true };
    }
    default:
      return { ok: false, error: `topic ${topic}: not one Tailored subscribes to` };
  }
}
