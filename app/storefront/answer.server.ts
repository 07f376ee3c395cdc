// The app proxy's answer, framework-free: the Remix routes (routes/proxy.*.tsx) and the production
// server's direct path (server.mjs, as for webhooks: docs/decisions/005-webhook-fast-path.md and 021)
// both call it. Verified and read in proxy.server.ts; decided in models/campaigns/decide.server.ts.
import { db } from "~/db.server";
import { bannerAnswer, recommendationsAnswer } from "~/models/campaigns/decide.server";
import { recommendedProducts } from "~/models/recommendations.server";
import { bannerFragment, productsFragment } from "./fragments";
import { cacheControl, json, proxyContext } from "./proxy.server";

export type ProxyKind = "banner" | "recommendations";

export async function answerProxy(request: Request, kind: ProxyKind): Promise<Response> {
  try {
    const ctx = await proxyContext(request, new Date());
    if (kind === "banner") {
      const { answer, personal } = await bannerAnswer(db, ctx.query);
      const headers = { "Cache-Control": cacheControl(personal) };
      if (ctx.format === "liquid") return ctx.liquid(bannerFragment(answer.banner), { layout: false, headers });
      return json(answer, 200, headers);
    }
    const { answer, personal } = await recommendationsAnswer(
      db,
      { ...ctx.query, productId: ctx.productId, limit: ctx.limit },
      recommendedProducts,
    );
    const headers = { "Cache-Control": cacheControl(personal) };
    if (ctx.format === "liquid") return ctx.liquid(productsFragment(answer.products), { layout: false, headers });
    return json(answer, 200, headers);
  } catch (thrown) {
    // A refusal (400, 401, 403, 405) is an answer, not an error.
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
