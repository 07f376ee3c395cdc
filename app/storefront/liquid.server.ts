// The theme blocks' real Liquid (extensions/tailored-blocks) rendered with LiquidJS and the Shopify
// filters they use (liquid-filters.ts), against a small stand-in for the theme's objects: the demo
// storefront (routes/storefront.tsx) and the tests render exactly the files Shopify would.
import fs from "node:fs";
import path from "node:path";
import { Liquid } from "liquidjs";
import { imageUrl, money, translate, withoutSchema, type Translations } from "./liquid-filters";

export const EXTENSION_DIR = path.join("extensions", "tailored-blocks");

export type BlockName = "personalized-banner" | "recommendations";

/** A product as the theme's Liquid sees it (the parts the blocks read). */
export type LiquidProduct = {
  id: number | string;
  title: string;
  url: string;
  price: number; // cents
  featured_image: { src: string; alt: string; aspect_ratio: number } | null;
};

export type BlockContext = {
  settings: Record<string, unknown>;
  blockId: string;
  country: string | null;
  product?: LiquidProduct | null;
  /** The proxy's root as the theme gives it (`routes.root_url`): "/" on a shop. */
  rootUrl?: string;
};

export type StorefrontLiquid = {
  renderBlock(name: BlockName, context: BlockContext): Promise<string>;
  /** A snippet with its parameters, as `{% render 'name', … %}` would. */
  renderSnippet(name: string, params: Record<string, unknown>): Promise<string>;
  asset(name: string): string;
};

function readJson(file: string): Translations {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Translations) : {};
}

export function storefrontLiquid({
  root = process.cwd(),
  locale = "en",
  currencyCode = "USD",
}: { root?: string; locale?: string; currencyCode?: string } = {}): StorefrontLiquid {
  const dir = path.join(root, EXTENSION_DIR);
  const locales = [
    readJson(path.join(dir, "locales", `${locale}.json`)),
    readJson(path.join(dir, "locales", "en.default.json")),
  ];
  const engine = new Liquid({
    root: [path.join(dir, "blocks"), path.join(dir, "snippets")],
    extname: ".liquid",
    strictFilters: true,
    cache: true,
    relativeReference: false,
  });
  engine.registerFilter("money", (cents: unknown) => money(cents, currencyCode));
  engine.registerFilter("image_url", (image: unknown, ...args: unknown[]) => {
    // LiquidJS passes keyword arguments as [key, value] pairs.
    const options: Record<string, unknown> = {};
    for (const arg of args) if (Array.isArray(arg) && arg.length === 2) options[String(arg[0])] = arg[1];
    return imageUrl(image, options);
  });
  engine.registerFilter("t", (key: unknown) => translate(key, locales));
  const sources = new Map<string, string>();
  const source = (name: BlockName) => {
    let text = sources.get(name);
    if (text === undefined) {
      text = withoutSchema(fs.readFileSync(path.join(dir, "blocks", `${name}.liquid`), "utf8"));
      sources.set(name, text);
    }
    return text;
  };
  return {
    async renderBlock(name, context) {
      return engine.parseAndRender(source(name), {
        block: { id: context.blockId, settings: context.settings, shopify_attributes: "" },
        localization: { country: { iso_code: context.country ?? "" } },
        routes: { root_url: context.rootUrl ?? "/" },
        product: context.product ?? null,
      });
    },
    async renderSnippet(name, params) {
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`no such snippet: ${name}`);
      return engine.parseAndRender(fs.readFileSync(path.join(dir, "snippets", `${name}.liquid`), "utf8"), params);
    },
    asset(name) {
      if (!/^[a-z0-9-]+\.(js|css)$/.test(name)) throw new Error(`no such asset: ${name}`);
      return fs.readFileSync(path.join(dir, "assets", name), "utf8");
    },
  };
}
