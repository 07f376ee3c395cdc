// A local stand-in for the parts of Klaviyo's API Tailored uses, held to the contract in
// ../shared/notes/contracts.md section 4: `Authorization: Klaviyo-API-Key <key>` (a bad or missing key
// is 400, as Klaviyo's auth guide says), a required `revision` header, JSON:API bodies; lists (a daily
// creation cap), bulk profile import jobs (at most 10,000 profiles and 5 MB; 202, then polled:
// queued/processing/complete; import errors for refused profiles), the job's profiles, subscription
// bulk-create jobs (at most 1,000) and bulk-delete jobs (unsubscribe, at most 100), list relationship deletes (at most 1,000), data-privacy deletion
// jobs (exactly one identifier). Faults (429 with/without Retry-After, 5xx) from fake-service.ts.
import { randomBytes } from "node:crypto";
import { FakeService, type Reply } from "./fake-service";

type Profile = {
  id: string;
  email: string;
  attributes: Record<string, unknown>;
  consent: string | null;
  consentedAt: string | null;
};

const error = (status: number, detail: string): Reply => ({
  status,
  body: { errors: [{ status, code: "invalid", title: "Error", detail }] },
});

export class FakeKlaviyo extends FakeService {
  readonly profiles = new Map<string, Profile>();
  readonly lists = new Map<string, { name: string; members: Set<string> }>();
  /** Every profile an accepted import job carried, in order (emails): "exactly once" is read here. */
  readonly imported: string[] = [];
  readonly subscribed: string[] = [];
  readonly unsubscribed: string[] = [];
  readonly deletions: string[] = [];
  /** Emails the import refuses (reported as import errors, failed_count). */
  readonly refuse = new Set<string>();
  /** Status reads of an import job before it is complete. */
  pollsUntilComplete = 0;
  dailyListCap = 150;
  private readonly jobs = new Map<
    string,
    { polls: number; total: number; failed: { email: string }[]; profileIds: string[] }
  >();

  constructor(private readonly apiKey: string) {
    super((req) => this.route(req));
  }

  private route({
    method,
    path,
    headers,
    body,
    raw,
    query,
  }: Parameters<ConstructorParameters<typeof FakeService>[0]>[0]): Reply {
    if (headers.authorization !== `Klaviyo-API-Key ${this.apiKey}`)
      return error(400, "Missing or invalid private key.");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(headers.revision ?? "")))
      return error(400, "The revision header is required.");
    const data = (body as { data?: Record<string, unknown> } | null)?.data;
    let m: RegExpMatchArray | null;
    if (method === "GET" && path === "/api/accounts") {
      return {
        status: 200,
        body: {
          data: [
            {
              type: "account",
              id: "AbC123",
              attributes: { contact_information: { organization_name: "Stand-in Store" } },
            },
          ],
        },
      };
    }
    if (method === "POST" && path === "/api/lists") {
      if (this.lists.size >= this.dailyListCap)
        return { status: 429, body: { errors: [{ detail: "daily list cap" }] }, headers: { "retry-after": "86400" } };
      const name = (data?.attributes as { name?: string } | undefined)?.name;
      if (!name) return error(400, "name is required");
      const id = `L${randomBytes(3).toString("hex")}`;
      this.lists.set(id, { name, members: new Set() });
      return { status: 201, body: { data: { type: "list", id, attributes: { name } } } };
    }
    if (method === "POST" && path === "/api/profile-bulk-import-jobs") {
      if (Buffer.byteLength(raw) > 5 * 1024 * 1024) return error(413, "Payload too large (5 MB)");
      const attrs = data?.attributes as { profiles?: { data?: { attributes: Record<string, unknown> }[] } } | undefined;
      const list = (data?.relationships as { lists?: { data?: { id: string }[] } } | undefined)?.lists?.data ?? [];
      const profiles = attrs?.profiles?.data ?? [];
      if (profiles.length === 0 || profiles.length > 10_000) return error(400, "between 1 and 10,000 profiles");
      const id = `J${randomBytes(4).toString("hex")}`;
      const failed: { email: string }[] = [];
      const profileIds: string[] = [];
      for (const p of profiles) {
        const email = String(p.attributes.email ?? "").toLowerCase();
        if (!email || this.refuse.has(email)) {
          failed.push({ email });
          continue;
        }
        this.imported.push(email);
        const held = this.profiles.get(email);
        const profile = held ?? {
          id: `P${randomBytes(5).toString("hex")}`,
          email,
          attributes: {},
          consent: null,
          consentedAt: null,
        };
        profile.attributes = { ...profile.attributes, ...p.attributes };
        this.profiles.set(email, profile);
        profileIds.push(profile.id);
        for (const l of list) this.lists.get(l.id)?.members.add(profile.id);
      }
      this.jobs.set(id, { polls: 0, total: profiles.length, failed, profileIds });
      return {
        status: 202,
        body: {
          data: { type: "profile-bulk-import-job", id, attributes: { status: "queued", total_count: profiles.length } },
        },
      };
    }
    if (method === "GET" && (m = path.match(/^\/api\/profile-bulk-import-jobs\/([^/]+)$/))) {
      const job = this.jobs.get(m[1]!);
      if (!job) return error(404, "no such job");
      const done = job.polls++ >= this.pollsUntilComplete;
      return {
        status: 200,
        body: {
          data: {
            type: "profile-bulk-import-job",
            id: m[1],
            attributes: {
              status: done ? "complete" : "processing",
              total_count: job.total,
              completed_count: done ? job.total - job.failed.length : 0,
              failed_count: done ? job.failed.length : 0,
            },
          },
        },
      };
    }
    if (method === "GET" && (m = path.match(/^\/api\/profile-bulk-import-jobs\/([^/]+)\/import-errors$/))) {
      const job = this.jobs.get(m[1]!);
      return {
        status: 200,
        body: {
          data: (job?.failed ?? []).map((f, i) => ({
            type: "import-error",
            id: `E${i}`,
            attributes: {
              code: "invalid",
              title: "Invalid input",
              detail: `${f.email} is not a valid email address`,
              original_payload: { email: f.email },
            },
          })),
          links: { next: null },
        },
      };
    }
    if (method === "GET" && (m = path.match(/^\/api\/profile-bulk-import-jobs\/([^/]+)\/profiles$/))) {
      const job = this.jobs.get(m[1]!);
      const ids = job?.profileIds ?? [];
      const size = Math.min(100, Number(query.get("page[size]") ?? 20));
      const start = Number(query.get("page[cursor]") ?? 0);
      const byId = new Map([...this.profiles.values()].map((p) => [p.id, p]));
      const next =
        start + size < ids.length ? `${this.url}${path}?page[size]=${size}&page[cursor]=${start + size}` : null;
      return {
        status: 200,
        body: {
          data: ids
            .slice(start, start + size)
            .map((id) => ({ type: "profile", id, attributes: { email: byId.get(id)?.email } })),
          links: { next },
        },
      };
    }
    if (method === "POST" && path === "/api/profile-subscription-bulk-create-jobs") {
      const attrs = data?.attributes as
        | {
            profiles?: {
              data?: {
                attributes: {
                  email?: string;
                  subscriptions?: { email?: { marketing?: { consent?: string; consented_at?: string } } };
                };
              }[];
            };
          }
        | undefined;
      const profiles = attrs?.profiles?.data ?? [];
      if (profiles.length === 0 || profiles.length > 1_000) return error(400, "between 1 and 1,000 profiles");
      const listId = (data?.relationships as { list?: { data?: { id: string } } } | undefined)?.list?.data?.id;
      for (const p of profiles) {
        const email = String(p.attributes.email ?? "").toLowerCase();
        const marketing = p.attributes.subscriptions?.email?.marketing;
        if (marketing?.consent !== "SUBSCRIBED") return error(400, "consent must be SUBSCRIBED");
        this.subscribed.push(email);
        const profile = this.profileFor(email);
        profile.consent = "SUBSCRIBED";
        profile.consentedAt = marketing.consented_at ?? null;
        this.profiles.set(email, profile);
        if (listId) this.lists.get(listId)?.members.add(profile.id);
      }
      return { status: 202 };
    }
    if (method === "POST" && path === "/api/profile-subscription-bulk-delete-jobs") {
      const profiles =
        (
          data?.attributes as
            { profiles?: { data?: { attributes: { email?: string; subscriptions?: unknown } }[] } } | undefined
        )?.profiles?.data ?? [];
      if (profiles.length === 0 || profiles.length > 100) return error(400, "between 1 and 100 profiles");
      const listId = (data?.relationships as { list?: { data?: { id: string } } } | undefined)?.list?.data?.id;
      for (const p of profiles) {
        const marketing = (p.attributes.subscriptions as { email?: { marketing?: { consent?: string } } } | undefined)
          ?.email?.marketing;
        if (marketing?.consent !== "UNSUBSCRIBED")
          return error(400, "subscriptions.email.marketing must be UNSUBSCRIBED");
      }
      for (const p of profiles) {
        const email = String(p.attributes.email ?? "").toLowerCase();
        this.unsubscribed.push(email);
        const profile = this.profileFor(email);
        profile.consent = "UNSUBSCRIBED";
        this.profiles.set(email, profile);
        if (listId) this.lists.get(listId)?.members.delete(profile.id);
      }
      return { status: 202 };
    }
    if (method === "DELETE" && (m = path.match(/^\/api\/lists\/([^/]+)\/relationships\/profiles$/))) {
      const list = this.lists.get(m[1]!);
      if (!list) return error(404, "no such list");
      const ids = (body as { data?: { id: string }[] } | null)?.data ?? [];
      if (ids.length === 0 || ids.length > 1_000) return error(400, "between 1 and 1,000 profiles");
      for (const { id } of ids) list.members.delete(id);
      return { status: 204 };
    }
    if (method === "POST" && path === "/api/data-privacy-deletion-jobs") {
      const profile =
        (data?.attributes as { profile?: { data?: { attributes?: Record<string, unknown> } } } | undefined)?.profile
          ?.data?.attributes ?? {};
      const ids = ["email", "phone_number", "id"].filter((k) => profile[k] !== undefined);
      if (ids.length !== 1) return error(400, "exactly one of email, phone_number or id");
      const email = String(profile.email ?? "").toLowerCase();
      this.deletions.push(email);
      const held = this.profiles.get(email);
      if (held) {
        this.profiles.delete(email);
        for (const list of this.lists.values()) list.members.delete(held.id);
      }
      return { status: 202 };
    }
    return error(404, `no route ${method} ${path}`);
  }

  /** The profile with this email, or a new one (Klaviyo makes a profile it does not know). */
  private profileFor(email: string): Profile {
    return (
      this.profiles.get(email) ?? {
        id: `P${randomBytes(5).toString("hex")}`,
        email,
        attributes: { email },
        consent: null,
        consentedAt: null,
      }
    );
  }

  /** The emails on a list now. */
  listEmails(listId: string): string[] {
    const ids = this.lists.get(listId)?.members ?? new Set<string>();
    return [...this.profiles.values()]
      .filter((p) => ids.has(p.id))
      .map((p) => p.email)
      .sort();
  }
}
