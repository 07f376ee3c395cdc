// The replayer behind `tailored send-webhooks`: signs deliveries exactly as Shopify does and POSTs
// them to a running server — with duplicates and in shuffled order on purpose, since Shopify delivers
// at least once and in no guaranteed order.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRandom } from "~/demo/random";
import { cdnowOrderPayload, parseCdnowLine, type CdnowRecord } from "./cdnow";
import { webhookHeaders, type Delivery } from "./signing";

/** Every CDNOW row as a signed-to-be orders/create delivery (the file is small: read whole). */
export function cdnowDeliveries(file: string, shop: string): { deliveries: Delivery[]; errors: string[] } {
  const records: CdnowRecord[] = [];
  const errors: string[] = [];
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, index) => {
      const parsed = parseCdnowLine(text, index + 1);
      if (parsed === null) return;
      if ("error" in parsed) errors.push(parsed.error);
      else records.push(parsed.record);
    });
  const first = new Map<string, Date>();
  for (const r of records) {
    const seen = first.get(r.customerId);
    if (!seen || r.date < seen) first.set(r.customerId, r.date);
  }
  const deliveries = records.map((record) => ({
    topic: "orders/create",
    shop,
    body: JSON.stringify(cdnowOrderPayload(record, first.get(record.customerId)!)),
    eventId: `cdnow-${shop}-${record.line}`,
    webhookId: randomUUID(),
    triggeredAt: record.date,
  }));
  return { deliveries, errors };
}

/**
 * Fixture files named after their topic (orders__create.json), as deliveries, app/uninstalled last
 * (once it is applied the app takes nothing but compliance topics from the shop). A body that names its
 * shop (compliance topics' shop_domain, app/uninstalled's myshopify_domain) is made to name `shop`, as
 * Shopify's would: the app refuses one that names another shop than the delivery's header.
 */
export function fixtureDeliveries(dir: string, shop: string): Delivery[] {
  const forShop = (body: string) => {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const keys = ["shop_domain", "myshopify_domain"].filter(
      (key) => typeof parsed[key] === "string" && parsed[key] !== shop,
    );
    for (const key of keys) parsed[key] = shop;
    return keys.length > 0 ? JSON.stringify(parsed, null, 2) : body;
  };
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort(
      (a, b) =>
        Number(a === "app__uninstalled.json") - Number(b === "app__uninstalled.json") || (a < b ? -1 : a > b ? 1 : 0),
    )
    .map((name) => ({
      topic: name.replace(/\.json$/, "").replace("__", "/"),
      shop,
      body: forShop(fs.readFileSync(path.join(dir, name), "utf8")),
      eventId: `fixture-${shop}-${name}`,
      webhookId: randomUUID(),
    }));
}

export type SendOptions = {
  url: string;
  secret: string;
  /** Each delivery sent this many times (same event id), the copies spread through the run. */
  copies?: number;
  shuffleSeed?: number;
  concurrency?: number;
};

export type SendReport = {
  sent: number;
  byStatus: Record<string, number>;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
};

/** The report of a run: `latencies` in ms, one per request (sorted here), `started` from performance.now(). */
export function sendReport(
  latencies: ArrayLike<number>,
  byStatus: Record<string, number>,
  started: number,
): SendReport {
  const seconds = (performance.now() - started) / 1000;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const at = (q: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2));
  return {
    sent: sorted.length,
    byStatus,
    seconds: Number(seconds.toFixed(3)),
    perSecond: Math.round(sorted.length / seconds),
    latencyMs: { p50: at(0.5), p99: at(0.99), max: at(1) },
  };
}

export function plan(
  deliveries: Delivery[],
  { copies = 1, shuffleSeed }: Pick<SendOptions, "copies" | "shuffleSeed">,
): Delivery[] {
  const list: Delivery[] = [];
  for (let copy = 0; copy < copies; copy++) list.push(...deliveries);
  if (shuffleSeed !== undefined) {
    const random = createRandom(shuffleSeed);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  }
  return list;
}

/**
 * One POST over a kept-alive connection. node:http rather than fetch: the replayer shares the machine
 * with the server it measures, and fetch costs it several times more CPU per request.
 */
function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

export async function send(deliveries: Delivery[], options: SendOptions): Promise<SendReport> {
  const base = options.url.replace(/\/$/, "");
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, options.concurrency ?? 8) });
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const delivery = deliveries[next++];
      if (!delivery) return;
      const t0 = performance.now();
      let status: string;
      try {
        // customer.tags_added is served at /webhooks/customer/tags_added (shopify.app.toml).
        status = String(
          await post(
            agent,
            new URL(`${base}/webhooks/${delivery.topic.replace(".", "/")}`),
            webhookHeaders(delivery, options.secret),
            delivery.body,
          ),
        );
      } catch (error) {
        status = `error: ${(error as Error).message}`;
      }
      latencies.push(performance.now() - t0);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  agent.destroy();
  return sendReport(latencies, byStatus, started);
}
