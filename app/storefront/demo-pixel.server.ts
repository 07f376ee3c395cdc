// The Web Pixel on the demo storefront (demo mode only): the pixel's own code
// (extensions/tailored-pixel/src/pixel.ts) under its stand-in for Shopify's `register` API
// (src/standin.ts `loadPixelWithStandIn`), bundled for the browser, so that browsing /storefront fires
// the events a shop's storefront would, through the same code, to the same ingest. Two parts play
// Shopify's:
// - the page script gives the pixel a clientId (a random id in a `_shopify_y` cookie, as Shopify's
//   own visitor cookie), the chosen customer as `init.data.customer`, the page's cookies and session
//   storage, and publishes page_viewed / product_viewed / product_added_to_cart as the theme would;
// - /storefront/pixel/events relays a batch to this server's real POST /pixel/events with the shop's
//   storefront origin (the demo page's own origin is localhost, which the ingest rightly refuses).
import fs from "node:fs";
import path from "node:path";
import { readLimited } from "~/http-limits";
import { MAX_PIXEL_BYTES } from "~/pixel/events";

export const PIXEL_SOURCE = path.join("extensions", "tailored-pixel", "src", "standin.ts");

let bundled: { source: string; mtimeMs: number; code: string } | null = null;

/**
 * The stand-in and the pixel as one script that defines `window.TailoredPixel` (esbuild, which the
 * toolchain has through Vite; built on first use and again when the source changes).
 */
export async function demoPixelScript(root = process.cwd()): Promise<string> {
  const entry = path.join(root, PIXEL_SOURCE);
  const dir = path.dirname(entry);
  const mtimeMs = Math.max(...fs.readdirSync(dir).map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
  if (bundled && bundled.source === entry && bundled.mtimeMs === mtimeMs) return bundled.code;
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "TailoredPixel",
    platform: "browser",
    target: "es2019",
    legalComments: "none",
  });
  const code = result.outputFiles[0]!.text;
  bundled = { source: entry, mtimeMs, code };
  return code;
}

/** What the page script needs: the shop's pixel settings and who is visiting. JSON, safe inside <script>. */
export function demoPixelBoot(options: {
  shop: string;
  ingestKey: string;
  customerId: string | null;
  product: {
    id: string;
    title: string;
    productType: string | null;
    vendor: string | null;
    priceMinor: bigint | null;
  } | null;
  currencyCode: string;
}): string {
  const product = options.product
    ? {
        id: options.product.id,
        title: options.product.title,
        type: options.product.productType,
        vendor: options.product.vendor,
        price: options.product.priceMinor === null ? null : Number(options.product.priceMinor) / 100,
      }
    : null;
  const data = {
    settings: { shop: options.shop, ingestKey: options.ingestKey, ingestUrl: "/storefront/pixel/events" },
    customerId: options.customerId,
    product,
    currencyCode: options.currencyCode,
  };
  // `<` escaped: the JSON sits in a <script> element.
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return `(function () {
  var boot = ${json};
  function cookie(name) {
    var m = new RegExp("(?:^|;\\\\s*)" + name + "=([^;]+)").exec(document.cookie || "");
    return m ? decodeURIComponent(m[1]) : "";
  }
  // Shopify's visitor id: a random id in a first-party cookie, kept for a year.
  var clientId = cookie("_shopify_y");
  if (!clientId) {
    clientId = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
    document.cookie = "_shopify_y=" + clientId + "; path=/; max-age=31536000; samesite=lax";
  }
  var pixel = TailoredPixel.loadPixelWithStandIn({
    settings: boot.settings,
    clientId: clientId,
    customerId: boot.customerId,
    cookie: { set: function (line) { document.cookie = line; return Promise.resolve(line); } },
    sessionStorage: {
      getItem: function (k) { return Promise.resolve(sessionStorage.getItem(k)); },
      setItem: function (k, v) { sessionStorage.setItem(k, v); return Promise.resolve(); }
    },
    flushMs: 200
  });
  window.tailoredPixel = pixel;
  pixel.publish("page_viewed", {});
  var variant = boot.product && {
    id: boot.product.id,
    price: boot.product.price === null ? null : { amount: boot.product.price, currencyCode: boot.currencyCode },
    product: { id: boot.product.id, title: boot.product.title, type: boot.product.type, vendor: boot.product.vendor }
  };
  if (variant) pixel.publish("product_viewed", { productVariant: variant });
  document.addEventListener("click", function (e) {
    var add = e.target && e.target.closest && e.target.closest("[data-add-to-cart]");
    if (!add || !variant) return;
    pixel.publish("product_added_to_cart", {
      cartLine: { merchandise: variant, quantity: 1, cost: { totalAmount: variant.price } }
    });
    pixel.flush().then(function () { add.textContent = "Added"; });
  });
  // What waits goes before the page does (keepalive lets it finish).
  window.addEventListener("pagehide", function () { pixel.flush(); });
})();`;
}

/** Shopify's storefront, in the demo: the batch sent on to this server's ingest from the shop's origin. */
export async function relayPixelBatch(request: Request, { shop }: { shop: string }): Promise<Response> {
  const url = new URL(request.url);
  const body = await readLimited(request, MAX_PIXEL_BYTES);
  if (body === null) return new Response(`a batch is at most ${MAX_PIXEL_BYTES} bytes`, { status: 413 });
  const answer = await fetch(new URL("/pixel/events", url.origin), {
    method: "POST",
    headers: { "content-type": "text/plain;charset=UTF-8", origin: `https://${shop}` },
    body: new Uint8Array(body),
  });
  return new Response(await answer.text(), {
    status: answer.status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
