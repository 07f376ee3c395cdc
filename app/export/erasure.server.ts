// What customers/redact does to the export's own tables, inside the redact's transaction
// (app/models/erasure.server.ts calls it): the customer's export records and privacy reports go, their
// id leaves the jobs' error lists, and each connected email tool gets a deletion request queued
// (ContactDeletion, the e-mail sealed until the request succeeds: deletions.server.ts sends them).
// Also the retention of what the export keeps (pruneExportData).
import type { Executor } from "~/db/database.server";
import { decoder, int, raw, sql, sqlIn, text } from "~/db/sql";
import { keyringFromEnv, seal, SecretsError } from "./secrets.server";

/** The tables the export adds that hold customer data, re-sampled after an erasure. */
export const EXPORT_CUSTOMER_TABLES = [
  "ExportRecord",
  "ExportJob",
  "PrivacyReport",
  "ContactDeletion",
  "ConsentEvent",
] as const;

/** Every export table with a shop column (shop/redact empties them with the shop's other rows). */
export const EXPORT_SHOP_TABLES = [
  "Destination",
  "ExportRecord",
  "ExportJob",
  "SegmentSync",
  "ContactDeletion",
  "PrivacyReport",
  "ConsentEvent",
] as const;

export const deletionContext = (shop: string, service: string) => `tailored:contact-deletion\n${shop}\n${service}`;

export async function eraseExportData(
  tx: Executor,
  {
    shop,
    customerIds,
    emails,
    now,
    env = process.env,
  }: {
    shop: string;
    customerIds: readonly string[];
    emails: readonly string[];
    now: Date;
    env?: Record<string, string | undefined>;
  },
): Promise<void> {
  await tx.run(sql`DELETE FROM "ExportRecord" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`);
  await tx.run(sql`DELETE FROM "PrivacyReport" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`);
  await tx.run(sql`DELETE FROM "ConsentEvent" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`);
  // A report asked for by e-mail only names the customer in its text.
  const position = raw(tx.dialect === "sqlite" ? "instr" : "strpos");
  for (const email of emails) {
    await tx.run(
      sql`DELETE FROM "PrivacyReport" WHERE "shop" = ${shop} AND ${position}(lower("report"), ${email.toLowerCase()}) > 0`,
    );
  }
  // Job errors name customers by id: theirs go.
  if (customerIds.length > 0) {
    const ids = new Set(customerIds);
    const jobs = await tx.all(
      sql`SELECT "id", "errors" FROM "ExportJob" WHERE "shop" = ${shop} AND "errors" <> '[]'`,
      decoder({ id: int, errors: text }),
    );
    for (const job of jobs) {
      const errors = JSON.parse(job.errors) as { customerId: string | null }[];
      const kept = errors.filter((e) => !e.customerId || !ids.has(e.customerId));
      if (kept.length !== errors.length)
        await tx.run(sql`UPDATE "ExportJob" SET "errors" = ${JSON.stringify(kept)} WHERE "id" = ${job.id}`);
    }
  }
  // The email tools the shop connected are asked to delete the contact too.
  const services = await tx.all(
    sql`SELECT "service" FROM "Destination" WHERE "shop" = ${shop}`,
    decoder({ service: text }),
  );
  if (services.length === 0 || emails.length === 0) return;
  let keyring: ReturnType<typeof keyringFromEnv> | null = null;
  try {
    keyring = keyringFromEnv(env);
  } catch (error) {
    if (!(error instanceof SecretsError)) throw error;
  }
  for (const { service } of services) {
    for (const email of emails) {
      // Without the encryption key nothing can be sent (the API key is sealed with it too): recorded as
      // failed, without the e-mail, for the merchant to see.
      const contact = keyring ? seal(keyring, email, deletionContext(shop, service)) : "";
      await tx.run(
        sql`INSERT INTO "ContactDeletion" ("shop", "service", "contact", "status", "attempts", "lastError", "nextAttemptAt", "createdAt")
         VALUES (${shop}, ${service}, ${contact}, ${keyring ? "pending" : "failed"}, 0,
           ${keyring ? null : "TAILORED_ENCRYPTION_KEY is not set: the deletion could not be requested"}, ${now}, ${now})`,
      );
    }
  }
}

/** Kept this long: privacy reports (for the merchant to pass on), finished jobs, done deletions. */
export const KEEP_PRIVACY_REPORTS_DAYS = 90;
export const KEEP_EXPORT_JOBS_DAYS = 90;
/** Consent-change notes (ConsentEvent) no sync has yet read are kept at most this long. */
export const KEEP_CONSENT_EVENTS_DAYS = 30;
/** Membership history (SegmentEvent): sizes over time, and what syncs read. Shown on the Privacy page. */
export const MEMBERSHIP_HISTORY_DAYS = 400;

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/**
 * The daily prune: membership events past their retention (but none a sync has yet to push), old
 * privacy reports, finished jobs and done deletions. Returns how many rows went, per table.
 */
export async function pruneExportData(db: Executor, { now }: { now: Date }): Promise<Record<string, number>> {
  const events = await db.run(
    sql`DELETE FROM "SegmentEvent" WHERE "at" < ${daysBefore(now, MEMBERSHIP_HISTORY_DAYS)}
     AND NOT EXISTS (SELECT 1 FROM "SegmentSync" s WHERE s."shop" = "SegmentEvent"."shop"
       AND s."segmentId" = "SegmentEvent"."segmentId" AND s."eventCursor" < "SegmentEvent"."id")`,
  );
  const reports = await db.run(
    sql`DELETE FROM "PrivacyReport" WHERE "createdAt" < ${daysBefore(now, KEEP_PRIVACY_REPORTS_DAYS)}`,
  );
  const jobs = await db.run(
    sql`DELETE FROM "ExportJob" WHERE "status" IN ('done', 'failed') AND "finishedAt" < ${daysBefore(now, KEEP_EXPORT_JOBS_DAYS)}`,
  );
  const deletions = await db.run(
    sql`DELETE FROM "ContactDeletion" WHERE "status" IN ('done', 'failed') AND "createdAt" < ${daysBefore(now, KEEP_EXPORT_JOBS_DAYS)}`,
  );
  // Consent notes every email-tool sync of the shop has read, and any past their retention.
  const consent = await db.run(
    sql`DELETE FROM "ConsentEvent" WHERE "at" < ${daysBefore(now, KEEP_CONSENT_EVENTS_DAYS)}
     OR NOT EXISTS (SELECT 1 FROM "SegmentSync" s WHERE s."shop" = "ConsentEvent"."shop" AND s."keepInSync" = ${true}
       AND s."target" IN ('klaviyo', 'mailchimp') AND s."consentCursor" < "ConsentEvent"."id")`,
  );
  return {
    SegmentEvent: events,
    PrivacyReport: reports,
    ExportJob: jobs,
    ContactDeletion: deletions,
    ConsentEvent: consent,
  };
}
