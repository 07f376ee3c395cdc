// The Shopify filters the blocks use, for LiquidJS (the demo storefront and the tests render the real
// block files with it). Only what extensions/tailored-blocks uses, with Shopify's documented
// behaviour: `money` (cents in the shop's currency), `image_url` (a CDN URL with width/height
// parameters), `t` (the storefront locale's strings, falling back to the default locale).
import { displayMoney } from "~/domain/money";

export type Translations = Record<string, unknown>;

/** `money`: Shopify's amounts in Liquid are integers in the currency's minor unit. */
export function money(cents: unknown, currencyCode: string): string {
  const n = typeof cents === "number" ? cents : Number(cents);
  if (!Number.isFinite(n)) return "";
  return displayMoney(BigInt(Math.round(n)), currencyCode);
}

/**
 * `image_url: width: W, height: H`: the image's URL (an image object's `src`, or a URL string) with
 * the size as query parameters, as Shopify's CDN takes them.
 */
export function imageUrl(image: unknown, options: { width?: unknown; height?: unknown } = {}): string {
  const src =
    typeof image === "string"
      ? image
      : image && typeof image === "object" && "src" in image && typeof (image as { src: unknown }).src === "string"
        ? (image as { src: string }).src
        : "";
  if (!src) return "";
  const params: string[] = [];
  for (const key of ["width", "height"] as const) {
    const v = Number(options[key]);
    if (Number.isInteger(v) && v > 0 && v <= 5760) params.push(`${key}=${v}`);
  }
  return params.length ? `${src}${src.includes("?") ? "&" : "?"}${params.join("&")}` : src;
}

/** `t`: a dotted key in the locale's strings, else the default locale's, else Shopify's missing text. */
export function translate(key: unknown, locales: readonly Translations[]): string {
  const path = String(key).split(".");
  for (const strings of locales) {
    let node: unknown = strings;
    for (const part of path)
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
    if (typeof node === "string") return node;
  }
  return `translation missing: ${String(key)}`;
}

/** The `{% schema %}` block's JSON of a block file (Shopify strips it before rendering). */
export function blockSchema(source: string): unknown {
  const match = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(source);
  return match ? (JSON.parse(match[1]!) as unknown) : null;
}

export function withoutSchema(source: string): string {
  return source.replace(/\{%-?\s*schema\s*-?%\}[\s\S]*?\{%-?\s*endschema\s*-?%\}/, "");
}
