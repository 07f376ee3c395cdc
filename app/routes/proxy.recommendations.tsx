// GET /proxy/recommendations (the shop's /apps/tailored/recommendations through Shopify's app proxy):
// the products this visitor sees, from the recommendation model (app/models/recommendations.server.ts)
// with the strategy of the campaign they get; JSON for the block's script or, with ?format=liquid,
// application/liquid. The production server answers this path directly with the same function
// (app/storefront/answer.server.ts).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { answerProxy } from "~/storefront/answer.server";

export const loader = async ({ request }: LoaderFunctionArgs) => answerProxy(request, "recommendations");
// Anything but GET: a JSON 405 from the same door, rather than Remix's "no action" error.
export const action = async ({ request }: ActionFunctionArgs) => answerProxy(request, "recommendations");
