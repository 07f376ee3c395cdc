// An Admin API client for background work (backfill, reconciliation). Shopify's library loads the
// shop's offline session and refreshes an expiring token; our small client does the requests, so that
// tests and the demo can point it at a local server that follows Shopify's contract.
import { apiVersion, unauthenticated } from "~/shopify.server";
import { AdminClient, adminOriginFromEnv } from "./admin-client.server";

export async function adminClientForShop(shop: string): Promise<AdminClient> {
  const { session } = await unauthenticated.admin(shop);
  if (!session.accessToken) throw new Error(`${shop} has no offline access token: is the app installed?`);
  return new AdminClient({
    shop,
    accessToken: session.accessToken,
    apiVersion,
    origin: adminOriginFromEnv(process.env, shop),
  });
}
