// POST /storefront/pixel/events (demo mode only): the demo storefront's pixel batches, sent on to the
// real POST /pixel/events from the shop's storefront origin (app/storefront/demo-pixel.server.ts).
import type { ActionFunctionArgs } from "@remix-run/node";
import { demoRequestRefusal, demoShopDomain, isDemoMode } from "~/demo/mode.server";
import { relayPixelBatch } from "~/storefront/demo-pixel.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  if (!isDemoMode()) throw new Response("Not found", { status: 404 });
  const refusal = demoRequestRefusal(request);
  if (refusal) throw refusal;
  if (request.method !== "POST") return new Response("POST only", { status: 405 });
  return relayPixelBatch(request, { shop: demoShopDomain() });
};

export const loader = () => new Response("POST only", { status: 405, headers: { allow: "POST" } });
