// GET /storefront/assets/<name> (demo mode only): the theme extension's own assets, as Shopify's CDN
// would serve them to a shop.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isDemoMode } from "~/demo/mode.server";
import { demoPixelScript } from "~/storefront/demo-pixel.server";
import { storefrontLiquid } from "~/storefront/liquid.server";

const TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

export const loader = async ({ params }: LoaderFunctionArgs) => {
  if (!isDemoMode()) throw new Response("Not found", { status: 404 });
  const name = params.name ?? "";
  let body: string;
  try {
    // The Web Pixel's own code with its stand-in for Shopify's API, bundled (demo-pixel.server.ts).
    body = name === "pixel.js" ? await demoPixelScript() : storefrontLiquid().asset(name);
  } catch (error) {
    if (name === "pixel.js") console.error("[storefront] the demo pixel could not be bundled:", error);
    throw new Response("Not found", { status: 404 });
  }
  return new Response(body, {
    headers: { "Content-Type": TYPES[name.split(".").pop()!]!, "Cache-Control": "no-cache" },
  });
};
