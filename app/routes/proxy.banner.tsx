// GET /proxy/banner (the shop's /apps/tailored/banner through Shopify's app proxy): the banner this
// visitor sees, as JSON for the block's script or, with ?format=liquid, as application/liquid. The
// production server answers this path directly with the same function (app/storefront/answer.server.ts).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { answerProxy } from "~/storefront/answer.server";

export const loader = async ({ request }: LoaderFunctionArgs) => answerProxy(request, "banner");
// Anything but GET: a JSON 405 from the same door, rather than Remix's "no action" error.
export const action = async ({ request }: ActionFunctionArgs) => answerProxy(request, "banner");
