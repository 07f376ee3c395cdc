// POST /pixel/events: the Web Pixel's batches (app/pixel/ingest.server.ts says what is checked). Not
// under /app (no admin session: the pixel runs in shoppers' browsers) nor the app proxy.
import type { ActionFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { ingestPixelRequest, readLimited } from "~/pixel/ingest.server";
import { behaviourChanged } from "~/pixel/memberships.server";

function toResponse(result: { status: number; headers: Record<string, string>; body: string }): Response {
  return new Response(result.status === 204 ? null : result.body, { status: result.status, headers: result.headers });
}

// OPTIONS (the CORS preflight) and POST both arrive here.
export const action = async ({ request }: ActionFunctionArgs) =>
  toResponse(
    await ingestPixelRequest(
      {
        method: request.method,
        origin: request.headers.get("origin"),
        body: request.method === "POST" ? await readLimited(request) : Buffer.alloc(0),
      },
      { db, onStored: (shop, customerIds) => behaviourChanged(db, shop, customerIds) },
    ),
  );

export const loader = () =>
  new Response(JSON.stringify({ error: "POST only" }), {
    status: 405,
    headers: { allow: "POST, OPTIONS", "content-type": "application/json" },
  });
