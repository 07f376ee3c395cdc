// Mailchimp Marketing API 3.0 (../shared/notes/contracts.md section 5):
// - base https://<dc>.api.mailchimp.com/3.0, dc the key's suffix after its last '-'; HTTP Basic with
//   any user name and the key as password; GET /ping checks it;
// - an audience (list) per shop, chosen by the merchant or the first one; a tag per segment;
// - batch member upserts, POST /lists/{id} with at most 500 members, answered 200 even when some
//   fail: `errors[]` is read and each failure recorded;
// - subscriber hash = MD5 of the lower-cased e-mail; tags set active/inactive per member as they enter
//   and leave (POST /lists/{id}/members/{hash}/tags, 204);
// - at most 10 simultaneous connections per user: this client never has more than `concurrency`
//   (default 4) requests in flight; a 429 (sent without rate-limit headers) is backed off;
// - customers/redact: POST /lists/{id}/members/{hash}/actions/delete-permanent.
import { createHash } from "node:crypto";
import { DestinationError, expectJson, httpClient, type HttpClient, type HttpOptions } from "./http.server";

export const MAILCHIMP_BATCH_MAX = 500;
export const MAILCHIMP_MAX_CONNECTIONS = 10;

export function subscriberHash(email: string): string {
  return createHash("md5").update(email.toLowerCase()).digest("hex");
}

/** The data centre a key names ("…-us6" -> "us6"); null when the key has none. */
export function dataCentre(apiKey: string): string | null {
  const dc = apiKey.slice(apiKey.lastIndexOf("-") + 1);
  // Only a plain data-centre name goes into a host name the key is sent to.
  return apiKey.includes("-") && /^[a-z]{2,4}[0-9]{1,3}$/.test(dc) ? dc : null;
}

export type MailchimpMember = {
  email_address: string;
  // New contacts only: one who unsubscribed in Mailchimp itself is never subscribed again by us.
  status_if_new: "subscribed";
  merge_fields: Record<string, string | number>;
};

export type BatchOutcome = {
  created: number;
  updated: number;
  errors: { email: string; code: string; message: string }[];
};

/** A counting semaphore: Mailchimp refuses an eleventh simultaneous connection. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export class MailchimpClient {
  private readonly http: HttpClient;
  private readonly base: string;
  private readonly gate: Gate;

  constructor(
    private readonly apiKey: string,
    options: HttpOptions & { origin?: string; concurrency?: number } = {},
  ) {
    const dc = dataCentre(apiKey);
    if (!options.origin && !dc) {
      throw new DestinationError("Mailchimp: the API key has no data centre (it ends in -us6 or the like)", {
        service: "Mailchimp",
        code: "BAD_KEY",
      });
    }
    this.base = `${(options.origin ?? `https://${dc}.api.mailchimp.com`).replace(/\/+$/, "")}/3.0`;
    this.http = httpClient("Mailchimp", options);
    this.gate = new Gate(Math.min(MAILCHIMP_MAX_CONNECTIONS, Math.max(1, options.concurrency ?? 4)));
  }

  private async call<T>(method: string, path: string, what: string, ok: number[], body?: unknown): Promise<T> {
    return this.gate.run(async () => {
      const response = await this.http(method, `${this.base}${path}`, {
        headers: {
          authorization: `Basic ${Buffer.from(`tailored:${this.apiKey}`).toString("base64")}`,
          "content-type": "application/json",
          accept: "application/json",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return expectJson<T>("Mailchimp", what, response, ok);
    });
  }

  /** Checks the key (GET /ping), and names the account (GET /). */
  async validate(): Promise<{ account: string | null }> {
    await this.call("GET", "/ping", "checking the API key", [200]);
    const root = await this.call<{ account_name?: string }>("GET", "/", "reading the account", [200]);
    return { account: root.account_name ?? null };
  }

  /** The audiences, to choose one (the first, unless the merchant named one). */
  async audiences(): Promise<{ id: string; name: string }[]> {
    const body = await this.call<{ lists?: { id: string; name: string }[] }>(
      "GET",
      "/lists?fields=lists.id,lists.name&count=100",
      "listing audiences",
      [200],
    );
    return body.lists ?? [];
  }

  /** Upserts at most 500 members; failures in the 200 answer come back one by one. */
  async upsertMembers(listId: string, members: readonly MailchimpMember[]): Promise<BatchOutcome> {
    if (members.length > MAILCHIMP_BATCH_MAX) throw new Error(`at most ${MAILCHIMP_BATCH_MAX} members a call`);
    return this.batch(listId, members);
  }

  private async batch(
    listId: string,
    members: readonly (MailchimpMember | { email_address: string; status: "unsubscribed"; merge_fields: object })[],
  ): Promise<BatchOutcome> {
    const body = await this.call<{
      total_created?: number;
      total_updated?: number;
      errors?: { email_address?: string; error?: string; error_code?: string }[];
    }>("POST", `/lists/${encodeURIComponent(listId)}`, "upserting members", [200], {
      members,
      update_existing: true,
    });
    return {
      created: body.total_created ?? 0,
      updated: body.total_updated ?? 0,
      errors: (body.errors ?? []).map((e) => ({
        email: (e.email_address ?? "").toLowerCase(),
        code: e.error_code ?? "ERROR_GENERIC",
        message: (e.error ?? "").slice(0, 200),
      })),
    };
  }

  /** Consent withdrawn: the members' status set to unsubscribed (batch upsert, existing members only matter). */
  async unsubscribeMembers(listId: string, emails: readonly string[]): Promise<BatchOutcome> {
    if (emails.length > MAILCHIMP_BATCH_MAX) throw new Error(`at most ${MAILCHIMP_BATCH_MAX} members a call`);
    return this.batch(
      listId,
      emails.map((email_address) => ({ email_address, status: "unsubscribed", merge_fields: {} })),
    );
  }

  /**
   * Sets members' tags active or inactive, by subscriber hash (`is_syncing`: no tag automation fires),
   * `concurrency` requests at a time within Mailchimp's 10 connections. Returns the ones that failed.
   */
  async setTags(
    listId: string,
    items: readonly { hash: string; status: "active" | "inactive" }[],
    tag: string,
  ): Promise<{ hash: string; error: string }[]> {
    const failures: { hash: string; error: string }[] = [];
    await Promise.all(
      items.map((item) =>
        this.call(
          "POST",
          `/lists/${encodeURIComponent(listId)}/members/${encodeURIComponent(item.hash)}/tags`,
          "setting tags",
          [204, 200],
          { tags: [{ name: tag, status: item.status }], is_syncing: true },
        ).catch((error: unknown) => {
          failures.push({ hash: item.hash, error: error instanceof Error ? error.message : String(error) });
        }),
      ),
    );
    return failures;
  }

  /** customers/redact: erases the member's personal data for good (a plain DELETE only archives). */
  async deletePermanently(listId: string, email: string): Promise<void> {
    const response = await this.gate.run(() =>
      this.http(
        "POST",
        `${this.base}/lists/${encodeURIComponent(listId)}/members/${subscriberHash(email)}/actions/delete-permanent`,
        {
          headers: { authorization: `Basic ${Buffer.from(`tailored:${this.apiKey}`).toString("base64")}` },
        },
      ),
    );
    // 404: no such member there, which is what was asked for.
    if (response.status === 404) return void (await response.body?.cancel());
    await expectJson("Mailchimp", "deleting a member", response, [204, 200]);
  }
}
