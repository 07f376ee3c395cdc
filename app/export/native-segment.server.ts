// "Create as a native Shopify segment": the segment's rule, when Shopify's language can state it
// (native-segment.ts), sent with segmentCreate under the segment's name. Shopify checks the query
// itself; its userErrors (a name taken, a query it refuses) come back as the message to show.
import type { AdminClient } from "~/sync/admin-client.server";
import { nativeSegmentCheck } from "./native-segment";
import { ShopifyTagsClient, UserErrors } from "./shopify-tags.server";

export type NativeOutcome = { ok: true; id: string } | { ok: false; error: string };

export async function createNativeSegment(
  admin: AdminClient,
  segment: { name: string; query: string },
): Promise<NativeOutcome> {
  const check = nativeSegmentCheck(segment.query);
  if (!check.ok) return { ok: false, error: check.reason };
  try {
    const { id } = await new ShopifyTagsClient(admin).createSegment(segment.name.slice(0, 255), check.query);
    return { ok: true, id };
  } catch (error) {
    if (error instanceof UserErrors)
      return { ok: false, error: `Shopify refused it: ${error.userErrors.map((e) => e.message).join("; ")}` };
    throw error;
  }
}
