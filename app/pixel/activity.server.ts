// PixelActivity: per customer, the number of distinct sessions and the newest event's time of their
// stored events, which is what sessions_count and last_seen_date read in SQL
// (app/models/segments/compile-behaviour.ts). A count over every customer then reads one small row each
// instead of all their events (docs/decisions/037-pixel-activity-rollup.md).
//
// The row is never adjusted by a difference. Whatever changes a customer's events recomputes their row
// from PixelEvent (refreshActivity), in the transaction that made the change and after it: the writer
// (inserts and stitching), the retention purge and customers/redact. So a customer has a row exactly
// when they have an event, and its figures are those of their events. shop/redact empties the table
// with every other (SHOP_TABLES).
//
// PostgreSQL runs writers side by side (READ COMMITTED): two transactions changing one customer's
// events could each recompute from a snapshot without the other's change, and the one that commits last
// would leave a figure missing the other's change. So the shop's activity lock (transaction-scoped) is
// taken by every transaction that changes the shop's events, before its first change (lockActivity:
// the writer, the purge, the erasure), and by refreshActivity in any case before it reads. Of two
// refreshes of a customer the second then reads once the first has committed (each statement reads what
// was committed when it began), so the one that commits last has seen every change. Taking it before
// the first change, rather than only at the refresh, keeps one order (the lock, then the rows): the
// writer, holding rows it stitched, never waits for the lock while a redact holding it waits for those
// rows. SQLite needs none of this: a write transaction already excludes every other writer.
import type { Executor } from "~/db/database.server";
import { sql, sqlIn } from "~/db/sql";

/** Customers per DELETE / INSERT … SELECT (one parameter each on SQLite, one array on PostgreSQL). */
const REFRESH_BATCH = 500;

/**
 * The first key of the lock's two-key form (which PostgreSQL keeps apart from the one-key form that
 * lockShop and the migrations use); the second is the shop's hash. Two shops that share a hash only
 * wait for each other.
 */
const ACTIVITY_LOCK_CLASS = 23_037;

/**
 * Takes the shops' activity lock until the transaction ends (PostgreSQL; nothing on SQLite), in name
 * order. Call it before changing the shops' events; taking it again in one transaction does not wait.
 */
export async function lockActivity(tx: Executor, shops: string | readonly string[]): Promise<void> {
  if (tx.dialect !== "postgres") return;
  for (const shop of [...new Set(typeof shops === "string" ? [shops] : shops)].sort())
    await tx.all(sql`SELECT pg_advisory_xact_lock(${ACTIVITY_LOCK_CLASS}, hashtext(${shop}))`);
}

/** Each customer's row as their events make it (the caller scopes by shop and customers). */
const FROM_EVENTS = sql`SELECT "shop", "customerId", COUNT(DISTINCT "sessionId"), MAX("at") FROM "PixelEvent"`;

/**
 * Recomputes the rows of `customerIds` from their events: call it in the transaction that changed the
 * events, after the change (on its own it makes a transaction of its own). A customer left without
 * events loses their row.
 */
export async function refreshActivity(
  tx: Executor,
  { shop, customerIds }: { shop: string; customerIds: Iterable<string> },
): Promise<void> {
  const ids = [...new Set(customerIds)].sort();
  if (ids.length === 0) return;
  await tx.transaction(async (t) => {
    await lockActivity(t, shop);
    for (let i = 0; i < ids.length; i += REFRESH_BATCH) {
      const part = ids.slice(i, i + REFRESH_BATCH);
      await t.run(sql`DELETE FROM "PixelActivity" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, part)}`);
      await t.run(
        sql`INSERT INTO "PixelActivity" ("shop", "customerId", "sessions", "lastSeenAt")
         ${FROM_EVENTS} WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, part)} GROUP BY "shop", "customerId"`,
      );
    }
  });
}

/**
 * Recomputes every row of the shop in one pass over its events: after a bulk load that wrote events
 * without the writer (a generator, an import), or as a repair (`tailored pixel rebuild-activity`). On
 * PostgreSQL the ingest's refreshes of the shop wait for it. Returns the number of customers with events.
 */
export async function rebuildActivity(db: Executor, { shop }: { shop: string }): Promise<number> {
  return db.transaction(async (tx) => {
    await lockActivity(tx, shop);
    await tx.run(sql`DELETE FROM "PixelActivity" WHERE "shop" = ${shop}`);
    return tx.run(
      sql`INSERT INTO "PixelActivity" ("shop", "customerId", "sessions", "lastSeenAt")
       ${FROM_EVENTS} WHERE "shop" = ${shop} AND "customerId" IS NOT NULL GROUP BY "shop", "customerId"`,
    );
  });
}

/** The distinct customer ids among rows (anonymous ones left out). */
export function customersOf(rows: Iterable<{ customerId: string | null }>): Set<string> {
  const ids = new Set<string>();
  for (const row of rows) if (row.customerId !== null) ids.add(row.customerId);
  return ids;
}
