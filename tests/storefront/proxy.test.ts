// The app proxy routes, called with real requests signed as Shopify signs them, on both databases:
// the signature (good, bad, missing, stale, repeated parameters), the shop's standing, decisions for
// customers in 0, 1 and several segments, another shop's customer, anonymous visitors, the caching
// headers, the Liquid form, the counts, and a scan of every answer for PII and segment names.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { proxySignature } from "~/storefront/proxy-signing";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { stubDemoEnv } from "../helpers/demo-env";
import { addCampaign, PEOPLE, proxyRequest, SECRET, SEGMENT_NAMES, storefrontShop } from "../helpers/storefront";
import { migrate } from "~/db/migrate.server";
import { ROOT } from "../helpers/env";
import { XSS_VECTORS } from "~/domain/xss-vectors.testing";

const SHOP = "proxy-test.myshopify.com";
const OTHER = "proxy-other.myshopify.com";
const GONE = "proxy-gone.myshopify.com";

type Loader = (args: {
  request: Request;
  params: Record<string, string>;
  context: Record<string, unknown>;
}) => Promise<Response>;

describe.each(DIALECTS)("app proxy on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let banner: Loader;
  let recommendations: Loader;
  let flush: () => Promise<void>;
  const ids: Record<string, number> = {};
  const answers: string[] = [];

  const call = async (loader: Loader, request: Request) => {
    try {
      const response = await loader({ request, params: {}, context: {} });
      return response;
    } catch (thrown) {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    }
  };
  const get = async (kind: "banner" | "recommendations", options: Parameters<typeof proxyRequest>[1]) => {
    const response = await call(kind === "banner" ? banner : recommendations, proxyRequest(kind, options));
    const body = await response.text();
    answers.push(body);
    return {
      status: response.status,
      headers: response.headers,
      body,
      json: () => JSON.parse(body) as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await migrate(database.config, ROOT);
    stubDemoEnv(database.url, { SHOPIFY_API_SECRET: SECRET });
    vi.resetModules();
    delete (globalThis as { tailoredDb?: Db }).tailoredDb;
    ({ db } = await import("~/db.server"));
    const now = new Date();
    const segments = await storefrontShop(db, SHOP, now);
    // Another installed shop, whose customer 7777 is not a customer of SHOP; and an uninstalled one.
    await storefrontShop(db, OTHER, now);
    await db.prisma.customer.update({ where: { shop_id: { shop: OTHER, id: PEOPLE.none.id } }, data: { id: "7777" } });
    await storefrontShop(db, GONE, now);
    await db.prisma.shop.update({ where: { domain: GONE }, data: { uninstalledAt: now } });
    ids.repeat = await addCampaign(db, SHOP, {
      name: `For ${SEGMENT_NAMES.repeat}`,
      segmentId: String(segments.repeat),
      priority: "9",
      holdoutPercent: "0",
      headline: "Welcome back, regular",
      bodyHtml: `<p>Thanks for {{ shop.name }} loyalty</p>${XSS_VECTORS.join("")}`,
      buttonLabel: "Your picks",
      buttonLink: "/collections/regulars",
      strategy: "segment",
    });
    ids.big = await addCampaign(db, SHOP, {
      name: `For ${SEGMENT_NAMES.big}`,
      segmentId: String(segments.big),
      priority: "5",
      holdoutPercent: "0",
      headline: "Big spender perks",
    });
    ids.newCa = await addCampaign(db, SHOP, {
      name: "New Canadians",
      countries: "CA",
      newVisitorsOnly: "on",
      priority: "1",
      holdoutPercent: "0",
      headline: "Bienvenue, new visitor",
    });
    await addCampaign(db, SHOP, { name: "Draft", status: "draft", priority: "100", headline: "Never shown" });
    await addCampaign(db, OTHER, {
      name: "Other shop's",
      priority: "1",
      headline: "Other shop banner",
      holdoutPercent: "0",
    });
    banner = (await import("~/routes/proxy.banner")).loader as unknown as Loader;
    recommendations = (await import("~/routes/proxy.recommendations")).loader as unknown as Loader;
    flush = async () => (await import("~/models/campaigns/impressions.server")).flushImpressions(db);
  });
  afterAll(async () => {
    await flush?.();
    (await import("~/sync/installed-shops.server")).installedShops().stop();
    await db.close();
    delete (globalThis as { tailoredDb?: Db }).tailoredDb;
    vi.unstubAllEnvs();
    await database.drop();
  });

  describe("signature", () => {
    it("answers a correctly signed request", async () => {
      const r = await get("banner", { shop: SHOP, customerId: PEOPLE.none.id });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    });

    it("refuses a missing signature (400) and a wrong one (401)", async () => {
      const good = proxyRequest("banner", { shop: SHOP, customerId: PEOPLE.one.id });
      const url = new URL(good.url);
      const missing = new URL(url);
      missing.searchParams.delete("signature");
      const r1 = await call(banner, new Request(missing));
      expect(r1.status).toBe(400);
      expect(await r1.json()).toEqual({ error: "missing signature" });
      const wrong = await get("banner", { shop: SHOP, customerId: PEOPLE.one.id, secret: "not-the-secret" });
      expect(wrong.status).toBe(401);
      // A signed request whose customer is changed afterwards.
      const tampered = new URL(url);
      tampered.searchParams.set("logged_in_customer_id", PEOPLE.several.id);
      expect((await call(banner, new Request(tampered))).status).toBe(401);
    });

    it("checks the signature itself: upper-case or cut short is wrong (401); the previous secret passes during a rotation", async () => {
      const url = new URL(proxyRequest("banner", { shop: SHOP, customerId: PEOPLE.one.id }).url);
      const signature = url.searchParams.get("signature")!;
      for (const bad of [signature.toUpperCase(), signature.slice(0, -1), `${signature}0`]) {
        const altered = new URL(url);
        altered.searchParams.set("signature", bad);
        expect((await call(banner, new Request(altered))).status).toBe(401);
      }
      const old = await get("banner", { shop: SHOP, customerId: PEOPLE.one.id, secret: "the-previous-secret" });
      expect(old.status).toBe(401);
      vi.stubEnv("SHOPIFY_API_SECRET_PREVIOUS", "the-previous-secret");
      try {
        expect(
          (await get("banner", { shop: SHOP, customerId: PEOPLE.one.id, secret: "the-previous-secret" })).status,
        ).toBe(200);
        expect((await get("banner", { shop: SHOP, customerId: PEOPLE.one.id })).status).toBe(200);
      } finally {
        vi.stubEnv("SHOPIFY_API_SECRET_PREVIOUS", "");
      }
    });

    it("refuses a timestamp more than 90 s away, either way, and a missing one", async () => {
      const now = Date.now();
      for (const offset of [-91_000, 91_000, -3_600_000]) {
        const r = await get("banner", { shop: SHOP, now: new Date(now + offset) });
        expect(r.status).toBe(400);
        expect(r.json()).toEqual({ error: "stale timestamp (more than 90 s away)" });
      }
      expect((await get("banner", { shop: SHOP, now: new Date(now - 60_000) })).status).toBe(200);
      // Without a timestamp Shopify's library would let it through (NaN); refused here.
      const params = new URLSearchParams({ shop: SHOP, logged_in_customer_id: "", path_prefix: "/apps/tailored" });
      params.set("signature", proxySignature(params, SECRET));
      const r = await call(banner, new Request(`http://localhost:3000/proxy/banner?${params}`));
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ error: "missing or invalid timestamp" });
    });

    it("refuses a repeated parameter, even one Shopify signed (its library would check only the last value)", async () => {
      const repeated = new URLSearchParams("extra=1&extra=2");
      const r = await get("banner", { shop: SHOP, query: Object.fromEntries(repeated) });
      expect(r.status).toBe(200); // one value: fine
      const signed = new URL(proxyRequest("banner", { shop: SHOP }).url);
      const params = new URLSearchParams(signed.search);
      params.delete("signature");
      params.append("extra", "1");
      params.append("extra", "2");
      params.set("signature", proxySignature(params, SECRET)); // as Shopify signs: extra=1,2
      const both = await call(banner, new Request(`http://localhost:3000/proxy/banner?${params}`));
      expect(both.status).toBe(400);
      expect(((await both.json()) as { error: string }).error).toMatch(/repeated query parameter "extra"/);
      // A second customer id smuggled after a signed request.
      const smuggled = new URL(proxyRequest("banner", { shop: SHOP, customerId: PEOPLE.none.id }).url);
      smuggled.searchParams.append("logged_in_customer_id", PEOPLE.several.id);
      expect((await call(banner, new Request(smuggled))).status).toBe(400);
    });

    it("refuses an unknown shop and an uninstalled one (403), signed or not", async () => {
      expect((await get("banner", { shop: "nobody.myshopify.com" })).status).toBe(403);
      expect((await get("recommendations", { shop: GONE })).status).toBe(403);
      expect((await get("banner", { shop: "not a shop" })).status).toBe(400);
    });

    it("answers 405 to anything but GET", async () => {
      const r = await call(
        banner,
        new Request(proxyRequest("banner", { shop: SHOP }).url, { method: "POST", body: "x" }),
      );
      expect(r.status).toBe(405);
    });
  });

  describe("decisions", () => {
    it.each([
      ["no segment", "none", "fallback", null],
      ["one segment", "one", "fallback", null], // one small order: in neither segment
      ["the big-spender segment", "big", "campaign", "big"],
      ["both segments: the higher priority wins", "several", "campaign", "repeat"],
    ] as const)("a customer in %s", async (_, who, decision, campaign) => {
      const r = await get("banner", { shop: SHOP, customerId: PEOPLE[who].id });
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({ decision, campaign: campaign === null ? null : ids[campaign] });
      expect(r.headers.get("cache-control")).toBe("private, no-store");
    });

    it("serves the sanitized banner: no script or handler, Liquid delimiters left as text", async () => {
      const r = await get("banner", { shop: SHOP, customerId: PEOPLE.several.id });
      const b = r.json().banner as { headline: string; bodyHtml: string; buttonLink: string };
      expect(b.headline).toBe("Welcome back, regular");
      expect(b.buttonLink).toBe("/collections/regulars");
      expect(b.bodyHtml).toMatch(/^<p>Thanks for \{\{ shop.name \}\} loyalty<\/p>/);
      expect(b.bodyHtml).not.toMatch(/<\s*script|\son[a-z]+\s*=|javascript:|<\s*(img|svg|iframe|style)/i);
    });

    it("treats a customer of another shop as anonymous", async () => {
      const r = await get("banner", { shop: SHOP, customerId: "7777" });
      expect(r.json()).toMatchObject({ decision: "fallback", campaign: null });
      expect(r.headers.get("cache-control")).toBe("public, max-age=30");
      // And the other shop's campaign is not this shop's.
      expect(r.body).not.toContain("Other shop banner");
    });

    it("decides anonymous visitors by country and new visitor", async () => {
      const newCa = await get("banner", { shop: SHOP, query: { country: "ca", new: "1", vid: "visitor-0001" } });
      expect(newCa.json()).toMatchObject({ decision: "campaign", campaign: ids.newCa });
      expect(newCa.headers.get("cache-control")).toBe("public, max-age=30");
      expect((await get("banner", { shop: SHOP, query: { country: "CA", vid: "visitor-0001" } })).json()).toMatchObject(
        { decision: "fallback" },
      );
      expect((await get("banner", { shop: SHOP, query: { country: "US", new: "1" } })).json()).toMatchObject({
        decision: "fallback",
      });
      // Junk parameters are absent, not errors.
      const junk = await get("banner", { shop: SHOP, query: { country: "<script>", new: "yes", vid: "!" } });
      expect(junk.status).toBe(200);
    });

    it("lists products for anonymous visitors and customers, with the page's product and a limit", async () => {
      const anon = await get("recommendations", { shop: SHOP, query: { limit: "3", product_id: "9002" } });
      expect(anon.status).toBe(200);
      const products = anon.json().products as { url: string; title: string; price: string }[];
      expect(products.length).toBeGreaterThan(0);
      expect(products.length).toBeLessThanOrEqual(3);
      for (const p of products) {
        expect(p.url).toMatch(/^\/products\/tea-\d$/);
        expect(p.price).toMatch(/^\$\d+\.\d\d$/);
      }
      const mine = await get("recommendations", { shop: SHOP, customerId: PEOPLE.several.id, query: { limit: "99" } });
      expect(mine.json()).toMatchObject({ decision: "campaign", campaign: ids.repeat });
      expect(mine.headers.get("cache-control")).toBe("private, no-store");
    });

    it("answers the Liquid form as application/liquid, with Liquid delimiters made inert", async () => {
      const r = await get("banner", { shop: SHOP, customerId: PEOPLE.several.id, query: { format: "liquid" } });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("application/liquid");
      expect(r.headers.get("cache-control")).toBe("private, no-store");
      expect(r.body).toMatch(/^\{% layout none %\}/);
      expect(r.body.replace(/^\{% layout none %\}/, "")).not.toMatch(/\{\{|\{%/);
      expect(r.body).toContain("&#123;&#123; shop.name &#125;&#125;");
      expect(r.body).toContain("Welcome back, regular");
      const recs = await get("recommendations", { shop: SHOP, query: { format: "liquid" } });
      expect(recs.headers.get("content-type")).toBe("application/liquid");
      expect(recs.body).toContain(`class="tailored-card"`);
    });

    it("sees a campaign edited in this process at once (the cache is invalidated)", async () => {
      const { updateCampaign, getCampaign } = await import("~/models/campaigns/store.server");
      const { campaignInput } = await import("../helpers/storefront");
      const { campaignFields } = await import("~/models/campaigns/store.server");
      const before = (await getCampaign(db, { shop: SHOP, id: ids.big! }))!;
      await updateCampaign(db, {
        shop: SHOP,
        id: ids.big!,
        input: campaignInput({ ...campaignFields(before), headline: "Big spender perks, edited" }),
        now: new Date(),
      });
      const r = await get("banner", { shop: SHOP, customerId: PEOPLE.big.id });
      expect((r.json().banner as { headline: string }).headline).toBe("Big spender perks, edited");
    });
  });

  describe("counts and privacy", () => {
    it("counts impressions per arm and the logged-in customers exposed", async () => {
      await flush();
      const impressions = await db.prisma.campaignImpression.findMany({
        where: { shop: SHOP, campaignId: ids.repeat },
      });
      expect(impressions.reduce((s, r) => s + r.impressions, 0)).toBeGreaterThanOrEqual(2);
      const exposures = await db.prisma.campaignExposure.findMany({ where: { shop: SHOP } });
      expect(exposures.map((e) => e.customerId).sort()).toEqual([PEOPLE.several.id, PEOPLE.big.id]);
      expect(new Set(exposures.map((e) => e.arm))).toEqual(new Set(["campaign"]));
    });

    it("no answer holds a customer's e-mail or name, a segment or campaign name", async () => {
      for (const who of Object.values(PEOPLE)) {
        for (const kind of ["banner", "recommendations"] as const) {
          for (const format of ["json", "liquid"])
            await get(kind, { shop: SHOP, customerId: who.id, query: { format } });
        }
      }
      expect(answers.length).toBeGreaterThan(30);
      const needles = [
        ...Object.values(PEOPLE).flatMap((p) => [p.email, p.firstName, p.lastName]),
        ...Object.values(SEGMENT_NAMES),
        "New Canadians",
        `For ${SEGMENT_NAMES.repeat}`,
      ];
      for (const body of answers)
        for (const needle of needles) expect(body.toLowerCase()).not.toContain(needle.toLowerCase());
    });
  });
});
