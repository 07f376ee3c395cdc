// GET /proxy/banner (the shop's /apps/tailored/banner through Shopify's app proxy): the banner this
// visitor sees. Verified and read in app/storefront/proxy.server.ts; decided in
// app/models/campaigns/decide.server.ts. JSON for the block's script; ?format=liquid for a page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { bannerAnswer } from "~/models/campaigns/decide.server";
import { bannerFragment } from "~/storefront/fragments";
import { cacheControl, json, proxyContext } from "~/storefront/proxy.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await proxyContext(request, new Date());
  const { answer, personal } = await bannerAnswer(db, ctx.query);
  const headers = { "Cache-Control": cacheControl(personal) };
  if (ctx.format === "liquid") return ctx.liquid(bannerFragment(answer.banner), { layout: false, headers });
  return json(answer, 200, headers);
};
