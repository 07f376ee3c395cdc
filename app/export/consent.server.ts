// Consent-only changes for the segments kept in sync with an email tool (decision 024). A customer's
// email marketing consent can change while their membership does not (a rule about orders, not
// consent): no SegmentEvent is written, yet Klaviyo or Mailchimp must now get them (SUBSCRIBED) or
// lose them (no longer SUBSCRIBED). The webhook processor notes such a change here, in its own
// transaction (ConsentEvent: an id, the shop and the customer id, nothing else), and only while the
// shop keeps some segment in sync with an email tool; the sync runs read the notes after their
// consentCursor (runner.server.ts) and decide from the customer's state at that time.
import type { Executor } from "~/db/database.server";
import { decoder, int, sql, sqlIn, text } from "~/db/sql";
import { SERVICES } from "./targets";

const EMAIL_TARGETS = sqlIn(`"target"`, SERVICES);

/** Notes that these customers' email consent changed, when the shop keeps an email-tool sync. */
export async function noteConsentChange(
  tx: Executor,
  { shop, customerIds, now }: { shop: string; customerIds: readonly string[]; now: Date },
): Promise<number> {
  if (customerIds.length === 0) return 0;
  const [sync] = await tx.all(
    sql`SELECT 1 AS x FROM "SegmentSync" WHERE "shop" = ${shop} AND "keepInSync" = ${true} AND ${EMAIL_TARGETS} LIMIT 1`,
  );
  if (!sync) return 0;
  let n = 0;
  for (const customerId of new Set(customerIds)) {
    n += await tx.run(
      sql`INSERT INTO "ConsentEvent" ("shop", "customerId", "at") VALUES (${shop}, ${customerId}, ${now})`,
    );
  }
  return n;
}

/** The email consent state of these customers as held (for a caller that compares before and after). */
export async function emailConsentStates(
  tx: Executor,
  { shop, customerIds }: { shop: string; customerIds: readonly string[] },
): Promise<Map<string, string>> {
  if (customerIds.length === 0) return new Map();
  const rows = await tx.all(
    sql`SELECT "id", "emailMarketingState" FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, customerIds)}`,
    decoder({ id: text, emailMarketingState: text }),
  );
  return new Map(rows.map((r) => [r.id, r.emailMarketingState]));
}

/** The newest ConsentEvent id of a shop (0 without any). */
export async function lastConsentEvent(db: Executor, { shop }: { shop: string }): Promise<number> {
  const [row] = await db.all(
    sql`SELECT MAX("id") AS id FROM "ConsentEvent" WHERE "shop" = ${shop}`,
    decoder({ id: int }),
  );
  return row?.id ?? 0;
}

/**
 * The customers, members of the segment now, whose consent changed after `after` up to `until`, in
 * event order (`limit` events at most); `last` is the last event id read (the next page's `after`).
 */
export async function consentChangesPage(
  db: Executor,
  {
    shop,
    segmentId,
    after,
    until,
    limit,
  }: { shop: string; segmentId: number; after: number; until: number; limit: number },
): Promise<{ customerIds: string[]; last: number }> {
  const rows = await db.all(
    sql`SELECT e."id", e."customerId" FROM "ConsentEvent" e
     JOIN "SegmentMember" m ON m."shop" = e."shop" AND m."segmentId" = ${segmentId} AND m."customerId" = e."customerId"
     WHERE e."shop" = ${shop} AND e."id" > ${after} AND e."id" <= ${until}
     ORDER BY e."id" LIMIT ${limit}`,
    decoder({ id: int, customerId: text }),
  );
  return { customerIds: [...new Set(rows.map((r) => r.customerId))], last: rows.at(-1)?.id ?? until };
}
