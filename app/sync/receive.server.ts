// Every webhook route's body: verify, store once, answer at once. Shopify waits at most 5 s and
// retries on anything but 2xx, so nothing slow happens here; the processor applies the event after.
import { db } from "~/db.server";
import { authenticate } from "~/shopify.server";
import { enqueue } from "./inbox.server";
import { inboxProcessor } from "./worker.server";

/** Larger bodies are refused before they are read (Shopify's biggest orders stay well under this). */
export const MAX_WEBHOOK_BYTES = Number(process.env.TAILORED_WEBHOOK_MAX_BYTES) || 4 * 1024 * 1024;

async function readLimited(request: Request, limit: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const status = (code: number, text: string) => new Response(text, { status: code });

export async function receiveWebhook(request: Request, routeTopic: string): Promise<Response> {
  if (request.method !== "POST") return status(405, "POST only");
  const raw = await readLimited(request, MAX_WEBHOOK_BYTES);
  if (raw === null) return status(413, "payload too large");

  // Shopify's library checks the HMAC (401 when it is wrong) and the required X-Shopify-* headers (400).
  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(
      new Request(request.url, { method: "POST", headers: request.headers, body: raw }),
    );
  } catch (error) {
    if (error instanceof Response) return error;
    // The signature was right but the body is not JSON: nothing to store, and a retry will not fix it.
    if (error instanceof SyntaxError) return status(400, "body is not JSON");
    throw error;
  }
  // The topic header is not covered by the signature; the route's topic is what we subscribed to.
  if (context.topic !== topicKey(routeTopic)) {
    return status(400, `this endpoint takes ${routeTopic}, not ${context.topic}`);
  }
  await enqueue(
    db,
    {
      shop: context.shop,
      topic: routeTopic,
      eventId: context.eventId || context.webhookId,
      webhookId: context.webhookId || null,
      apiVersion: context.apiVersion || null,
      triggeredAt: parseDate(context.triggeredAt),
      payload: raw,
    },
    new Date(),
  );
  inboxProcessor().wake();
  return new Response(null, { status: 200 });
}

/** Shopify's library reports the X-Shopify-Topic "orders/create" as "ORDERS_CREATE". */
export function topicKey(topic: string): string {
  return topic.toUpperCase().replace(/[/.]/g, "_");
}

function parseDate(value: unknown): Date | null {
  if (typeof value !== "string" || value === "") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
