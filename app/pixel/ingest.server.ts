// POST /pixel/events: batches from the Web Pixel (extensions/tailored-pixel). Framework-free, so the
// Remix route (routes/pixel.events.tsx), tests and the bench share it.
//
// In order, each refusal storing nothing: POST (or the CORS preflight) only; the body at most
// MAX_PIXEL_BYTES (413); JSON (400) of the batch's shape (422, app/pixel/events.ts); one visitor per
// batch (422); a shop that installed Tailored (403); its ingest key (403); an Origin that is the
// shop's storefront (403); the visitor's rate (429, Retry-After); no event dated in the future (422).
// Then the events are stitched to a customer where the visitor is known (identity.server.ts) and
// stored once each (a duplicate is a no-op), and the customers they belong to have their memberships
// re-evaluated shortly after (memberships.server.ts).
import { timingSafeEqual } from "node:crypto";
import type { Executor } from "~/db/database.server";
import { installedShops } from "~/sync/installed-shops.server";
import { MAX_PIXEL_BYTES, rowsFromBatch, wireBatchSchema, type PixelEventRow } from "./events";
import { rateLimiter, type RateLimiter } from "./rate-limit";
import { pixelShop, type PixelShopRow } from "./store.server";
import { pixelWriter, type Written } from "./writer.server";

export type PixelAnswer = { status: number; headers: Record<string, string>; body: string };

export type IngestDeps = {
  db: Executor;
  now?: () => Date;
  /** Whether the shop installed Tailored (default: the process's installed-shops registry). */
  installed?: (shop: string) => boolean | Promise<boolean>;
  limiter?: RateLimiter;
  /** Told of the customers whose events were stored (default: their memberships re-evaluated). */
  onStored?: (shop: string, customerIds: string[]) => void;
  /**
   * Stores a valid batch's rows (default: this process's group-commit writer on `db`). The production
   * server's HTTP thread hands them to its background thread instead (endpoint.server.ts).
   */
  write?: (shop: string, rows: PixelEventRow[], now: Date) => Promise<Written>;
};

// A shopper's browsing sends a few events a second at most; 120 at once and 4 a second after is far
// above that and far below what one client could otherwise write.
const defaultLimiter = rateLimiter({ capacity: 120, perSecond: 4 });

// The shops' keys and origins, read at most once per 5 s per shop: a wrong key must not make every
// request read the database, and a rotated key (`pixel rotate-key`, perhaps in another process) is
// refused within 5 s, whatever key the requests present.
const KEY_TTL_MS = 5_000;
const held = new Map<string, { row: PixelShopRow | null; at: number }>();

async function pixelShopOf(db: Executor, shop: string, nowMs: number): Promise<PixelShopRow | null> {
  const cached = held.get(shop);
  if (cached && nowMs - cached.at < KEY_TTL_MS) return cached.row;
  const row = await pixelShop(db, { shop });
  held.set(shop, { row, at: nowMs });
  return row;
}

/** Forgets what is held of a shop's key (its key rotated or its row erased, in this process). */
export function forgetPixelShop(shop: string): void {
  held.delete(shop);
}

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The storefront origins of a shop: its myshopify.com domain, and what activation read of its primary
 * domain (a custom domain, PixelShop.origins). A domain added later is accepted after the next
 * reconciliation re-reads it.
 */
export function storefrontOrigins(shop: string, row: PixelShopRow | null): string[] {
  return [`https://${shop}`, ...(row?.origins ?? [])];
}

/** Origins the preflight answers for: any https origin (the POST itself checks it is the shop's). */
const PREFLIGHT_ORIGIN = /^https:\/\/[a-z0-9.-]+(?::\d+)?$/i;

function cors(origin: string): Record<string, string> {
  return { "access-control-allow-origin": origin, vary: "Origin" };
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): PixelAnswer {
  return {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

const refuse = (status: number, error: string, headers: Record<string, string> = {}) =>
  answer(status, { error }, headers);

async function isInstalled(shop: string): Promise<boolean> {
  const standing = await installedShops().standing(shop, (s) => s === "installed");
  return standing === "installed";
}

/**
 * One request. `body` is null when it was larger than MAX_PIXEL_BYTES (the caller stops reading
 * there); `origin` is the Origin header.
 */
export async function ingestPixelRequest(
  request: { method: string; origin: string | null; body: Buffer | null },
  deps: IngestDeps,
): Promise<PixelAnswer> {
  const now = (deps.now ?? (() => new Date()))();
  const { origin } = request;
  if (request.method === "OPTIONS") {
    if (!origin || !PREFLIGHT_ORIGIN.test(origin)) return refuse(403, "origin not allowed");
    return {
      status: 204,
      headers: {
        ...cors(origin),
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "86400",
      },
      body: "",
    };
  }
  if (request.method !== "POST") return refuse(405, "POST only", { allow: "POST, OPTIONS" });
  if (request.body === null) return refuse(413, `a batch is at most ${MAX_PIXEL_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(request.body.toString("utf8"));
  } catch {
    return refuse(400, "the body is not JSON");
  }
  const parsed = wireBatchSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse(422, `${issue.path.join(".") || "batch"}: ${issue.message}`);
  }
  const batch = parsed.data;
  const clientId = batch.events[0]!.clientId;
  if (batch.events.some((e) => e.clientId !== clientId)) return refuse(422, "a batch is one visitor's");
  let installed: boolean;
  try {
    installed = await (deps.installed ?? isInstalled)(batch.shop);
  } catch (error) {
    console.error("[pixel] could not check the shop:", error);
    return refuse(503, "cannot check the shop now");
  }
  if (!installed) return refuse(403, `${batch.shop} has not installed Tailored`);
  const row = await pixelShopOf(deps.db, batch.shop, now.getTime());
  if (!row || !sameKey(row.ingestKey, batch.key)) return refuse(403, "wrong ingest key");
  if (!origin || !storefrontOrigins(batch.shop, row).includes(origin)) {
    return refuse(403, `origin ${origin ?? "(none)"} is not ${batch.shop}'s storefront`);
  }
  const limiter = deps.limiter ?? defaultLimiter;
  const rateKey = `${batch.shop}\u0000${clientId}`;
  const cost = batch.events.length + 1;
  if (!limiter.take(rateKey, cost, now.getTime())) {
    return refuse(429, "too many events from this visitor", {
      ...cors(origin),
      "retry-after": String(limiter.retryAfter(rateKey, cost, now.getTime())),
    });
  }
  const rows = rowsFromBatch(batch, now);
  if ("error" in rows) return refuse(422, rows.error, cors(origin));
  const write = deps.write ?? ((shop, r, at) => pixelWriter(deps.db).write(shop, r, at));
  let written: Written;
  try {
    written = await write(batch.shop, rows, now);
  } catch (error) {
    // Nothing is known stored; the pixel does not retry (best effort), and the rows may be sent again.
    console.error("[pixel] batch not stored:", error);
    return refuse(503, "cannot store events now", cors(origin));
  }
  const { stored, customers } = written;
  if (customers.length > 0) deps.onStored?.(batch.shop, customers);
  return answer(200, { received: batch.events.length, stored }, cors(origin));
}
