// Klaviyo (REST API, JSON:API bodies; ../shared/notes/contracts.md section 4):
// - auth `Authorization: Klaviyo-API-Key <private key>`, and a `revision` header on every request;
// - profiles upserted by bulk import jobs (POST /api/profile-bulk-import-jobs: at most 10,000 profiles
//   and 5 MB a job, 202 with the job; polled until `complete` or `cancelled`; failures read from
//   /import-errors), added to the segment's list by the job's list relationship;
// - consent by subscription bulk-create jobs (at most 1,000 profiles a call): only customers Shopify
//   reports SUBSCRIBED reach Klaviyo at all, and are sent with their consent;
// - consent withdrawn in the shop: unsubscribed in Klaviyo by subscription bulk-delete jobs (POST
//   /api/profile-subscription-bulk-delete-jobs, at most 100 profiles a call, 202; the list relationship
//   scopes it to the segment's list, which the profiles leave as well);
// - leaving members: DELETE /api/lists/{id}/relationships/profiles (profile ids, at most 1,000);
//   the ids are read from the import job's profiles (GET …/{job}/profiles) and kept per export record;
// - deletion (customers/redact): POST /api/data-privacy-deletion-jobs with exactly one identifier.
// A bad key is answered 400/401/403. 429 carries Retry-After (seconds); http.server.ts waits it out.
import { expectJson, httpClient, type HttpClient, type HttpOptions } from "./http.server";

export const KLAVIYO_REVISION = "2025-01-15";
export const KLAVIYO_IMPORT_MAX_PROFILES = 10_000;
export const KLAVIYO_IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const KLAVIYO_SUBSCRIBE_MAX = 1_000;
export const KLAVIYO_LIST_RELATIONSHIP_MAX = 1_000;
export const KLAVIYO_UNSUBSCRIBE_MAX = 100;

export type KlaviyoProfile = {
  email: string;
  external_id: string;
  first_name?: string | null;
  last_name?: string | null;
  location?: { country?: string | null; region?: string | null; city?: string | null };
  properties: Record<string, string | number | null>;
};

export type ImportOutcome = {
  jobId: string;
  status: string;
  completed: number;
  failed: number;
  /** Import errors as Klaviyo reports them (its detail, and the profile's email for the caller to map). */
  errors: { email: string | null; code: string; detail: string }[];
  /** email (lower case) -> Klaviyo profile id, for the profiles the job imported. */
  profileIds: Map<string, string>;
};

type JsonApi<T> = { data: T; links?: { next?: string | null } };

export class KlaviyoClient {
  private readonly http: HttpClient;
  private readonly origin: string;
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly apiKey: string,
    options: HttpOptions & { origin?: string; pollMs?: number } = {},
  ) {
    this.origin = (options.origin ?? "https://a.klaviyo.com").replace(/\/+$/, "");
    this.http = httpClient("Klaviyo", options);
    this.pollMs = options.pollMs ?? 1_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Klaviyo-API-Key ${this.apiKey}`,
      revision: KLAVIYO_REVISION,
      accept: "application/vnd.api+json",
      "content-type": "application/vnd.api+json",
    };
  }

  private async call<T>(method: string, path: string, what: string, ok: number[], body?: unknown): Promise<T> {
    const response = await this.http(method, `${this.origin}${path}`, {
      headers: this.headers(),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return expectJson<T>("Klaviyo", what, response, ok);
  }

  /** Checks the key (GET /api/accounts); returns the account's organisation name when it has one. */
  async validate(): Promise<{ account: string | null }> {
    const body = await this.call<JsonApi<{ attributes?: { contact_information?: { organization_name?: string } } }[]>>(
      "GET",
      "/api/accounts",
      "checking the API key",
      [200],
    );
    return { account: body.data?.[0]?.attributes?.contact_information?.organization_name ?? null };
  }

  async createList(name: string): Promise<string> {
    const body = await this.call<JsonApi<{ id: string }>>("POST", "/api/lists", "creating a list", [201, 200], {
      data: { type: "list", attributes: { name } },
    });
    return body.data.id;
  }

  /** Upserts profiles and adds them to the list, then waits for the job; at most 10,000 and 5 MB. */
  async importProfiles(profiles: readonly KlaviyoProfile[], listId: string): Promise<ImportOutcome> {
    if (profiles.length > KLAVIYO_IMPORT_MAX_PROFILES)
      throw new Error(`at most ${KLAVIYO_IMPORT_MAX_PROFILES} profiles a job`);
    const body = {
      data: {
        type: "profile-bulk-import-job",
        attributes: { profiles: { data: profiles.map((attributes) => ({ type: "profile", attributes })) } },
        relationships: { lists: { data: [{ type: "list", id: listId }] } },
      },
    };
    if (Buffer.byteLength(JSON.stringify(body)) > KLAVIYO_IMPORT_MAX_BYTES)
      throw new Error("the import job is over 5 MB");
    const created = await this.call<JsonApi<{ id: string }>>(
      "POST",
      "/api/profile-bulk-import-jobs",
      "importing profiles",
      [202],
      body,
    );
    const jobId = created.data.id;
    let attributes: { status: string; completed_count?: number | null; failed_count?: number | null };
    for (;;) {
      const job = await this.call<JsonApi<{ attributes: typeof attributes }>>(
        "GET",
        `/api/profile-bulk-import-jobs/${encodeURIComponent(jobId)}`,
        "reading an import job",
        [200],
      );
      attributes = job.data.attributes;
      if (attributes.status === "complete" || attributes.status === "cancelled") break;
      await this.sleep(this.pollMs);
    }
    const failed = attributes.failed_count ?? 0;
    const errors = failed > 0 ? await this.importErrors(jobId) : [];
    return {
      jobId,
      status: attributes.status,
      completed: attributes.completed_count ?? 0,
      failed,
      errors,
      profileIds: await this.importedProfileIds(jobId),
    };
  }

  private async *pages<T>(path: string, what: string): AsyncGenerator<T[]> {
    let next: string | null = path;
    while (next) {
      const body: JsonApi<T[]> = await this.call<JsonApi<T[]>>("GET", next, what, [200]);
      yield body.data ?? [];
      const link = body.links?.next ?? null;
      // Only a link on the same origin is followed: the key goes with it.
      next = link && link.startsWith(this.origin) ? link.slice(this.origin.length) : null;
    }
  }

  private async importErrors(jobId: string): Promise<ImportOutcome["errors"]> {
    const out: ImportOutcome["errors"] = [];
    type ImportError = { attributes: { code?: string; detail?: string; original_payload?: { email?: string } } };
    for await (const page of this.pages<ImportError>(
      `/api/profile-bulk-import-jobs/${encodeURIComponent(jobId)}/import-errors`,
      "reading import errors",
    )) {
      for (const e of page) {
        out.push({
          email: e.attributes.original_payload?.email ?? null,
          code: e.attributes.code ?? "import_error",
          detail: (e.attributes.detail ?? "").slice(0, 200),
        });
      }
    }
    return out;
  }

  private async importedProfileIds(jobId: string): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    type Profile = { id: string; attributes: { email?: string | null } };
    for await (const page of this.pages<Profile>(
      `/api/profile-bulk-import-jobs/${encodeURIComponent(jobId)}/profiles?fields[profile]=email&page[size]=100`,
      "reading imported profiles",
    )) {
      for (const p of page) if (p.attributes.email) ids.set(p.attributes.email.toLowerCase(), p.id);
    }
    return ids;
  }

  /** Email marketing consent for profiles Shopify reports SUBSCRIBED; at most 1,000 a call. */
  async subscribe(
    profiles: readonly { email: string; consentedAt: Date | null }[],
    listId: string,
    now: Date,
  ): Promise<void> {
    if (profiles.length > KLAVIYO_SUBSCRIBE_MAX) throw new Error(`at most ${KLAVIYO_SUBSCRIBE_MAX} profiles a call`);
    await this.call("POST", "/api/profile-subscription-bulk-create-jobs", "subscribing profiles", [202], {
      data: {
        type: "profile-subscription-bulk-create-job",
        attributes: {
          custom_source: "Tailored",
          // The consent was given in the shop, earlier: imported as history (no double opt-in, no flows).
          historical_import: true,
          profiles: {
            data: profiles.map((p) => ({
              type: "profile",
              attributes: {
                email: p.email,
                subscriptions: {
                  email: { marketing: { consent: "SUBSCRIBED", consented_at: (p.consentedAt ?? now).toISOString() } },
                },
              },
            })),
          },
        },
        relationships: { list: { data: { type: "list", id: listId } } },
      },
    });
  }

  /** Email marketing consent revoked for these profiles (they leave the list too); at most 100 a call. */
  async unsubscribe(emails: readonly string[], listId: string): Promise<void> {
    if (emails.length === 0) return;
    if (emails.length > KLAVIYO_UNSUBSCRIBE_MAX) throw new Error(`at most ${KLAVIYO_UNSUBSCRIBE_MAX} profiles a call`);
    await this.call("POST", "/api/profile-subscription-bulk-delete-jobs", "unsubscribing profiles", [202], {
      data: {
        type: "profile-subscription-bulk-delete-job",
        attributes: {
          profiles: {
            data: emails.map((email) => ({
              type: "profile",
              attributes: { email, subscriptions: { email: { marketing: { consent: "UNSUBSCRIBED" } } } },
            })),
          },
        },
        relationships: { list: { data: { type: "list", id: listId } } },
      },
    });
  }

  /** Takes profiles off the list (their consent is not changed); at most 1,000 a call. */
  async removeFromList(listId: string, profileIds: readonly string[]): Promise<void> {
    if (profileIds.length === 0) return;
    if (profileIds.length > KLAVIYO_LIST_RELATIONSHIP_MAX) throw new Error("at most 1,000 profiles a call");
    await this.call(
      "DELETE",
      `/api/lists/${encodeURIComponent(listId)}/relationships/profiles`,
      "removing profiles from a list",
      [204, 200],
      {
        data: profileIds.map((id) => ({ type: "profile", id })),
      },
    );
  }

  /** customers/redact: asks Klaviyo to delete every profile with this e-mail (asynchronous there). */
  async requestDeletion(email: string): Promise<void> {
    await this.call("POST", "/api/data-privacy-deletion-jobs", "requesting a deletion", [202, 200], {
      data: {
        type: "data-privacy-deletion-job",
        attributes: { profile: { data: { type: "profile", attributes: { email } } } },
      },
    });
  }
}
