// GET /storefront/assets/<name> (demo mode only): the theme extension's own assets, as Shopify's CDN
// would serve them to a shop.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isDemoMode } from "~/demo/mode.server";
import { storefrontLiquid } from "~/storefront/liquid.server";

const TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

export const loader = async ({ params }: LoaderFunctionArgs) => {
  if (!isDemoMode()) throw new Response("Not found", { status: 404 });
  const name = params.name ?? "";
  let body: string;
  try {
    body = storefrontLiquid().asset(name);
  } catch {
    throw new Response("Not found", { status: 404 });
  }
  return new Response(body, {
    headers: { "Content-Type": TYPES[name.split(".").pop()!]!, "Cache-Control": "no-cache" },
  });
};
