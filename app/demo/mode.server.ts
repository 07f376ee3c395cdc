// Demo mode: the admin pages open without Shopify OAuth, on the seeded demo shop. It exists only when
// it is asked for explicitly (TAILORED_DEMO=1) AND the server listens on loopback only (HOST), so a
// server reachable from outside can never skip authentication.
export const DEMO_SHOP = "tailored-demo.myshopify.com";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export function isDemoMode(env: Record<string, string | undefined> = process.env): boolean {
  return env.TAILORED_DEMO === "1" && LOOPBACK.has(env.HOST ?? "");
}

export function demoShopDomain(env: Record<string, string | undefined> = process.env): string {
  return env.TAILORED_DEMO_SHOP || DEMO_SHOP;
}
