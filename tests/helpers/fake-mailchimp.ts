// A local stand-in for the parts of Mailchimp's Marketing API 3.0 Tailored uses, held to the contract
// in ../shared/notes/contracts.md section 5: HTTP Basic with the key as password (401 otherwise), GET
// /3.0/ping and /3.0/, audiences, batch member upserts (at most 500; answered 200 with `errors[]` for
// the members it refuses), member tags by subscriber hash (MD5 of the lower-cased e-mail; 204; 404 for
// no such member), permanent delete; at most 10 simultaneous connections (an eleventh is a 429 with no
// rate-limit headers). Faults (429 with/without Retry-After, 5xx) from fake-service.ts.
import { createHash } from "node:crypto";
import { FakeService, type Reply } from "./fake-service";

export type Member = {
  email: string;
  status: string;
  mergeFields: Record<string, unknown>;
  tags: Map<string, boolean>;
};

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const error = (status: number, title: string, detail: string): Reply => ({
  status,
  body: { type: "about:blank", title, status, detail },
});

export class FakeMailchimp extends FakeService {
  /** audience id -> subscriber hash -> member */
  readonly audiences = new Map<string, { name: string; members: Map<string, Member> }>([
    ["aud001", { name: "Stand-in audience", members: new Map() }],
  ]);
  /** Every member an accepted batch upsert carried, in order (emails). */
  readonly upserted: string[] = [];
  readonly deleted: string[] = [];
  readonly refuse = new Set<string>();
  /** Mailchimp's limit on simultaneous connections per user. */
  maxConnections = 10;

  constructor(private readonly apiKey: string) {
    super((req) => this.route(req));
  }

  private route({ method, path, headers, body }: Parameters<ConstructorParameters<typeof FakeService>[0]>[0]): Reply {
    if (this.inFlight > this.maxConnections)
      return {
        status: 429,
        body: { title: "Too Many Requests", status: 429, detail: "too many simultaneous connections" },
      };
    const auth = String(headers.authorization ?? "");
    const password = auth.startsWith("Basic ")
      ? Buffer.from(auth.slice(6), "base64").toString("utf8").split(":").slice(1).join(":")
      : "";
    if (password !== this.apiKey)
      return error(
        401,
        "API Key Invalid",
        "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
      );
    let m: RegExpMatchArray | null;
    if (method === "GET" && path === "/3.0/ping")
      return { status: 200, body: { health_status: "Everything's Chimpy!" } };
    if (method === "GET" && path === "/3.0/")
      return { status: 200, body: { account_id: "abc", account_name: "Stand-in Chimp" } };
    if (method === "GET" && path === "/3.0/lists") {
      return {
        status: 200,
        body: { lists: [...this.audiences].map(([id, a]) => ({ id, name: a.name })), total_items: this.audiences.size },
      };
    }
    if (method === "POST" && (m = path.match(/^\/3\.0\/lists\/([^/]+)$/))) {
      const audience = this.audiences.get(m[1]!);
      if (!audience) return error(404, "Resource Not Found", "The requested resource could not be found.");
      const members =
        (
          body as {
            members?: {
              email_address?: string;
              status?: string;
              status_if_new?: string;
              merge_fields?: Record<string, unknown>;
            }[];
          } | null
        )?.members ?? [];
      if (members.length > 500) return error(400, "Invalid Resource", "at most 500 members a call");
      const errors: { email_address: string; error: string; error_code: string }[] = [];
      let created = 0;
      let updated = 0;
      for (const item of members) {
        const email = String(item.email_address ?? "").toLowerCase();
        if (!email || this.refuse.has(email)) {
          errors.push({
            email_address: email,
            error: `${email} looks fake or invalid, please enter a real email address.`,
            error_code: "ERROR_GENERIC",
          });
          continue;
        }
        this.upserted.push(email);
        const hash = md5(email);
        const held = audience.members.get(hash);
        if (held) {
          updated++;
          held.mergeFields = { ...held.mergeFields, ...item.merge_fields };
          if (item.status) held.status = item.status;
        } else {
          created++;
          audience.members.set(hash, {
            email,
            status: item.status ?? item.status_if_new ?? "subscribed",
            mergeFields: item.merge_fields ?? {},
            tags: new Map(),
          });
        }
      }
      return {
        status: 200,
        body: {
          new_members: [],
          updated_members: [],
          errors,
          total_created: created,
          total_updated: updated,
          error_count: errors.length,
        },
      };
    }
    if (method === "POST" && (m = path.match(/^\/3\.0\/lists\/([^/]+)\/members\/([0-9a-f]{32})\/tags$/))) {
      const member = this.audiences.get(m[1]!)?.members.get(m[2]!);
      if (!member) return error(404, "Resource Not Found", "The requested resource could not be found.");
      for (const tag of (body as { tags?: { name: string; status: string }[] } | null)?.tags ?? [])
        member.tags.set(tag.name, tag.status === "active");
      return { status: 204 };
    }
    if (
      method === "POST" &&
      (m = path.match(/^\/3\.0\/lists\/([^/]+)\/members\/([0-9a-f]{32})\/actions\/delete-permanent$/))
    ) {
      const audience = this.audiences.get(m[1]!);
      const member = audience?.members.get(m[2]!);
      if (!member) return error(404, "Resource Not Found", "The requested resource could not be found.");
      audience!.members.delete(m[2]!);
      this.deleted.push(member.email);
      return { status: 204 };
    }
    return error(404, "Resource Not Found", `no route ${method} ${path}`);
  }

  /** Emails with `tag` active in the audience. */
  tagged(tag: string, audience = "aud001"): string[] {
    return [...(this.audiences.get(audience)?.members.values() ?? [])]
      .filter((mm) => mm.tags.get(tag))
      .map((mm) => mm.email)
      .sort();
  }
}
