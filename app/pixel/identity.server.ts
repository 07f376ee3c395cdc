// Identity: a clientId is a visitor (Shopify's `_shopify_y` cookie, one browser). When an event says
// who the visitor is — sent while a customer is logged in, or a checkout_completed naming the
// order's customer — the visitor is linked to that customer (PixelVisitor) and the visitor's earlier
// anonymous events are rewritten to carry the customer's id. Later anonymous events of a linked
// visitor get the id as they are stored. Events carry the id themselves (rather than being joined
// through the link at read time) so that the segment SQL reads one table with one index
// (docs/decisions/023-web-pixel.md).
//
// A shared device: when another customer logs in on a linked browser the link moves to them; events
// already attributed stay with whoever they were attributed to.
//
// The ingest key is public (it is in the pixel's settings), so an event's customer id is a claim, not
// a proof. A claim is believed only for a customer the shop has (a Customer row: an erased customer has
// none, and its tombstone keeps a late webhook from bringing one back) and who is not erased (checked
// against the tombstones as well, in case a row outlived its erasure). Any other claim is dropped: the
// event is stored as the visitor's anonymous event and nothing is linked, so an erased customer cannot
// get browsing back and no event can be attached to an id the shop does not know. What a forger can
// still do, and cannot: docs/decisions/026-visit-interest-and-pixel-trust.md.
import type { Executor } from "~/db/database.server";
import type { Dialect } from "~/db/config";
import { decoder, raw, sql, sqlIn, text, type SqlQuery } from "~/db/sql";
import { erasures } from "~/models/erasure.server";
import type { PixelEventRow } from "./events";

/**
 * The rewrite's "still anonymous" test. On SQLite the column is hidden from the planner (`+`): as a
 * bare `IS NULL` it reads as an equality on the second column of `(shop, customerId, name, at)`, which
 * SQLite picked over `(shop, clientId)` on a shop without statistics, scanning every anonymous event of
 * the shop for each newly identified visitor (10 ms each at 50,000 events; the pixel benchmark).
 */
const ANONYMOUS = { sqlite: raw(`+"customerId" IS NULL`), postgres: raw(`"customerId" IS NULL`) } as const;

/** Gives a newly identified visitor's anonymous events their customer (exported for the plan's test). */
export function rewriteAnonymous(
  dialect: Dialect,
  { shop, clientId, customerId }: { shop: string; clientId: string; customerId: string },
): SqlQuery {
  return sql`UPDATE "PixelEvent" SET "customerId" = ${customerId}
   WHERE "shop" = ${shop} AND "clientId" = ${clientId} AND ${ANONYMOUS[dialect]}`;
}

/** Of the customer ids events claim, those the shop has and has not erased. */
export async function believableCustomers(
  tx: Executor,
  { shop, customerIds }: { shop: string; customerIds: readonly string[] },
): Promise<Set<string>> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return new Set();
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 250) {
    const part = ids.slice(i, i + 250);
    const rows = await tx.all(
      sql`SELECT "id" FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, part)}`,
      decoder({ id: text }),
    );
    for (const row of rows) known.add(row.id);
  }
  if (known.size === 0) return known;
  const erased = (await erasures(tx, { shop, customerIds: [...known] })).customers;
  for (const id of erased) known.delete(id);
  return known;
}

/**
 * Fills `customerId` on a batch's anonymous rows from the visitors' links and records new links;
 * rewrites the earlier anonymous events of newly identified visitors. Returns the customers whose
 * events changed (their memberships are to be re-evaluated; the caller refreshes their PixelActivity
 * once the rows are stored): every customer the returned rows name, those whose events were rewritten
 * among them.
 */
export async function stitch(
  tx: Executor,
  { shop, rows, now }: { shop: string; rows: PixelEventRow[]; now: Date },
): Promise<{ rows: PixelEventRow[]; customers: string[] }> {
  const believed = await believableCustomers(tx, {
    shop,
    customerIds: rows.flatMap((r) => (r.customerId ? [r.customerId] : [])),
  });
  rows = rows.map((r) => (r.customerId && !believed.has(r.customerId) ? { ...r, customerId: null } : r));
  const clientIds = [...new Set(rows.map((r) => r.clientId))];
  const links = new Map(
    (
      await tx.all(
        sql`SELECT "clientId", "customerId" FROM "PixelVisitor" WHERE "shop" = ${shop} AND ${sqlIn(`"clientId"`, clientIds)}`,
        decoder({ clientId: text, customerId: text }),
      )
    ).map((r) => [r.clientId, r.customerId]),
  );
  // The last event of a batch naming a customer decides the visitor's link (batches are in order).
  const named = new Map<string, string>();
  for (const row of rows) if (row.customerId) named.set(row.clientId, row.customerId);
  const customers = new Set<string>();
  for (const [clientId, customerId] of named) {
    customers.add(customerId);
    if (links.get(clientId) === customerId) continue;
    await tx.run(
      sql`INSERT INTO "PixelVisitor" ("shop", "clientId", "customerId", "linkedAt") VALUES (${shop}, ${clientId}, ${customerId}, ${now})
       ON CONFLICT ("shop", "clientId") DO UPDATE SET "customerId" = excluded."customerId", "linkedAt" = excluded."linkedAt"`,
    );
    await tx.run(rewriteAnonymous(tx.dialect, { shop, clientId, customerId }));
    links.set(clientId, customerId);
  }
  const stitched = rows.map((row) => {
    // Named, though not the last to name its visitor (two customers on one browser in one batch).
    if (row.customerId) {
      customers.add(row.customerId);
      return row;
    }
    const customerId = links.get(row.clientId);
    if (customerId) customers.add(customerId);
    return customerId ? { ...row, customerId } : row;
  });
  return { rows: stitched, customers: [...customers] };
}
