// Every admin loader and action starts here: the shop it acts for, from a verified Shopify session,
// or the demo shop in demo mode (app/demo/mode.server.ts).
import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { demoRequestRefusal, demoShopDomain, isDemoMode } from "~/demo/mode.server";
import { authenticate } from "~/shopify.server";

export type AdminContext =
  { shop: string; demo: false; admin: AdminApiContext } | { shop: string; demo: true; admin: null };

export async function requireAdmin(request: Request): Promise<AdminContext> {
  if (isDemoMode()) {
    // Without authentication, so only for the machine's own pages (demoRequestRefusal says why).
    const refusal = demoRequestRefusal(request);
    if (refusal) throw refusal;
    return { shop: demoShopDomain(), demo: true, admin: null };
  }
  const { session, admin } = await authenticate.admin(request);
  return { shop: session.shop, demo: false, admin };
}
