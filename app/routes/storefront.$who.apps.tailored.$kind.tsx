// GET /storefront/<who>/apps/tailored/<kind> (demo mode only): Shopify's app proxy played locally: the
// block's request signed for the chosen visitor and sent to this server's /proxy/<kind>.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { demoRequestRefusal, demoShopDomain, isDemoMode } from "~/demo/mode.server";
import { forwardToProxy, parseWho } from "~/storefront/demo.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  if (!isDemoMode()) throw new Response("Not found", { status: 404 });
  const refusal = demoRequestRefusal(request);
  if (refusal) throw refusal;
  const who = parseWho(params.who);
  const kind = params.kind;
  if (!who || (kind !== "banner" && kind !== "recommendations")) throw new Response("Not found", { status: 404 });
  return forwardToProxy(request, { shop: demoShopDomain(), who, kind, secret: process.env.SHOPIFY_API_SECRET || "" });
};
