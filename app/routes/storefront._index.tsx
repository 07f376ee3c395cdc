// GET /storefront (demo mode only): the demo shop's page with the real theme blocks, as a chosen demo
// customer or an anonymous visitor sees it (app/storefront/demo.server.ts).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { demoRequestRefusal, demoShopDomain, isDemoMode } from "~/demo/mode.server";
import { parseCountry, parseNumericId } from "~/domain/personalize";
import { demoStorefrontPage, parseWho } from "~/storefront/demo.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  if (!isDemoMode()) throw new Response("Not found", { status: 404 });
  const refusal = demoRequestRefusal(request);
  if (refusal) throw refusal;
  const params = new URL(request.url).searchParams;
  const who = parseWho(params.get("as") ?? "anon");
  if (!who) return new Response("as must be anon, fail, slow or c<customer id>", { status: 400 });
  const html = await demoStorefrontPage(db, {
    shop: demoShopDomain(),
    who,
    country: parseCountry(params.get("country")),
    productId: parseNumericId(params.get("product")),
  });
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
};
