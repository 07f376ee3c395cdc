// The theme app extension (extensions/tailored-blocks): Shopify's theme linter over it (it runs offline,
// with the theme-app-extension checks chosen by the shopify.extension.toml beside the files), the size
// limits and rules of contracts.md §2 checked directly, and the blocks' Liquid rendered with LiquidJS
// for a fallback (what shows before the proxy answers, or when it never does).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { check } from "@shopify/theme-check-node";
import { describe, expect, it } from "vitest";
import { blockSchema, imageUrl, money, translate } from "~/storefront/liquid-filters";
import { storefrontLiquid, EXTENSION_DIR, type LiquidProduct } from "~/storefront/liquid.server";
import { ROOT } from "../helpers/env";

const DIR = path.join(ROOT, EXTENSION_DIR);
const files = (sub: string) => (fs.existsSync(path.join(DIR, sub)) ? fs.readdirSync(path.join(DIR, sub)) : []);
const read = (...parts: string[]) => fs.readFileSync(path.join(DIR, ...parts), "utf8");

describe("theme-check", () => {
  it("finds nothing in the extension", async () => {
    const offenses = await check(DIR);
    expect(offenses.map((o) => `${o.check}: ${o.uri.split("/").slice(-2).join("/")}: ${o.message}`)).toEqual([]);
  }, 60_000);

  it("catches a forbidden tag in a copy (so the check above is a real one)", async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-ext-"));
    try {
      fs.cpSync(DIR, copy, { recursive: true });
      fs.appendFileSync(
        path.join(copy, "blocks", "recommendations.liquid"),
        "{% javascript %}alert(1){% endjavascript %}\n",
      );
      const offenses = await check(copy);
      expect(offenses.map((o) => o.check)).toContain("AppBlockValidTags");
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("contracts.md §2: structure and limits", () => {
  it("is a theme extension with blocks, snippets, assets and locales", () => {
    expect(read("shopify.extension.toml")).toMatch(/^type = "theme"$/m);
    expect(files("blocks").sort()).toEqual(["personalized-banner.liquid", "recommendations.liquid"]);
    expect(files("snippets").length).toBeGreaterThan(0);
    expect(files("locales")).toEqual(expect.arrayContaining(["en.default.json", "en.default.schema.json"]));
    // At least one more storefront locale, and one more editor locale.
    expect(files("locales").filter((f) => /^[a-z-]+\.json$/i.test(f) && !f.includes("default")).length).toBeGreaterThan(
      0,
    );
    expect(files("locales").filter((f) => f.endsWith(".schema.json") && !f.includes("default")).length).toBeGreaterThan(
      0,
    );
  });

  it("keeps within the size limits", () => {
    const all = ["blocks", "snippets", "assets", "locales"].flatMap((d) => files(d).map((f) => path.join(DIR, d, f)));
    expect(all.reduce((s, f) => s + fs.statSync(f).size, 0)).toBeLessThan(10 * 1024 * 1024);
    expect(files("blocks").length).toBeLessThanOrEqual(30);
    expect(files("locales").length).toBeLessThanOrEqual(100);
    for (const f of files("locales"))
      expect(fs.statSync(path.join(DIR, "locales", f)).size).toBeLessThanOrEqual(15 * 1024);
    const liquid = all.filter((f) => f.endsWith(".liquid")).reduce((s, f) => s + fs.statSync(f).size, 0);
    expect(liquid).toBeLessThanOrEqual(100 * 1024);
    // One small script, no framework: well under the 10 KB suggestion, compressed or not.
    const scripts = files("assets").filter((f) => f.endsWith(".js"));
    expect(scripts).toEqual(["tailored.js"]);
    const js = fs.readFileSync(path.join(DIR, "assets", "tailored.js"));
    expect(js.length).toBeLessThan(10 * 1024);
    expect(gzipSync(js).length).toBeLessThan(4 * 1024);
    expect(js.toString()).not.toMatch(/\bimport\s|require\(|React|Vue|jQuery/);
  });

  it("uses no forbidden tag or object in its Liquid", () => {
    for (const dir of ["blocks", "snippets"]) {
      for (const f of files(dir)) {
        const text = read(dir, f);
        expect(text, f).not.toMatch(/\{%-?\s*(javascript|stylesheet|layout|sections?)\b/);
        expect(text, f).not.toMatch(/content_for_(header|index|layout)/);
      }
    }
  });

  it("has valid JSON without comments in locales and schemas; every t: key is translated in every editor locale", () => {
    const editorLocales = files("locales").filter((f) => f.endsWith(".schema.json"));
    const storefrontLocales = files("locales").filter((f) => !f.endsWith(".schema.json"));
    for (const f of files("locales")) {
      const text = read("locales", f);
      expect(text, f).not.toMatch(/^\s*\/\/|\/\*/m);
      JSON.parse(text);
    }
    for (const block of files("blocks")) {
      const schema = blockSchema(read("blocks", block)) as {
        name: string;
        target: string;
        settings: { label?: string; content?: string; info?: string }[];
      };
      expect(schema.target).toBe("section");
      const keys = [schema.name, ...schema.settings.flatMap((s) => [s.label, s.content, s.info])]
        .concat(
          schema.settings.flatMap((s) => ((s as { options?: { label: string }[] }).options ?? []).map((o) => o.label)),
        )
        .filter((k): k is string => typeof k === "string" && k.startsWith("t:"))
        .map((k) => k.slice(2));
      for (const locale of editorLocales) {
        const strings = JSON.parse(read("locales", locale)) as Record<string, unknown>;
        for (const key of keys)
          expect(translate(key, [strings]), `${locale}: ${key}`).not.toMatch(/^translation missing/);
        // Block names under 25 characters (contracts.md §2).
        expect(translate(schema.name.slice(2), [strings]).length).toBeLessThan(25);
      }
    }
    // Every `'…' | t` the Liquid uses exists in every storefront locale.
    const used = [...files("blocks"), ...files("snippets").map((f) => `../snippets/${f}`)].flatMap((f) =>
      [...read("blocks", f).matchAll(/'([a-z_.]+)'\s*\|\s*t\b/g)].map((m) => m[1]!),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const locale of storefrontLocales) {
      const strings = JSON.parse(read("locales", locale)) as Record<string, unknown>;
      for (const key of used)
        expect(translate(key, [strings]), `${locale}: ${key}`).not.toMatch(/^translation missing/);
    }
  });
});

describe("Shopify filters for LiquidJS", () => {
  it.each([
    [1999, "USD", "$19.99"],
    [0, "USD", "$0.00"],
    [1500, "JPY", "¥1,500"],
    ["250", "EUR", "€2.50"],
    ["x", "USD", ""],
  ])("money(%j, %s)", (cents, currency, out) => expect(money(cents, currency)).toBe(out));

  it.each([
    [{ src: "https://cdn.example/a.jpg" }, { width: 400 }, "https://cdn.example/a.jpg?width=400"],
    [
      "https://cdn.example/a.jpg?v=1",
      { width: 400, height: 300 },
      "https://cdn.example/a.jpg?v=1&width=400&height=300",
    ],
    [null, { width: 400 }, ""],
    ["https://cdn.example/a.jpg", { width: "huge" }, "https://cdn.example/a.jpg"],
  ])("image_url(%j, %j)", (image, options, out) => expect(imageUrl(image, options)).toBe(out));

  it("t falls back to the default locale, then says what is missing", () => {
    expect(translate("a.b", [{ a: { b: "fr" } }, { a: { b: "en" } }])).toBe("fr");
    expect(translate("a.c", [{ a: {} }, { a: { c: "en" } }])).toBe("en");
    expect(translate("a.d", [{}])).toBe("translation missing: a.d");
  });
});

const product = (n: number): LiquidProduct => ({
  id: 800 + n,
  title: `Fallback <Tea> ${n}`,
  url: `/products/fallback-${n}`,
  price: 1250 + n,
  featured_image: { src: `https://cdn.example/p${n}.jpg`, alt: "", aspect_ratio: 1 },
});

describe("the blocks' Liquid, rendered with LiquidJS (fallback content)", () => {
  const liquid = storefrontLiquid({ root: ROOT });

  it("renders the banner's fallback from its settings, escaped, with reserved space and the proxy's path", async () => {
    const html = await liquid.renderBlock("personalized-banner", {
      blockId: "b1",
      country: "CA",
      settings: {
        headline: `Welcome <script>alert(1)</script>`,
        text: "<p>New arrivals</p>",
        image: null,
        button_label: "Shop now",
        button_link: "/collections/all",
        layout: "split",
        text_color: "#111111",
        background_color: "#eeeeee",
        min_height: 240,
        timeout_ms: 1200,
      },
    });
    expect(html).toContain(`data-tailored="banner"`);
    expect(html).toContain(`data-proxy="/apps/tailored"`);
    expect(html).toContain(`data-country="CA"`);
    expect(html).toContain(`data-timeout="1200"`);
    expect(html).toContain("min-height: 240px");
    expect(html).toContain("tailored-banner--split");
    expect(html).toContain("Welcome &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).toContain(`<a class="tailored-banner__button" href="/collections/all">Shop now</a>`);
    expect(html).toContain(`aria-label="Featured offer"`);
  });

  it("renders the recommendations' fallback collection as product cards with prices", async () => {
    const html = await liquid.renderBlock("recommendations", {
      blockId: "r1",
      country: null,
      product: product(9),
      settings: {
        heading: "",
        products_count: 3,
        layout: "row",
        show_price: true,
        collection: { products: [product(1), product(2), product(3), product(4)] },
        timeout_ms: 1500,
      },
    });
    expect(html.match(/class="tailored-card"/g)).toHaveLength(3);
    expect(html).toContain("Fallback &lt;Tea&gt; 1");
    expect(html).toContain("$12.51");
    expect(html).toContain(`src="https://cdn.example/p1.jpg?width=400"`);
    expect(html).toContain(`data-product-id="809"`);
    expect(html).toContain(`data-limit="3"`);
    expect(html).toContain("Picked for you"); // the locale's heading when the setting is empty
    expect(html).toContain("tailored-recs--row");
  });

  it("renders placeholders (reserved space) without a fallback collection, and a French heading", async () => {
    const fr = storefrontLiquid({ root: ROOT, locale: "fr" });
    const html = await fr.renderBlock("recommendations", {
      blockId: "r2",
      country: "FR",
      settings: { heading: "", products_count: 4, layout: "grid", show_price: false, collection: null },
    });
    expect(html.match(/tailored-card--placeholder/g)).toHaveLength(4);
    expect(html).toContain("Sélectionné pour vous");
    expect(html).toContain(`data-product-id=""`);
  });
});

describe("the blocks' Liquid for a known decision", () => {
  const liquid = storefrontLiquid({ root: ROOT });

  it("renders the banner snippet with the decided campaign's content, as the script and the proxy's Liquid form do", async () => {
    const { decide } = await import("~/domain/personalize");
    const { bannerFragment } = await import("~/storefront/fragments");
    const campaign = {
      id: 5,
      status: "active" as const,
      segmentId: 3,
      countries: [],
      newVisitorsOnly: false,
      priority: 1,
      startsAt: null,
      endsAt: null,
      holdoutPercent: 0,
      strategy: "personal" as const,
      interestProductType: null,
      interestViews: 3,
      headline: "Welcome back, VIP",
      bodyHtml: "<p>Your <strong>early access</strong> starts now.</p>",
      buttonLabel: "See the collection",
      buttonLink: "/collections/vip",
    };
    const d = decide(
      [campaign],
      { customerId: "1", segmentIds: [3], country: null, visitorId: null, newVisitor: false, interest: new Map() },
      new Date(),
    );
    expect(d.kind).toBe("campaign");
    const html = await liquid.renderSnippet("tailored-banner-content", {
      headline: d.campaign!.headline,
      text: d.campaign!.bodyHtml,
      image: null,
      button_label: d.campaign!.buttonLabel,
      button_link: d.campaign!.buttonLink,
    });
    expect(html).toContain(`<h2 class="tailored-banner__headline">Welcome back, VIP</h2>`);
    expect(html).toContain(
      `<div class="tailored-banner__text"><p>Your <strong>early access</strong> starts now.</p></div>`,
    );
    expect(html).toContain(`<a class="tailored-banner__button" href="/collections/vip">See the collection</a>`);
    // The proxy's application/liquid form carries the same parts.
    const fragment = bannerFragment({ ...campaign, imageUrl: null, textColor: "#000", backgroundColor: "#fff" });
    for (const part of [
      `<h2 class="tailored-banner__headline">Welcome back, VIP</h2>`,
      `href="/collections/vip">See the collection</a>`,
    ])
      expect(fragment).toContain(part);
  });
});
