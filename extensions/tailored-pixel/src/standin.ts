// The pixel's own code (./pixel.ts) run outside Shopify, under a stand-in for the Web Pixels API:
// the tests use it, and the demo storefront (/storefront) calls `loadPixelWithStandIn` in the page
// so that browsing there fires the same events, through the same code, to the same ingest.
import { startPixel, type Pixel, type PixelOptions, type Privacy, type StandardEvent } from "./pixel";

export type StandInOptions = PixelOptions & {
  settings: { shop: string; ingestKey: string; ingestUrl: string };
  /** The logged-in customer's id (init.data.customer), if any. */
  customerId?: string | null;
  /** The visitor's id, as Shopify's `_shopify_y` cookie would give it. */
  clientId: string;
  /** Analytics consent at page load (default true: regions without a consent requirement). */
  analyticsAllowed?: boolean;
  /** The top frame's cookies (`document.cookie` in a page); an in-memory jar by default. */
  cookie?: { set(cookie: string): Promise<unknown> };
  /** Session storage; an in-memory one by default. */
  sessionStorage?: { getItem(key: string): Promise<string | null>; setItem(key: string, value: string): Promise<void> };
  now?: () => Date;
};

export type StandIn = Pixel & {
  /** What Shopify's storefront would publish: a standard event with its `data`. */
  publish(name: string, data?: StandardEvent["data"]): void;
  /** What the consent banner would report (`visitorConsentCollected`). */
  setConsent(privacy: Privacy): void;
  /** The default in-memory cookie jar's content (tests). */
  cookies(): ReadonlyMap<string, string>;
};

let counter = 0;

export function loadPixelWithStandIn(options: StandInOptions): StandIn {
  const subscribers = new Map<string, ((event: StandardEvent) => void)[]>();
  const consentSubscribers: ((event: { customerPrivacy: Privacy }) => void)[] = [];
  const memory = new Map<string, string>();
  const storage = options.sessionStorage ?? {
    getItem: async (key: string) => memory.get(key) ?? null,
    setItem: async (key: string, value: string) => void memory.set(key, value),
  };
  const now = options.now ?? (() => new Date());
  const jar = new Map<string, string>();
  const cookie = options.cookie ?? {
    set: async (line: string) => {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone) jar.delete(pair.slice(0, eq).trim());
      else jar.set(pair.slice(0, eq).trim(), decodeURIComponent(pair.slice(eq + 1)));
      return line;
    },
  };
  const pixel = startPixel(
    {
      analytics: {
        subscribe: (name, callback) => subscribers.set(name, [...(subscribers.get(name) ?? []), callback]),
      },
      browser: { sessionStorage: storage, cookie },
      init: {
        customerPrivacy: { analyticsProcessingAllowed: options.analyticsAllowed ?? true },
        data: { customer: options.customerId ? { id: options.customerId } : null, shop: null },
      },
      settings: options.settings,
      customerPrivacy: { subscribe: (_name, callback) => consentSubscribers.push(callback) },
    },
    options,
  );
  return {
    ...pixel,
    publish(name, data) {
      const event: StandardEvent = {
        id: `sh-${now().getTime().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        name,
        clientId: options.clientId,
        timestamp: now().toISOString(),
        data,
      };
      for (const callback of subscribers.get(name) ?? []) callback(event);
    },
    setConsent(privacy) {
      for (const callback of consentSubscribers) callback({ customerPrivacy: privacy });
    },
    cookies: () => jar,
  };
}
