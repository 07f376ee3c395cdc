// GET /proxy/recommendations (the shop's /apps/tailored/recommendations through Shopify's app proxy):
// the products this visitor sees, from the recommendation model (app/models/recommendations.server.ts)
// with the strategy of the campaign they get. JSON for the block's script; ?format=liquid for a page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { recommendationsAnswer } from "~/models/campaigns/decide.server";
import { recommendedProducts } from "~/models/recommendations.server";
import { productsFragment } from "~/storefront/fragments";
import { cacheControl, json, proxyContext } from "~/storefront/proxy.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const ctx = await proxyContext(request, new Date());
  const { answer, personal } = await recommendationsAnswer(
    db,
    { ...ctx.query, productId: ctx.productId, limit: ctx.limit },
    recommendedProducts,
  );
  const headers = { "Cache-Control": cacheControl(personal) };
  if (ctx.format === "liquid") return ctx.liquid(productsFragment(answer.products), { layout: false, headers });
  return json(answer, 200, headers);
};
