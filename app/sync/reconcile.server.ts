// Reconciliation: webhooks can be lost (Shopify gives up after 8 retries over 4 hours, and an app
// that was down longer misses them). Every run asks Shopify for the customers and orders updated
// since our copy was last known complete, and feeds them through the same upserts; the stale guard
// makes the overlap harmless. Run it often enough (the worker does every 30 minutes) and a missing
// webhook is caught within the hour.
import type { Executor } from "~/db/database.server";
import { date, decoder, sql } from "~/db/sql";
import type { CustomerRow, OrderRow } from "~/domain/rows";
import { scoreRfm } from "~/models/rfm.server";
import { lockShop, recomputeFacts, upsertCustomers, upsertOrders } from "~/models/store.server";
import type { AdminClient } from "./admin-client.server";
import {
  CUSTOMERS_UPDATED_SINCE_PAGE_SIZE,
  CUSTOMERS_UPDATED_SINCE_QUERY,
  ORDER_LINE_ITEMS_PAGE_SIZE,
  ORDER_LINE_ITEMS_QUERY,
  ORDERS_UPDATED_SINCE_PAGE_SIZE,
  ORDERS_UPDATED_SINCE_QUERY,
} from "./bulk-queries";
import { mapCustomerNode, mapOrderNode } from "./mappers/graphql";

/** Re-read a little before the cursor: Shopify's updated_at and our clock are not the same clock. */
const OVERLAP_MS = 5 * 60_000;

type Page = {
  nodes: Record<string, unknown>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

export async function getCursor(db: Executor, shop: string, resource: string): Promise<Date | null> {
  const [row] = await db.all(
    sql`SELECT "syncedUntil" FROM "SyncCursor" WHERE "shop" = ${shop} AND "resource" = ${resource}`,
    decoder({ syncedUntil: date }),
  );
  return row ? row.syncedUntil : null;
}

export async function setCursor(
  db: Executor,
  {
    shop,
    resource,
    syncedUntil,
    now,
    found,
  }: { shop: string; resource: string; syncedUntil: Date; now: Date; found: number },
): Promise<void> {
  await db.run(
    sql`INSERT INTO "SyncCursor" ("shop", "resource", "syncedUntil", "lastRunAt", "lastRunFound")
     VALUES (${shop}, ${resource}, ${syncedUntil}, ${now}, ${found})
     ON CONFLICT ("shop", "resource") DO UPDATE SET "syncedUntil" = excluded."syncedUntil",
       "lastRunAt" = excluded."lastRunAt", "lastRunFound" = excluded."lastRunFound"`,
  );
}

type LinePage = { nodes?: unknown[]; pageInfo?: { hasNextPage?: boolean; endCursor?: string | null } };

/**
 * An order node's line items, all of them: the first page came with the order; an order with more
 * lines than that page holds gets the rest from follow-up queries, page by page.
 */
export async function allLineItems(
  client: AdminClient,
  node: Record<string, unknown>,
): Promise<{ ok: true; value: unknown[] } | { ok: false; error: string }> {
  const first = node.lineItems as LinePage | undefined;
  const lines = [...(first?.nodes ?? [])];
  let page = first?.pageInfo;
  const seen = new Set<string>();
  while (page?.hasNextPage) {
    if (!page.endCursor || seen.has(page.endCursor))
      return { ok: false, error: "more line items, but no new cursor to fetch them from" };
    seen.add(page.endCursor);
    const data: { order?: { lineItems?: LinePage } | null } = await client.request(ORDER_LINE_ITEMS_QUERY, {
      id: node.id,
      first: ORDER_LINE_ITEMS_PAGE_SIZE,
      after: page.endCursor,
    });
    const next = data.order?.lineItems;
    // Deleted since the page that listed it: orders/delete (or the next run) takes care of it.
    if (!next) return { ok: false, error: "the order is gone; its line items could not be read" };
    lines.push(...(next.nodes ?? []));
    page = next.pageInfo;
  }
  return { ok: true, value: lines };
}

export type ReconcileReport = { customers: number; orders: number; errors: string[] };

/** One pass for one shop. Without a cursor (no backfill yet) it starts from `fallbackSince`. */
export async function reconcile(
  db: Executor,
  { shop, client, now, fallbackSince }: { shop: string; client: AdminClient; now: () => Date; fallbackSince: Date },
): Promise<ReconcileReport> {
  const report: ReconcileReport = { customers: 0, orders: 0, errors: [] };
  for (const resource of ["customers", "orders"] as const) {
    const startedAt = now();
    const since = new Date(((await getCursor(db, shop, resource)) ?? fallbackSince).getTime() - OVERLAP_MS);
    const query = `updated_at:>'${since.toISOString()}'`;
    let after: string | null = null;
    let found = 0;
    for (;;) {
      const data: Record<string, Page> = await client.request(
        resource === "customers" ? CUSTOMERS_UPDATED_SINCE_QUERY : ORDERS_UPDATED_SINCE_QUERY,
        // Page sizes keep each query under Shopify's 1,000-point cost limit (bulk-queries.ts).
        {
          first: resource === "customers" ? CUSTOMERS_UPDATED_SINCE_PAGE_SIZE : ORDERS_UPDATED_SINCE_PAGE_SIZE,
          after,
          query,
        },
      );
      const page = data[resource];
      if (!page) throw new Error(`the ${resource} query returned no ${resource}`);
      const customers: CustomerRow[] = [];
      const orders: OrderRow[] = [];
      for (const node of page.nodes) {
        if (resource === "customers") {
          const mapped = mapCustomerNode(node);
          if (mapped.ok) customers.push(mapped.value);
          else report.errors.push(`customer: ${mapped.error}`);
        } else {
          const lines = await allLineItems(client, node);
          if (!lines.ok) {
            // Never written with some of its lines: the order stays as it was until the next run.
            report.errors.push(`order ${String(node.id)}: ${lines.error}`);
            continue;
          }
          const mapped = mapOrderNode(node, lines.value);
          if (mapped.ok) orders.push(mapped.value);
          else report.errors.push(`order: ${mapped.error}`);
        }
      }
      const at = now();
      await db.transaction(async (tx) => {
        await lockShop(tx, shop);
        if (customers.length) await upsertCustomers(tx, { shop, rows: customers, now: at });
        if (orders.length) await upsertOrders(tx, { shop, rows: orders, now: at });
        const touched = [
          ...new Set([...customers.map((c) => c.id), ...orders.flatMap((o) => (o.customerId ? [o.customerId] : []))]),
        ];
        await recomputeFacts(tx, { shop, customerIds: touched, now: at });
        await scoreRfm(tx, { shop, customerIds: touched });
      });
      found += page.nodes.length;
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    // Everything updated before this run started is now in (or will arrive by webhook).
    await setCursor(db, { shop, resource, syncedUntil: startedAt, now: now(), found });
    report[resource] = found;
  }
  return report;
}
