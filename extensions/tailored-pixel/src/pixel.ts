// The pixel's logic, free of Shopify's `register` so that tests (and the demo storefront) can run it
// under a stand-in API: consent, what each standard event is reduced to, batching and sending.
//
// Only what segments need leaves the browser: the event's name, id and time, the visitor (clientId and
// a per-tab session id), the logged-in customer's id, product/variant/collection ids, product type
// and vendor, the search query (cut to 100 characters) and a cart or checkout value. No e-mail, name,
// phone, address, URL or user agent: the ingest's schema (app/pixel/events.ts) refuses what is not
// listed.
//
// Nothing is sent, or even queued, while the visitor has not allowed analytics; withdrawing consent
// drops what is queued.
//
// With consent, the pixel also leaves the visitor's clientId in a first-party cookie (VISIT_COOKIE,
// for the length of a visit) so that the theme blocks can ask for this visit's banner and products
// (they pass it to the app proxy as `cid`); withdrawing consent clears it. The clientId is Shopify's
// random visitor id, the same one every event carries: no PII.

export const SUBSCRIBED_EVENTS = [
  "page_viewed",
  "product_viewed",
  "collection_viewed",
  "search_submitted",
  "product_added_to_cart",
  "product_removed_from_cart",
  "checkout_started",
  "checkout_completed",
] as const;

export type SubscribedEvent = (typeof SUBSCRIBED_EVENTS)[number];

/** One event as sent to the ingest (its zod twin: app/pixel/events.ts `wireEventSchema`). */
export type WireEvent = {
  id: string;
  name: SubscribedEvent;
  timestamp: string;
  clientId: string;
  sessionId?: string;
  customerId?: string;
  productId?: string;
  variantId?: string;
  collectionId?: string;
  productType?: string;
  vendor?: string;
  query?: string;
  value?: { amount: number; currencyCode: string };
};

export type WireBatch = { shop: string; key: string; events: WireEvent[] };

export const QUERY_MAX = 100;

/** The first-party cookie holding the visitor's clientId for the blocks, and how long it lives (a visit). */
export const VISIT_COOKIE = "tailored_cid";
export const VISIT_COOKIE_SECONDS = 30 * 60;

// ---------------------------------------------------------------------------------------------------
// The part of Shopify's Web Pixels API the pixel reads (shopify.dev/docs/api/web-pixels-api), typed
// structurally so that a stand-in satisfies it.

type Money = { amount?: number | string | null; currencyCode?: string | null } | null | undefined;
type ProductLike = { id?: string | null; type?: string | null; vendor?: string | null } | null | undefined;
type VariantLike = { id?: string | null; product?: ProductLike } | null | undefined;
type CartLineLike =
  { merchandise?: VariantLike; quantity?: number | null; cost?: { totalAmount?: Money } | null } | null | undefined;

export type StandardEvent = {
  id: string;
  name: string;
  clientId: string;
  timestamp: string;
  data?: {
    productVariant?: VariantLike;
    collection?: { id?: string | null } | null;
    searchResult?: { query?: string | null } | null;
    cartLine?: CartLineLike;
    checkout?: {
      totalPrice?: Money;
      order?: { id?: string | null; customer?: { id?: string | null } | null } | null;
    } | null;
  } | null;
};

export type Privacy = { analyticsProcessingAllowed?: boolean };

export type PixelApi = {
  analytics: { subscribe(name: string, callback: (event: StandardEvent) => void): unknown };
  browser?: {
    /** Sets a cookie on the storefront's top frame, given as "name=value; attributes". */
    cookie?: { set(cookie: string): Promise<unknown> };
    sessionStorage?: {
      getItem(key: string): Promise<string | null>;
      setItem(key: string, value: string): Promise<void>;
    };
  };
  init: {
    customerPrivacy?: Privacy;
    data?: { customer?: { id?: string | null } | null; shop?: { myshopifyDomain?: string } | null } | null;
  };
  settings: Record<string, string | undefined>;
  customerPrivacy?: {
    subscribe(name: "visitorConsentCollected", callback: (event: { customerPrivacy: Privacy }) => void): unknown;
  };
};

export type PixelOptions = {
  fetch?: (url: string, init: RequestInit) => Promise<unknown>;
  /** Send once this many events wait (default 20). */
  maxBatch?: number;
  /** Or this long after the first waiting event (default 500 ms: a page's view events go together). */
  flushMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  random?: () => number;
};

export type Pixel = {
  /** Sends what waits now (the tests, and the demo before a navigation). */
  flush(): Promise<void>;
  /** Whether events are being collected (analytics consent). */
  consented(): boolean;
};

/** Shopify's ids arrive as numeric strings or as GIDs; the ingest keeps the number. */
export function plainId(id: string | null | undefined): string | undefined {
  if (typeof id !== "string" || id === "") return undefined;
  const gid = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)/.exec(id);
  return gid ? gid[1] : id;
}

function money(value: Money): WireEvent["value"] {
  if (!value || value.amount === null || value.amount === undefined || !value.currencyCode) return undefined;
  const amount = Number(value.amount);
  return Number.isFinite(amount) && amount >= 0 ? { amount, currencyCode: value.currencyCode } : undefined;
}

function text(value: string | null | undefined, max = 255): string | undefined {
  return typeof value === "string" && value !== "" ? value.slice(0, max) : undefined;
}

function fromVariant(variant: VariantLike): Partial<WireEvent> {
  return {
    variantId: plainId(variant?.id),
    productId: plainId(variant?.product?.id),
    productType: text(variant?.product?.type),
    vendor: text(variant?.product?.vendor),
  };
}

/** What one standard event becomes on the wire; null for an event the pixel does not send. */
export function toWire(event: StandardEvent, context: { customerId?: string; sessionId?: string }): WireEvent | null {
  if (!(SUBSCRIBED_EVENTS as readonly string[]).includes(event.name)) return null;
  const name = event.name as SubscribedEvent;
  const data = event.data ?? {};
  let fields: Partial<WireEvent> = {};
  switch (name) {
    case "product_viewed":
      fields = fromVariant(data.productVariant);
      break;
    case "collection_viewed":
      fields = { collectionId: plainId(data.collection?.id) };
      break;
    case "search_submitted":
      fields = { query: text(data.searchResult?.query, QUERY_MAX) };
      break;
    case "product_added_to_cart":
    case "product_removed_from_cart":
      fields = { ...fromVariant(data.cartLine?.merchandise), value: money(data.cartLine?.cost?.totalAmount) };
      break;
    case "checkout_started":
      fields = { value: money(data.checkout?.totalPrice) };
      break;
    case "checkout_completed":
      fields = { value: money(data.checkout?.totalPrice) };
      break;
    case "page_viewed":
      break;
  }
  // A checkout completed by a customer names them even when the storefront session was anonymous:
  // that is what joins the visitor's past events to the customer (app/pixel/identity.server.ts).
  const customerId =
    (name === "checkout_completed" ? plainId(data.checkout?.order?.customer?.id) : undefined) ?? context.customerId;
  const wire: WireEvent = {
    id: event.id,
    name,
    timestamp: event.timestamp,
    clientId: event.clientId,
    ...(context.sessionId ? { sessionId: context.sessionId } : {}),
    ...(customerId ? { customerId } : {}),
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (wire as Record<string, unknown>)[key] = value;
  }
  return wire;
}

const SESSION_KEY = "tailored_session";

function newSessionId(random: () => number): string {
  let out = "";
  for (let i = 0; i < 16; i++) out += Math.floor(random() * 36).toString(36);
  return out;
}

/** Starts the pixel: what `register`'s callback does (src/index.ts). */
export function startPixel(api: PixelApi, options: PixelOptions = {}): Pixel {
  const send = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const maxBatch = options.maxBatch ?? 20;
  const flushMs = options.flushMs ?? 500;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const random = options.random ?? Math.random;
  const shop = api.settings.shop ?? api.init.data?.shop?.myshopifyDomain ?? "";
  const key = api.settings.ingestKey ?? "";
  const url = api.settings.ingestUrl ?? "";
  const customerId = plainId(api.init.data?.customer?.id);

  let allowed = api.init.customerPrivacy?.analyticsProcessingAllowed === true;
  let queue: WireEvent[] = [];
  let timer: unknown = null;
  let inFlight: Promise<void> = Promise.resolve();

  // A session id per tab (sessionStorage), for sessions_count; read once, asynchronously (the strict
  // sandbox's storage is async). Events before it is read wait for it in flush.
  const session: Promise<string | undefined> = (async () => {
    const storage = api.browser?.sessionStorage;
    if (!storage) return newSessionId(random);
    try {
      const held = await storage.getItem(SESSION_KEY);
      if (held) return held;
      const fresh = newSessionId(random);
      await storage.setItem(SESSION_KEY, fresh);
      return fresh;
    } catch {
      return undefined;
    }
  })();

  // The visit cookie: renewed with the first event of each page (so it lives while the visit does),
  // cleared when consent is withdrawn. Best effort, like the events.
  let cookieFor: string | null = null;
  const setCookie = (value: string, seconds: number) => {
    try {
      void api.browser?.cookie
        ?.set(`${VISIT_COOKIE}=${encodeURIComponent(value)}; path=/; max-age=${seconds}; samesite=lax`)
        .catch(() => undefined);
    } catch {
      // No cookie: the blocks answer without the visit's interest.
    }
  };

  api.customerPrivacy?.subscribe("visitorConsentCollected", (event) => {
    allowed = event.customerPrivacy?.analyticsProcessingAllowed === true;
    if (!allowed) {
      queue = [];
      if (timer !== null) clearTimer(timer);
      timer = null;
      cookieFor = null;
      setCookie("", 0);
    }
  });

  const flush = (): Promise<void> => {
    if (timer !== null) clearTimer(timer);
    timer = null;
    const events = queue;
    queue = [];
    if (events.length === 0 || !allowed || !url || !key || !shop) return inFlight;
    inFlight = inFlight.then(async () => {
      const sessionId = await session;
      const batch: WireBatch = {
        shop,
        key,
        events: sessionId ? events.map((e) => ({ ...e, sessionId })) : events,
      };
      try {
        // text/plain keeps the request "simple" (no CORS preflight, which a keepalive request may not
        // get to make while the page unloads); the ingest reads the body as JSON either way.
        await send(url, {
          method: "POST",
          keepalive: true,
          headers: { "content-type": "text/plain;charset=UTF-8" },
          body: JSON.stringify(batch),
        });
      } catch {
        // Lost: analytics events are best effort, and a retry queue in a shopper's browser is not ours.
      }
    });
    return inFlight;
  };

  const onEvent = (event: StandardEvent) => {
    if (!allowed) return;
    const wire = toWire(event, { customerId });
    if (!wire) return;
    if (cookieFor !== wire.clientId) {
      cookieFor = wire.clientId;
      setCookie(wire.clientId, VISIT_COOKIE_SECONDS);
    }
    queue.push(wire);
    if (queue.length >= maxBatch || wire.name === "checkout_completed") void flush();
    else if (timer === null) timer = setTimer(() => void flush(), flushMs);
  };
  for (const name of SUBSCRIBED_EVENTS) api.analytics.subscribe(name, onEvent);

  return { flush, consented: () => allowed };
}
