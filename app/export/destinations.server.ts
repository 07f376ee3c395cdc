// One adapter per destination, the shape the job runner drives (runner.server.ts): make or find the
// segment's list there, add members, take members off. Consent is the runner's (only SUBSCRIBED email
// marketing consent reaches an email tool); batch limits and request shapes are the clients'.
import type { AdminClient } from "~/sync/admin-client.server";
import { FIELDS, type ExportContext, type ExportMember } from "./csv";
import { DestinationError } from "./http.server";
import type { JobError } from "./jobs.server";
import {
  KLAVIYO_IMPORT_MAX_BYTES,
  KLAVIYO_IMPORT_MAX_PROFILES,
  KLAVIYO_LIST_RELATIONSHIP_MAX,
  KLAVIYO_SUBSCRIBE_MAX,
  KLAVIYO_UNSUBSCRIBE_MAX,
  type KlaviyoClient,
  type KlaviyoProfile,
} from "./klaviyo.server";
import { MAILCHIMP_BATCH_MAX, subscriberHash, type MailchimpClient } from "./mailchimp.server";
import { segmentMetafieldKey, segmentTag, ShopifyTagsClient } from "./shopify-tags.server";

export type Added = { customerId: string; remoteId: string | null };

export interface Adapter {
  /** Sends e-mail: only members with SUBSCRIBED email marketing consent (and an e-mail) are sent. */
  readonly emailTool: boolean;
  /** Members a batch holds (one checkpoint each). */
  readonly batchSize: number;
  /**
   * The segment's place there (list id, tag), made when `existing` is null. A full run may move it
   * (Mailchimp: the merchant chose another audience since); the runner then forgets the old records.
   */
  prepare(segment: { id: number; name: string }, existing: string | null, mode: "full" | "sync"): Promise<string>;
  add(
    remote: string,
    members: readonly ExportMember[],
    ctx: ExportContext,
  ): Promise<{ added: Added[]; failed: JobError[] }>;
  remove(
    remote: string,
    records: readonly { customerId: string; remoteId: string | null }[],
  ): Promise<{ removed: string[]; failed: JobError[] }>;
  /**
   * Members we sent who no longer consent (before `remove`): unsubscribed there, where the service
   * keeps a subscription status of its own (Klaviyo's profiles, Mailchimp's audience). Returns the
   * failures.
   */
  withdraw?(remote: string, members: readonly ExportMember[]): Promise<JobError[]>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The facts sent as custom properties (Klaviyo) and merge fields (Mailchimp), read as the CSV reads them. */
function facts(m: ExportMember, ctx: ExportContext): Record<string, string | number | null> {
  return {
    tailored_orders: m.ordersCount,
    tailored_amount_spent: FIELDS.amount_spent.cell(m, ctx),
    tailored_last_order: FIELDS.last_order_date.cell(m),
    tailored_rfm_group: m.rfmGroup,
    tailored_lifecycle: FIELDS.lifecycle_stage.cell(m, ctx),
  };
}

// ---------------------------------------------------------------------------------------------------

export function klaviyoAdapter(
  client: KlaviyoClient,
  {
    now,
    listsCreatedToday,
    dailyListCap = 100,
  }: { now: () => Date; listsCreatedToday: () => Promise<number>; dailyListCap?: number },
): Adapter {
  return {
    emailTool: true,
    batchSize: 1_000,
    async prepare(segment, existing) {
      if (existing) return existing;
      // Klaviyo caps list creation per day (150 in its docs, 100 by a maintainer's word: the lower one).
      if ((await listsCreatedToday()) >= dailyListCap) {
        throw new DestinationError(
          `Klaviyo: ${dailyListCap} lists were made today already (Klaviyo's daily cap); try tomorrow`,
          {
            service: "Klaviyo",
            code: "LIST_CAP",
            retryable: true,
          },
        );
      }
      return client.createList(`Tailored: ${segment.name}`.slice(0, 100));
    },
    async add(listId, members, ctx) {
      const byEmail = new Map(members.map((m) => [m.email!.toLowerCase(), m]));
      const added: Added[] = [];
      const failed: JobError[] = [];
      for (const chunk of importChunks(members.map((m) => toProfile(m, ctx)))) {
        const outcome = await client.importProfiles(chunk, listId);
        const refused = new Set<string>();
        for (const e of outcome.errors) {
          const m = e.email ? byEmail.get(e.email.toLowerCase()) : undefined;
          if (m) refused.add(m.id);
          failed.push({ customerId: m?.id ?? null, code: e.code, message: e.detail });
        }
        if (outcome.status === "cancelled") {
          for (const p of chunk)
            if (!refused.has(p.external_id))
              failed.push({
                customerId: p.external_id,
                code: "cancelled",
                message: "Klaviyo cancelled the import job",
              });
          continue;
        }
        const ok = chunk.filter((p) => !refused.has(p.external_id));
        const consent = ok.map((p) => ({
          email: p.email,
          consentedAt: byEmail.get(p.email.toLowerCase())?.emailConsentAt ?? null,
        }));
        for (let i = 0; i < consent.length; i += KLAVIYO_SUBSCRIBE_MAX)
          await client.subscribe(consent.slice(i, i + KLAVIYO_SUBSCRIBE_MAX), listId, now());
        for (const p of ok)
          added.push({ customerId: p.external_id, remoteId: outcome.profileIds.get(p.email.toLowerCase()) ?? null });
      }
      return { added, failed };
    },
    async remove(listId, records) {
      const known = records.filter((r) => r.remoteId);
      const failed: JobError[] = records
        .filter((r) => !r.remoteId)
        .map((r) => ({
          customerId: r.customerId,
          code: "no_profile_id",
          message: "Klaviyo's profile id for this customer is not known",
        }));
      for (let i = 0; i < known.length; i += KLAVIYO_LIST_RELATIONSHIP_MAX) {
        await client.removeFromList(
          listId,
          known.slice(i, i + KLAVIYO_LIST_RELATIONSHIP_MAX).map((r) => r.remoteId!),
        );
      }
      return { removed: known.map((r) => r.customerId), failed };
    },
    async withdraw(listId, members) {
      // Klaviyo answers a whole job or refuses it: a refusal stops the run (and is retried), as any call.
      const emails = members.filter((m) => m.email).map((m) => m.email!);
      for (let i = 0; i < emails.length; i += KLAVIYO_UNSUBSCRIBE_MAX)
        await client.unsubscribe(emails.slice(i, i + KLAVIYO_UNSUBSCRIBE_MAX), listId);
      return [];
    },
  };
}

function toProfile(m: ExportMember, ctx: ExportContext): KlaviyoProfile {
  return {
    email: m.email!,
    external_id: m.id,
    first_name: m.firstName,
    last_name: m.lastName,
    location: { country: m.countryCode, region: m.provinceCode, city: m.city },
    properties: facts(m, ctx),
  };
}

/** At most 10,000 profiles and (with room for the envelope) 5 MB a job. */
function* importChunks(profiles: readonly KlaviyoProfile[]): Generator<KlaviyoProfile[]> {
  let chunk: KlaviyoProfile[] = [];
  let bytes = 0;
  const budget = KLAVIYO_IMPORT_MAX_BYTES - 64 * 1024;
  for (const p of profiles) {
    const size = Buffer.byteLength(JSON.stringify(p)) + 40;
    if (chunk.length > 0 && (chunk.length >= KLAVIYO_IMPORT_MAX_PROFILES || bytes + size > budget)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(p);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

// ---------------------------------------------------------------------------------------------------

/** Mailchimp's place for a segment: the audience and the tag, as one remote id. */
export function mailchimpRemote(remote: string): { list: string; tag: string } {
  const parsed = JSON.parse(remote) as { list: string; tag: string };
  return { list: parsed.list, tag: parsed.tag };
}

export function mailchimpAdapter(client: MailchimpClient, { audienceId }: { audienceId?: string } = {}): Adapter {
  return {
    emailTool: true,
    batchSize: MAILCHIMP_BATCH_MAX,
    async prepare(segment, existing, mode) {
      // A sync run keeps the segment where its last full run put it; a full run follows the choice.
      if (existing && (mode === "sync" || !audienceId || mailchimpRemote(existing).list === audienceId))
        return existing;
      const audiences = await client.audiences();
      const audience = audienceId ? audiences.find((a) => a.id === audienceId) : audiences[0];
      if (!audience) {
        throw new DestinationError(
          audienceId
            ? "Mailchimp: the audience chosen on the Settings page is no longer in the account; choose another"
            : "Mailchimp: the account has no audience to add members to; create one in Mailchimp",
          { service: "Mailchimp", code: "NO_AUDIENCE" },
        );
      }
      return JSON.stringify({ list: audience.id, tag: segmentTag(segment.name) });
    },
    async add(remote, members) {
      const { list, tag } = mailchimpRemote(remote);
      const failed: JobError[] = [];
      const byEmail = new Map(members.map((m) => [m.email!.toLowerCase(), m]));
      const outcome = await client.upsertMembers(
        list,
        members.map((m) => ({
          email_address: m.email!,
          status_if_new: "subscribed" as const,
          // Only the audience's default merge fields: another must first be made in the audience, and an
          // unknown one fails the member.
          merge_fields: {
            ...(m.firstName ? { FNAME: m.firstName } : {}),
            ...(m.lastName ? { LNAME: m.lastName } : {}),
          },
        })),
      );
      const refused = new Set<string>();
      for (const e of outcome.errors) {
        const m = byEmail.get(e.email);
        if (m) refused.add(m.id);
        failed.push({ customerId: m?.id ?? null, code: e.code, message: e.message });
      }
      const ok = members.filter((m) => !refused.has(m.id));
      const hashes = new Map(ok.map((m) => [subscriberHash(m.email!), m]));
      const tagFailures = await client.setTags(
        list,
        [...hashes.keys()].map((hash) => ({ hash, status: "active" as const })),
        tag,
      );
      const untagged = new Set(tagFailures.map((f) => f.hash));
      for (const f of tagFailures)
        failed.push({ customerId: hashes.get(f.hash)?.id ?? null, code: "tag", message: f.error });
      return {
        added: [...hashes]
          .filter(([hash]) => !untagged.has(hash))
          .map(([hash, m]) => ({ customerId: m.id, remoteId: hash })),
        failed,
      };
    },
    async remove(remote, records) {
      const { list, tag } = mailchimpRemote(remote);
      const known = records.filter((r) => r.remoteId);
      const failures = await client.setTags(
        list,
        known.map((r) => ({ hash: r.remoteId!, status: "inactive" as const })),
        tag,
      );
      const bad = new Set(failures.map((f) => f.hash));
      const failed: JobError[] = known
        .filter((r) => bad.has(r.remoteId!))
        .map((r) => ({
          customerId: r.customerId,
          code: "tag",
          message: failures.find((f) => f.hash === r.remoteId)!.error,
        }));
      return { removed: known.filter((r) => !bad.has(r.remoteId!)).map((r) => r.customerId), failed };
    },
    async withdraw(remote, members) {
      const { list } = mailchimpRemote(remote);
      const withEmail = members.filter((m) => m.email);
      const byEmail = new Map(withEmail.map((m) => [m.email!.toLowerCase(), m]));
      const failed: JobError[] = [];
      for (let i = 0; i < withEmail.length; i += MAILCHIMP_BATCH_MAX) {
        const outcome = await client.unsubscribeMembers(
          list,
          withEmail.slice(i, i + MAILCHIMP_BATCH_MAX).map((m) => m.email!),
        );
        for (const e of outcome.errors)
          failed.push({ customerId: byEmail.get(e.email)?.id ?? null, code: e.code, message: e.message });
      }
      return failed;
    },
  };
}

// ---------------------------------------------------------------------------------------------------

export function shopifyTagsAdapter(admin: AdminClient, sleep?: (ms: number) => Promise<void>): Adapter {
  const client = new ShopifyTagsClient(admin, sleep);
  return shopifyFlagAdapter(
    (segment) => segmentTag(segment.name),
    (ids, tag, on) => client.setTag(ids, tag, on),
  );
}

/**
 * The segment as an app-owned boolean metafield on each customer ($app:tailored.segment_<id>): true as
 * they enter, false as they leave, for Shopify Flow, Shopify Email segments and discounts.
 */
export function shopifyMetafieldAdapter(admin: AdminClient, sleep?: (ms: number) => Promise<void>): Adapter {
  const client = new ShopifyTagsClient(admin, sleep);
  return shopifyFlagAdapter(
    (segment) => segmentMetafieldKey(segment.id),
    (ids, key, on) => client.setSegmentFlag(ids, key, on),
  );
}

/** A per-customer mark in Shopify (a tag, a metafield), set as members enter and cleared as they leave. */
function shopifyFlagAdapter(
  name: (segment: Parameters<Adapter["prepare"]>[0]) => string,
  write: (customerIds: string[], mark: string, on: boolean) => Promise<{ customerId: string; error: string | null }[]>,
): Adapter {
  const split = (results: { customerId: string; error: string | null }[]) => ({
    ok: results.filter((r) => r.error === null).map((r) => r.customerId),
    failed: results
      .filter((r) => r.error !== null)
      .map((r) => ({ customerId: r.customerId, code: "userErrors", message: r.error! })),
  });
  return {
    emailTool: false,
    batchSize: 250,
    async prepare(segment, existing) {
      return existing ?? name(segment);
    },
    async add(mark, members) {
      try {
        const { ok, failed } = split(
          await write(
            members.map((m) => m.id),
            mark,
            true,
          ),
        );
        return { added: ok.map((customerId) => ({ customerId, remoteId: null })), failed };
      } catch (error) {
        throw new DestinationError(`Shopify: ${message(error)}`, { service: "Shopify", retryable: true });
      }
    },
    async remove(mark, records) {
      const { ok, failed } = split(
        await write(
          records.map((r) => r.customerId),
          mark,
          false,
        ),
      );
      return { removed: ok, failed };
    },
  };
}
