// Tags and marketing consent, which since API 2025-01 arrive on their own webhooks
// (customer.tags_added/_removed, customers_email_marketing_consent/update,
// customers_marketing_consent/update), in no guaranteed order: per-tag and per-channel clocks on
// Customer keep a late, older event from overwriting newer state. Split from store.server.ts, whose
// upserts write whole records.
import type { Executor } from "~/db/database.server";
import { date, decoder, raw, sql, text } from "~/db/sql";
import { erasures } from "./erasure.server";
import { tombstoned } from "./store.server";

/**
 * A customer we have not heard of yet, for a tags or consent event that came before its
 * customers/create: a placeholder whose updatedAt is the epoch, so that the full record overwrites it
 * whenever it comes (the fields the event set are kept, as customers/* payloads no longer carry them).
 */
async function ensureCustomer(tx: Executor, shop: string, id: string, at: Date): Promise<boolean> {
  if ((await tombstoned(tx, { shop, kind: "customer", ids: [id] })).size > 0) return false;
  if ((await erasures(tx, { shop, customerIds: [id] })).customers.size > 0) return false;
  await tx.run(
    sql`INSERT INTO "Customer" ("shop", "id", "createdAt", "updatedAt", "syncedAt")
     VALUES (${shop}, ${id}, ${at}, ${new Date(0)}, ${at})
     ON CONFLICT ("shop", "id") DO NOTHING`,
  );
  return true;
}

/**
 * customer.tags_added / customer.tags_removed. Each tag changes only if the event is newer than both the
 * last whole tag list we stored (tagsAsOf) and the last event that changed that tag (tagClock): events
 * arrive in any order and more than once. Returns whether the tags changed.
 */
export async function applyTagsEvent(
  tx: Executor,
  {
    shop,
    customerId,
    tags,
    added,
    at,
  }: { shop: string; customerId: string; tags: readonly string[]; added: boolean; at: Date },
): Promise<boolean> {
  if (!(await ensureCustomer(tx, shop, customerId, at))) return false;
  const [row] = await tx.all(
    sql`SELECT "tags", "tagClock", "tagsAsOf" FROM "Customer" WHERE "shop" = ${shop} AND "id" = ${customerId}`,
    decoder({ tags: text, tagClock: text, tagsAsOf: date }),
  );
  if (!row) return false;
  const held = row.tags.split(",").filter((t) => t !== "");
  const clock = JSON.parse(row.tagClock) as Record<string, number>;
  const asOf = row.tagsAsOf?.getTime() ?? -Infinity;
  const ms = at.getTime();
  let next = [...held];
  let changed = false;
  for (const tag of tags) {
    if (ms <= asOf || ms <= (clock[tag] ?? -Infinity)) continue;
    clock[tag] = ms;
    changed = true;
    const has = next.includes(tag);
    if (added && !has) next.push(tag);
    if (!added && has) next = next.filter((t) => t !== tag);
  }
  if (!changed) return false;
  await tx.run(
    sql`UPDATE "Customer" SET "tags" = ${next.join(",")}, "tagClock" = ${JSON.stringify(clock)}
     WHERE "shop" = ${shop} AND "id" = ${customerId}`,
  );
  return next.join(",") !== held.join(",");
}

/**
 * customers_email_marketing_consent/update and customers_marketing_consent/update. `at` is the payload's
 * consent_updated_at, the only time about a consent change that a replay cannot forge: the body is
 * signed; X-Shopify-Triggered-At, the event id and the rest of the headers are not, and a captured
 * delivery can be sent again with any of them. So:
 * - with a time, the state changes only if the event is newer than the one we hold, and sets the clock;
 * - without one (Shopify sends none for a customer who never gave or withdrew consent), nothing says
 *   when it happened. It never overrides a state whose time we hold (a replayed old body would), and it
 *   never grants consent: among states without times, nothing can tell a replayed "subscribed" from a
 *   later "unsubscribed", and only the direction that cannot send unwanted email is safe to take on
 *   the body's word. It records a state that does not allow email where we know no time, and leaves
 *   the clock unset. (Backfill and reconciliation bring the state with the customer's updatedAt.)
 * Returns whether it changed.
 */
export async function applyConsentEvent(
  tx: Executor,
  {
    shop,
    customerId,
    channel,
    state,
    at,
    now,
  }: { shop: string; customerId: string; channel: "email" | "sms"; state: string; at: Date | null; now: Date },
): Promise<boolean> {
  if (at === null && state === "SUBSCRIBED") return false;
  if (!(await ensureCustomer(tx, shop, customerId, at ?? now))) return false;
  // The channel's columns, named here, never input.
  const [column, clock] =
    channel === "email"
      ? [raw(`"emailMarketingState"`), raw(`"emailConsentAt"`)]
      : [raw(`"smsMarketingState"`), raw(`"smsConsentAt"`)];
  const changed = await tx.run(
    at === null
      ? sql`UPDATE "Customer" SET ${column} = ${state}
         WHERE "shop" = ${shop} AND "id" = ${customerId} AND ${clock} IS NULL AND ${column} <> ${state}`
      : sql`UPDATE "Customer" SET ${column} = ${state}, ${clock} = ${at}
         WHERE "shop" = ${shop} AND "id" = ${customerId}
           AND (${clock} IS NULL OR ${clock} < ${at})`,
  );
  return changed > 0;
}
