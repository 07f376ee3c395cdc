// Every webhook route's body: verify, store once, answer at once. Shopify waits at most 5 s and
// retries on anything but 2xx, so nothing slow happens here; the processor applies the event after.
import { appSecrets } from "~/app-secrets.server";
import { readLimited } from "~/http-limits";
import { topicFromPath } from "./topics";
import { backgroundIsRemote, storeDeliveryRemotely } from "./background-thread.server";
import type { IncomingWebhook } from "./inbox.server";
import { accepts, shopNamedInBody, type Standing } from "./installed-shops";
import { installedShops } from "./installed-shops.server";
import { verifyWebhook, type HeaderSource } from "./verify";
import { storeDelivery } from "./worker.server";

/** Larger bodies are refused before they are read (Shopify's biggest orders stay well under this). */
export const MAX_WEBHOOK_BYTES = Number(process.env.TAILORED_WEBHOOK_MAX_BYTES) || 4 * 1024 * 1024;

/**
 * Resolves once the delivery may be acknowledged: committed to the inbox, here or, in the production
 * server, by the background thread — on SQLite, once journaled (storeDeliveryRemotely). There this thread
 * also maps `parsed` for the processor, after handing the delivery over.
 */
function store(event: IncomingWebhook, now: Date, parsed: unknown): Promise<boolean> {
  return backgroundIsRemote() ? storeDeliveryRemotely(event, now, parsed) : storeDelivery(event, now);
}

const status = (code: number, text: string) => new Response(code === 200 ? null : text, { status: code });

export async function receiveWebhook(request: Request, routeTopic: string): Promise<Response> {
  if (request.method !== "POST") return status(405, "POST only");
  const raw = await readLimited(request, MAX_WEBHOOK_BYTES);
  if (raw === null) return status(413, "payload too large");
  const result = await ingestWebhook(routeTopic, request.headers, raw);
  return status(result.status, result.body);
}

/**
 * The framework-free core: a verified, parsed delivery is stored once and the processor woken. Shared
 * by the Remix routes and the server's direct webhook path (server.mjs).
 */
export async function ingestWebhook(
  routeTopic: string,
  headers: HeaderSource,
  raw: Buffer,
): Promise<{ status: number; body: string }> {
  const topic = topicFromPath(routeTopic);
  if (topic === null) return { status: 404, body: `Tailored does not subscribe to ${routeTopic}` };
  const verified = verifyWebhook(headers, raw, appSecrets());
  if (!verified.ok) return { status: verified.status, body: verified.reason };
  const { delivery } = verified;
  // The topic header is not covered by the signature; the route's topic is what we subscribed to.
  if (delivery.topic !== topic) return { status: 400, body: `this endpoint takes ${topic}, not ${delivery.topic}` };
  // Only shops that installed Tailored (an uninstalled one for its compliance topics and its uninstall):
  // the shop header is not signed either, and a body signed for one shop must not land in another that
  // never installed (docs/decisions/015-webhook-trust.md). From memory; a miss waits for a refresh.
  // 403, not 2xx: Shopify retries a refused delivery for hours, which is what a shop whose install is
  // still being written needs, and all a forgery gets.
  const enough = (standing: Standing) => accepts(standing, topic);
  let standing = installedShops().standing(delivery.shop, enough);
  if (typeof standing !== "string") {
    try {
      standing = await standing;
    } catch (error) {
      // Cannot tell now (the database): Shopify retries.
      console.error("[webhooks] could not check the shop:", error);
      return { status: 503, body: "cannot check the shop now" };
    }
  }
  if (!enough(standing)) {
    return {
      status: 403,
      body:
        standing === "unknown"
          ? `${delivery.shop} has not installed Tailored`
          : `${delivery.shop} uninstalled Tailored`,
    };
  }
  const payload = raw.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    // The signature was right but the body is not JSON: nothing to store, and a retry will not fix it.
    return { status: 400, body: "body is not JSON" };
  }
  // Where the signed body names its shop (compliance topics, app/uninstalled), it must be the header's.
  const named = shopNamedInBody(topic, parsed);
  if (named !== undefined && named !== delivery.shop) {
    return { status: 403, body: `the body is for ${named ?? "no shop"}, not ${delivery.shop}` };
  }
  await store(
    {
      shop: delivery.shop,
      topic,
      eventId: delivery.eventId || delivery.webhookId,
      webhookId: delivery.webhookId,
      apiVersion: delivery.apiVersion,
      triggeredAt: delivery.triggeredAt,
      payload,
    },
    new Date(),
    parsed,
  );
  return { status: 200, body: "" };
}
