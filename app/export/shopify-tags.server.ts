// Segments written back to Shopify (Admin GraphQL; ../shared/notes/contracts.md section 6), so that
// Shopify Email, Flow and discounts can use them:
// - a customer tag per segment: tagsAdd / tagsRemove, several customers a request as aliased fields;
// - an app-owned customer metafield ($app:tailored.segments, a list of the segment names):
//   metafieldsSet, at most 25 metafields a call;
// - "create as a native Shopify segment": segmentCreate, for a rule Shopify's own language can state.
// The requests go through AdminClient (app/sync/admin-client.server.ts), which waits out THROTTLED
// answers by extensions.cost.throttleStatus, 429 (Retry-After) and 5xx. Before a request this client
// also paces itself: when the bucket last seen cannot cover the next request's cost, it waits for it.
import type { AdminClient } from "~/sync/admin-client.server";

/** Customers per tagsAdd/tagsRemove request (aliased mutations, about 10 points each). */
export const TAGS_PER_REQUEST = 25;
export const METAFIELDS_PER_CALL = 25;
const COST_PER_TAG_MUTATION = 10;

export type TagResult = { customerId: string; error: string | null };

export class UserErrors extends Error {
  override name = "UserErrors";
  constructor(
    message: string,
    readonly userErrors: { field?: string[] | null; message: string }[],
  ) {
    super(message);
  }
}

const gid = (id: string) => `gid://shopify/Customer/${id}`;

/** The tag a segment is written as: short, plain, recognisable in Shopify admin. */
export function segmentTag(name: string): string {
  const plain = name
    // eslint-disable-next-line no-control-regex -- control characters are what is taken out
    .replace(/[,\u0000-\u001f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 60);
  return `tailored: ${plain || "segment"}`;
}

export class ShopifyTagsClient {
  constructor(
    private readonly admin: AdminClient,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Waits until the last seen bucket holds `cost` points (AdminClient retries a THROTTLED answer anyway). */
  private async pace(cost: number): Promise<void> {
    const t = this.admin.lastThrottle;
    if (!t || t.restoreRate <= 0 || t.currentlyAvailable >= cost) return;
    await this.sleep(Math.ceil(((cost - t.currentlyAvailable) / t.restoreRate) * 1000));
  }

  /** Adds (or removes) one tag on each customer; per-customer userErrors come back as results. */
  async setTag(customerIds: readonly string[], tag: string, add: boolean): Promise<TagResult[]> {
    const results: TagResult[] = [];
    const mutation = add ? "tagsAdd" : "tagsRemove";
    for (let i = 0; i < customerIds.length; i += TAGS_PER_REQUEST) {
      const part = customerIds.slice(i, i + TAGS_PER_REQUEST);
      const fields = part
        .map((_, j) => `t${j}: ${mutation}(id: $id${j}, tags: $tags) { userErrors { field message } }`)
        .join("\n  ");
      const params = part.map((_, j) => `$id${j}: ID!`).join(", ");
      const variables: Record<string, unknown> = { tags: [tag] };
      part.forEach((id, j) => (variables[`id${j}`] = gid(id)));
      await this.pace(part.length * COST_PER_TAG_MUTATION);
      const data = await this.admin.request<Record<string, { userErrors: { message: string }[] } | null>>(
        `#graphql
mutation TailoredSegmentTags(${params}, $tags: [String!]!) {
  ${fields}
}`,
        variables,
      );
      part.forEach((customerId, j) => {
        const errors = data[`t${j}`]?.userErrors ?? [];
        results.push({ customerId, error: errors.length > 0 ? errors.map((e) => e.message).join("; ") : null });
      });
    }
    return results;
  }

  /** Sets the app-owned metafield on customers, at most 25 a call (Shopify's limit; atomic per call). */
  async setSegmentsMetafield(values: readonly { customerId: string; segments: readonly string[] }[]): Promise<void> {
    for (let i = 0; i < values.length; i += METAFIELDS_PER_CALL) {
      const part = values.slice(i, i + METAFIELDS_PER_CALL);
      await this.pace(10);
      const data = await this.admin.request<{ metafieldsSet: { userErrors: { field?: string[]; message: string }[] } }>(
        `#graphql
mutation TailoredSegmentsMetafield($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { userErrors { field message } }
}`,
        {
          metafields: part.map((v) => ({
            ownerId: gid(v.customerId),
            namespace: "$app:tailored",
            key: "segments",
            type: "list.single_line_text_field",
            value: JSON.stringify(v.segments),
          })),
        },
      );
      const errors = data.metafieldsSet.userErrors;
      if (errors.length > 0) throw new UserErrors(`metafieldsSet: ${errors.map((e) => e.message).join("; ")}`, errors);
    }
  }

  /** A native Shopify segment with this name and query (Shopify checks the query; its errors come back). */
  async createSegment(name: string, query: string): Promise<{ id: string }> {
    const data = await this.admin.request<{
      segmentCreate: { segment: { id: string } | null; userErrors: { field?: string[]; message: string }[] };
    }>(
      `#graphql
mutation TailoredSegmentCreate($name: String!, $query: String!) {
  segmentCreate(name: $name, query: $query) { segment { id } userErrors { field message } }
}`,
      { name, query },
    );
    const { segment, userErrors } = data.segmentCreate;
    if (!segment)
      throw new UserErrors(`segmentCreate: ${userErrors.map((e) => e.message).join("; ") || "no segment"}`, userErrors);
    return segment;
  }
}
