// Sends customers/redact's deletion requests to the connected email tools (ContactDeletion rows,
// queued by erasure.server.ts): Klaviyo's data-privacy deletion job, Mailchimp's permanent delete in
// each of the account's audiences. Retried with growing waits until done (or, after MAX_ATTEMPTS over
// about two weeks, marked failed for the merchant to see); the sealed e-mail is blanked either way
// once the row is finished. A row is leased as the export jobs are (nextAttemptAt moved forward
// before the request), so two processes never send the same one at once.
import type { Executor } from "~/db/database.server";
import { date, decoder, int, raw, sql, text } from "~/db/sql";
import { clientFor, CredentialsError, isService, type ClientOptions } from "./credentials.server";
import { DestinationError } from "./http.server";
import { deletionContext } from "./erasure.server";
import type { KlaviyoClient } from "./klaviyo.server";
import type { MailchimpClient } from "./mailchimp.server";
import { keyringFromEnv, open } from "./secrets.server";

export const MAX_DELETION_ATTEMPTS = 20;
const LEASE_MS = 5 * 60_000;

/**
 * What is kept of a failed deletion request: the service and the status, in words of our own. Never the
 * service's message nor the request's path: Mailchimp's path holds the subscriber hash, md5 of the
 * erased person's e-mail, and a service's message may quote the address (docs/PRIVACY.md).
 */
export function deletionError(error: unknown, service: string, retrying: boolean): string {
  const name = service === "klaviyo" ? "Klaviyo" : service === "mailchimp" ? "Mailchimp" : "The service";
  const then = retrying ? " (will be tried again)" : " (gave up)";
  if (error instanceof CredentialsError) return `${name}: not connected any more${then}`;
  if (error instanceof DestinationError) {
    const { status, code } = error.details;
    if (status !== undefined) return `${name}: HTTP ${status}${then}`;
    if (code === "TIMEOUT") return `${name}: no answer in time${then}`;
    if (code === "NETWORK") return `${name}: could not connect${then}`;
    return `${name}: an answer that could not be read${then}`;
  }
  return `${name}: the request failed${then}`;
}

/** 1 min, 2, 4, … capped at a day: 20 attempts span about two weeks. */
export function deletionRetryMs(attempts: number): number {
  return Math.min(24 * 60 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}

export type DeletionRow = {
  id: number;
  shop: string;
  service: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date | null;
  doneAt: Date | null;
};

/** Sends every due request; returns how many were done and how many will be tried again. */
export async function processDeletions(
  db: Executor,
  { now, options = {}, limit = 100 }: { now: () => Date; options?: ClientOptions; limit?: number },
): Promise<{ done: number; retrying: number; failed: number }> {
  const result = { done: 0, retrying: 0, failed: 0 };
  const t = now();
  const leaseUntil = new Date(t.getTime() + LEASE_MS);
  const claimed = await db.transaction(async (tx) => {
    const pick = sql`SELECT "id" FROM "ContactDeletion" WHERE "status" = 'pending' AND "nextAttemptAt" <= ${t}
      ORDER BY "id" LIMIT ${limit}${raw(tx.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "")}`;
    return tx.all(
      sql`UPDATE "ContactDeletion" SET "nextAttemptAt" = ${leaseUntil}, "attempts" = "attempts" + 1 WHERE "id" IN (${pick})
       RETURNING "id", "shop", "service", "contact", "attempts"`,
      decoder({ id: int, shop: text, service: text, contact: text, attempts: int }),
    );
  });
  for (const row of claimed) {
    try {
      if (!isService(row.service)) throw new Error(`unknown service ${row.service}`);
      const email = open(
        keyringFromEnv(options.env ?? process.env),
        row.contact,
        deletionContext(row.shop, row.service),
      ).plaintext;
      const client = await clientFor(db, { shop: row.shop, service: row.service, options });
      if (row.service === "klaviyo") {
        await (client as KlaviyoClient).requestDeletion(email);
      } else {
        const mailchimp = client as MailchimpClient;
        for (const audience of await mailchimp.audiences()) await mailchimp.deletePermanently(audience.id, email);
      }
      await db.run(
        sql`UPDATE "ContactDeletion" SET "status" = 'done', "contact" = '', "doneAt" = ${now()}, "lastError" = NULL WHERE "id" = ${row.id}`,
      );
      result.done++;
    } catch (error) {
      const giveUp = row.attempts >= MAX_DELETION_ATTEMPTS;
      const message = deletionError(error, row.service, !giveUp);
      await db.run(
        sql`UPDATE "ContactDeletion" SET "lastError" = ${message},
           "status" = ${giveUp ? "failed" : "pending"}, "contact" = ${giveUp ? raw("''") : raw(`"contact"`)},
           "nextAttemptAt" = ${new Date(now().getTime() + deletionRetryMs(row.attempts))}
         WHERE "id" = ${row.id}`,
      );
      if (giveUp) result.failed++;
      else result.retrying++;
    }
  }
  return result;
}

export async function listDeletions(
  db: Executor,
  { shop, limit = 50 }: { shop: string; limit?: number },
): Promise<DeletionRow[]> {
  return db.all(
    sql`SELECT "id", "shop", "service", "status", "attempts", "lastError", "createdAt", "doneAt" FROM "ContactDeletion"
     WHERE "shop" = ${shop} ORDER BY "id" DESC LIMIT ${limit}`,
    decoder({
      id: int,
      shop: text,
      service: text,
      status: text,
      attempts: int,
      lastError: (v) => (v == null ? null : String(v)),
      createdAt: date,
      doneAt: date,
    }),
  );
}
