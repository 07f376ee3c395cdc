// POST /pixel/events: the Web Pixel's batches (app/pixel/ingest.server.ts says what is checked). Not
// under /app (no admin session: the pixel runs in shoppers' browsers) nor the app proxy. The
// production server answers this path before Remix (server.mjs); this route serves `shopify app dev`
// and remix-serve.
import type { ActionFunctionArgs } from "@remix-run/node";
import { pixelEndpoint } from "~/pixel/endpoint.server";
import { readLimited } from "~/http-limits";
import { MAX_PIXEL_BYTES } from "~/pixel/events";

// OPTIONS (the CORS preflight) and POST both arrive here.
export const action = async ({ request }: ActionFunctionArgs) => {
  const result = await pixelEndpoint({
    method: request.method,
    origin: request.headers.get("origin"),
    body: request.method === "POST" ? await readLimited(request, MAX_PIXEL_BYTES) : Buffer.alloc(0),
  });
  return new Response(result.status === 204 ? null : result.body, { status: result.status, headers: result.headers });
};

export const loader = () =>
  new Response(JSON.stringify({ error: "POST only" }), {
    status: 405,
    headers: { allow: "POST, OPTIONS", "content-type": "application/json" },
  });
