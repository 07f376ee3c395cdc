// The demo storefront (demo mode only, routes/storefront.*): a bare shop page that renders the real
// theme blocks' Liquid (liquid.server.ts) for a chosen demo customer or an anonymous visitor. The
// blocks' script then asks /storefront/<who>/apps/tailored/…, which plays Shopify's part: it signs the
// request as Shopify's app proxy does (logged_in_customer_id = the chosen customer) and sends it over
// HTTP to this server's real /proxy/… routes. `who` may also be "fail" (the proxy answers 503) or
// "slow" (it answers after the blocks' timeout), to see the blocks' fallback.
//
// The page also runs the Web Pixel's own code (demo-pixel.server.ts): a product page
// (`?product=<id>`) fires product_viewed, its button product_added_to_cart, every page page_viewed,
// so that browsing here moves behavioural segments and the banner follows the visit's interest.
// Choosing a customer in "Visiting as" is the demo's way of logging in: the pixel then names them.
import type { Db } from "~/db/database.server";
import { bigint, decoder, int, nullable, sql, sqlIn, text } from "~/db/sql";
import { ensurePixelShop } from "~/pixel/store.server";
import { demoPixelBoot } from "./demo-pixel.server";
import { escapeHtml } from "./fragments";
import { signedProxyQuery } from "./proxy-signing";
import { storefrontLiquid, type LiquidProduct } from "./liquid.server";

export type Who = { kind: "customer"; id: string } | { kind: "anonymous" } | { kind: "fail" } | { kind: "slow" };

export function parseWho(value: string | undefined): Who | null {
  if (value === "anon") return { kind: "anonymous" };
  if (value === "fail") return { kind: "fail" };
  if (value === "slow") return { kind: "slow" };
  const m = /^c([1-9][0-9]{0,19})$/.exec(value ?? "");
  return m ? { kind: "customer", id: m[1]! } : null;
}

export const whoPath = (who: Who) =>
  who.kind === "customer" ? `c${who.id}` : who.kind === "anonymous" ? "anon" : who.kind;

/** A few customers worth looking at: two from each active campaign's segment, and two in none. */
async function demoCustomers(db: Db, shop: string): Promise<{ id: string; orders: number }[]> {
  const segments = await db.all(
    sql`SELECT DISTINCT "segmentId", "priority" FROM "Campaign"
        WHERE "shop" = ${shop} AND "status" = 'active' AND "segmentId" IS NOT NULL ORDER BY "priority" DESC LIMIT 5`,
    decoder({ segmentId: int, priority: int }),
  );
  const ids: string[] = [];
  for (const { segmentId } of segments) {
    const members = await db.all(
      sql`SELECT "customerId" FROM "SegmentMember" WHERE "shop" = ${shop} AND "segmentId" = ${segmentId}
          ORDER BY "customerId" LIMIT 2`,
      decoder({ customerId: text }),
    );
    ids.push(...members.map((m) => m.customerId));
  }
  const outside = await db.all(
    sql`SELECT "id" FROM "Customer" WHERE "shop" = ${shop} AND "segmentIds" = ',' ORDER BY "id" LIMIT 2`,
    decoder({ id: text }),
  );
  ids.push(...outside.map((r) => r.id));
  const unique = [...new Set(ids)];
  const facts = new Map(
    (
      await db.all(
        sql`SELECT "customerId", "ordersCount" FROM "CustomerFacts" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, unique)}`,
        decoder({ customerId: text, ordersCount: int }),
      )
    ).map((r) => [r.customerId, r.ordersCount]),
  );
  return unique.map((id) => ({ id, orders: facts.get(id) ?? 0 }));
}

/** The theme's stand-in for a collection: the shop's first active products. */
async function fallbackProducts(db: Db, shop: string, limit: number): Promise<LiquidProduct[]> {
  const rows = await db.all(
    sql`SELECT "id", "handle", "title", "imageUrl", "priceMinor" FROM "Product"
        WHERE "shop" = ${shop} AND "status" = 'ACTIVE' ORDER BY "title" LIMIT ${limit}`,
    decoder({ id: text, handle: text, title: text, imageUrl: nullable(text), priceMinor: nullable(bigint) }),
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    url: `/products/${encodeURIComponent(r.handle)}`,
    price: Number(r.priceMinor ?? 0n),
    featured_image: r.imageUrl ? { src: r.imageUrl, alt: r.title, aspect_ratio: 1 } : null,
  }));
}

type DemoProduct = {
  id: string;
  handle: string;
  title: string;
  productType: string | null;
  vendor: string | null;
  priceMinor: bigint | null;
};

const productRow = decoder({
  id: text,
  handle: text,
  title: text,
  productType: nullable(text),
  vendor: nullable(text),
  priceMinor: nullable(bigint),
});

/** Two active products of each product type: the demo's "catalogue" to browse. */
async function browsable(db: Db, shop: string): Promise<DemoProduct[]> {
  const rows = await db.all(
    sql`SELECT "id", "handle", "title", "productType", "vendor", "priceMinor" FROM "Product"
        WHERE "shop" = ${shop} AND "status" = 'ACTIVE' ORDER BY "productType", "title" LIMIT 400`,
    productRow,
  );
  const perType = new Map<string, number>();
  return rows.filter((p) => {
    const n = perType.get(p.productType ?? "") ?? 0;
    perType.set(p.productType ?? "", n + 1);
    return n < 2;
  });
}

async function productOf(db: Db, shop: string, id: string | null): Promise<DemoProduct | null> {
  if (id === null) return null;
  const [row] = await db.all(
    sql`SELECT "id", "handle", "title", "productType", "vendor", "priceMinor" FROM "Product"
        WHERE "shop" = ${shop} AND "id" = ${id} AND "status" = 'ACTIVE'`,
    productRow,
  );
  return row ?? null;
}

export async function demoStorefrontPage(
  db: Db,
  {
    shop,
    who,
    country,
    productId = null,
    now = new Date(),
  }: { shop: string; who: Who; country: string | null; productId?: string | null; now?: Date },
): Promise<string> {
  const [shopRow] = await db.all(
    sql`SELECT "name", "currencyCode" FROM "Shop" WHERE "domain" = ${shop}`,
    decoder({ name: nullable(text), currencyCode: text }),
  );
  const currencyCode = shopRow?.currencyCode || "USD";
  const liquid = storefrontLiquid({ currencyCode });
  const product = await productOf(db, shop, productId);
  const rootUrl = `/storefront/${whoPath(who)}`;
  const banner = await liquid.renderBlock("personalized-banner", {
    blockId: "demo-banner",
    country,
    rootUrl,
    settings: {
      headline: "Welcome to our store",
      text: "<p>New arrivals every week.</p>",
      image: null,
      button_label: "Shop now",
      button_link: "/collections/all",
      layout: "stacked",
      text_color: "#1a1a1a",
      background_color: "#f4f1ea",
      min_height: 220,
      timeout_ms: 1500,
    },
  });
  const recommendations = await liquid.renderBlock("recommendations", {
    blockId: "demo-recs",
    country,
    rootUrl,
    product: product
      ? {
          id: product.id,
          title: product.title,
          url: `/products/${encodeURIComponent(product.handle)}`,
          price: Number(product.priceMinor ?? 0n),
          featured_image: null,
        }
      : null,
    settings: {
      heading: "",
      products_count: 4,
      layout: "grid",
      show_price: true,
      collection: { products: await fallbackProducts(db, shop, 4) },
      timeout_ms: 1500,
    },
  });
  const customers = await demoCustomers(db, shop);
  const pixelKey = (await ensurePixelShop(db, { shop, now })).ingestKey;
  const boot = demoPixelBoot({
    shop,
    ingestKey: pixelKey,
    customerId: who.kind === "customer" ? who.id : null,
    product,
    currencyCode,
  });
  const link = (p: DemoProduct) => {
    const q = new URLSearchParams({ as: whoPath(who), product: p.id });
    if (country) q.set("country", country);
    return `<li><a href="/storefront?${escapeHtml(q.toString())}">${escapeHtml(p.title)}</a> <small>${escapeHtml(p.productType ?? "")}</small></li>`;
  };
  const home = new URLSearchParams({ as: whoPath(who) });
  if (country) home.set("country", country);
  const catalogue = (await browsable(db, shop)).map(link).join("");
  const productSection = product
    ? `<section class="demo-product" data-demo-product="${escapeHtml(product.id)}">
  <h1>${escapeHtml(product.title)}</h1>
  <p>${escapeHtml([product.productType, product.vendor].filter(Boolean).join(" · "))}</p>
  <button type="button" data-add-to-cart>Add to cart</button>
</section>`
    : "";
  const option = (value: string, label: string) =>
    `<option value="${escapeHtml(value)}"${value === whoPath(who) ? " selected" : ""}>${escapeHtml(label)}</option>`;
  const options = [
    option("anon", "An anonymous visitor"),
    ...customers.map((c) => option(`c${c.id}`, `Customer ${c.id} (${c.orders} order${c.orders === 1 ? "" : "s"})`)),
    option("fail", "Anyone, with the app failing (503)"),
    option("slow", "Anyone, with the app too slow (timeout)"),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(shopRow?.name ?? shop)} · demo storefront</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/storefront/assets/tailored.css">
<script src="/storefront/assets/pixel.js"></script>
<script>${boot}</script>
<script src="/storefront/assets/tailored.js" defer></script>
<style>body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a}header{padding:12px 24px;background:#222;color:#fff;display:flex;gap:16px;align-items:center;flex-wrap:wrap}header a{color:#fff}main{padding:24px;display:grid;gap:32px}label{font-size:14px}nav ul{columns:2;margin:0;padding-left:18px}nav small{color:#555}</style>
</head>
<body>
<header>
  <strong>${escapeHtml(shopRow?.name ?? shop)}</strong>
  <form method="get" action="/storefront">
    <label>Visiting as <select name="as" id="visitor">${options.join("")}</select></label>
    <label>Country <input name="country" id="country" value="${escapeHtml(country ?? "")}" size="3" maxlength="2"></label>
    ${product ? `<input type="hidden" name="product" value="${escapeHtml(product.id)}">` : ""}
    <button type="submit">Visit</button>
  </form>
  <a href="/storefront?${escapeHtml(home.toString())}">Home</a>
  <a href="/app/campaigns">Campaigns (admin)</a>
  <a href="/app/segments">Segments (admin)</a>
</header>
<main>
${productSection}
${banner}
${recommendations}
<nav aria-label="Products"><h2>Browse</h2><ul>${catalogue}</ul></nav>
</main>
</body>
</html>`;
}

/**
 * Shopify's part: the block's request, signed as the app proxy signs it and sent to this server's
 * /proxy/<kind>. Only Shopify's own parameters are added; the block's are passed on as they came.
 */
export async function forwardToProxy(
  request: Request,
  { shop, who, kind, secret }: { shop: string; who: Who; kind: "banner" | "recommendations"; secret: string },
): Promise<Response> {
  if (who.kind === "fail") return new Response("The app is down (demo)", { status: 503 });
  if (who.kind === "slow") await new Promise((resolve) => setTimeout(resolve, 5_000));
  const url = new URL(request.url);
  const params = signedProxyQuery(url.searchParams, {
    shop,
    customerId: who.kind === "customer" ? who.id : null,
    secret,
    now: new Date(),
  });
  const answer = await fetch(new URL(`/proxy/${kind}?${params.toString()}`, url.origin), {
    headers: { accept: request.headers.get("accept") ?? "application/json" },
  });
  return new Response(await answer.text(), {
    status: answer.status,
    headers: {
      "Content-Type": answer.headers.get("content-type") ?? "application/json",
      "Cache-Control": answer.headers.get("cache-control") ?? "no-store",
    },
  });
}
