// Segments written back to Shopify (Admin GraphQL; ../shared/notes/contracts.md section 6), so that
// Shopify Email, Flow and discounts can use them:
// - a customer tag per segment: tagsAdd / tagsRemove, several customers a request as aliased fields;
// - an app-owned customer metafield per segment ($app:tailored.segment_<id>, a boolean: true while the
//   customer is a member, false once they leave): metafieldsSet, at most 25 metafields a call, atomic
//   (one refused metafield fails its call's 25);
// - "create as a native Shopify segment": segmentCreate, for a rule Shopify's own language can state.
// The requests go through AdminClient (app/sync/admin-client.server.ts), which waits out THROTTLED
// answers by extensions.cost.throttleStatus, 429 (Retry-After) and 5xx. Before a request this client
// also paces itself: when the bucket last seen cannot cover the next request's cost, it waits for it.
import type { AdminClient } from "~/sync/admin-client.server";

/** Customers per tagsAdd/tagsRemove request (aliased mutations, about 10 points each). */
export const TAGS_PER_REQUEST = 25;
export const METAFIELDS_PER_CALL = 25;
const COST_PER_TAG_MUTATION = 10;
const COST_PER_METAFIELDS_CALL = 10;
export const SEGMENT_METAFIELD_NAMESPACE = "$app:tailored";

/** The app-owned metafield key a segment is written as (a boolean per customer). */
export const segmentMetafieldKey = (segmentId: number) => `segment_${segmentId}`;

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

  /**
   * Sets the segment's app-owned boolean metafield on customers (true: member; false: left), at most 25
   * a call. A call is all or nothing: a userError fails its 25, the one it names with Shopify's message.
   */
  async setSegmentFlag(customerIds: readonly string[], key: string, member: boolean): Promise<TagResult[]> {
    const results: TagResult[] = [];
    for (let i = 0; i < customerIds.length; i += METAFIELDS_PER_CALL) {
      const part = customerIds.slice(i, i + METAFIELDS_PER_CALL);
      await this.pace(COST_PER_METAFIELDS_CALL);
      const data = await this.admin.request<{ metafieldsSet: { userErrors: { field?: string[]; message: string }[] } }>(
        `#graphql
mutation TailoredSegmentMetafield($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { userErrors { field message } }
}`,
        {
          metafields: part.map((id) => ({
            ownerId: gid(id),
            namespace: SEGMENT_METAFIELD_NAMESPACE,
            key,
            type: "boolean",
            value: member ? "true" : "false",
          })),
        },
      );
      const errors = data.metafieldsSet.userErrors;
      const named = new Map<number, string>();
      for (const e of errors) {
        const at = Number(e.field?.[1]);
        if (Number.isInteger(at) && at >= 0 && at < part.length) named.set(at, e.message);
      }
      part.forEach((customerId, j) =>
        results.push({
          customerId,
          error:
            errors.length === 0
              ? null
              : (named.get(j) ?? "not written: Shopify refused another metafield of the same call"),
        }),
      );
    }
    return results;
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
