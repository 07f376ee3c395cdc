// The current visit's interest at the app proxy, on both databases (issue 14 item 5): an anonymous
// visitor's product views of this visit, read by the pixel's clientId (`cid`), select a campaign that
// targets a product type and bias the recommendations toward it; answers that read them are never
// cached; other visitors', older visits' and other shops' views count for nothing; junk `cid` is absent.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { migrate } from "~/db/migrate.server";
import { upsertProducts } from "~/models/store.server";
import type { PixelEventRow } from "~/pixel/events";
import { insertEvents } from "~/pixel/store.server";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { stubDemoEnv } from "../helpers/demo-env";
import { ROOT } from "../helpers/env";
import { t } from "../helpers/rows";
import { addCampaign, PEOPLE, proxyRequest, SECRET, storefrontShop } from "../helpers/storefront";

const SHOP = "interest-test.myshopify.com";
const OTHER = "interest-other.myshopify.com";
const COFFEE = ["9101", "9102", "9103"];

type Loader = (args: {
  request: Request;
  params: Record<string, string>;
  context: Record<string, unknown>;
}) => Promise<Response>;

describe.each(DIALECTS)("the visit's interest at the app proxy on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let banner: Loader;
  let recommendations: Loader;
  let seq = 0;

  const get = async (kind: "banner" | "recommendations", query: Record<string, string>, customerId?: string) => {
    const loader = kind === "banner" ? banner : recommendations;
    const response = await loader({
      request: proxyRequest(kind, { shop: SHOP, customerId: customerId ?? null, query }),
      params: {},
      context: {},
    });
    const body = await response.text();
    return { status: response.status, cache: response.headers.get("cache-control"), body, json: JSON.parse(body) };
  };

  const view = (clientId: string, productType: string | null, minutesAgo: number, shop = SHOP): PixelEventRow => ({
    shop,
    eventId: `iv-${dialect}-${seq++}`,
    name: "product_viewed",
    at: new Date(Date.now() - minutesAgo * 60_000),
    clientId,
    sessionId: "s",
    customerId: null,
    productId: productType === "Coffee Beans" ? COFFEE[seq % 3]! : "9001",
    variantId: null,
    collectionId: null,
    productType,
    vendor: null,
    query: null,
    valueMinor: null,
    currencyCode: null,
  });
  const store = (rows: PixelEventRow[]) => insertEvents(db, { rows, receivedAt: new Date() });

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await migrate(database.config, ROOT);
    stubDemoEnv(database.url, { SHOPIFY_API_SECRET: SECRET });
    vi.resetModules();
    delete (globalThis as { tailoredDb?: Db }).tailoredDb;
    ({ db } = await import("~/db.server"));
    const now = new Date();
    await storefrontShop(db, SHOP, now);
    await storefrontShop(db, OTHER, now);
    await upsertProducts(db, {
      shop: SHOP,
      now,
      rows: COFFEE.map((id, i) => ({
        id,
        handle: `beans-${i + 1}`,
        title: `Beans number ${i + 1}`,
        productType: "Coffee Beans",
        vendor: "Roastery",
        tags: [],
        status: "ACTIVE" as const,
        imageUrl: null,
        priceMinor: 1500n,
        createdAt: t("2025-01-01T00:00:00Z"),
        updatedAt: t("2025-01-01T00:00:00Z"),
      })),
    });
    await addCampaign(db, SHOP, {
      name: "Coffee browsers",
      interestProductType: "coffee beans",
      interestViews: "3",
      priority: "7",
      holdoutPercent: "0",
      headline: "Still thinking about beans?",
    });
    await addCampaign(db, SHOP, { name: "Everyone", priority: "0", holdoutPercent: "0", headline: "Hello" });
    banner = (await import("~/routes/proxy.banner")).loader as unknown as Loader;
    recommendations = (await import("~/routes/proxy.recommendations")).loader as unknown as Loader;
  });
  afterAll(async () => {
    await (await import("~/models/campaigns/impressions.server")).flushImpressions(db);
    (await import("~/sync/installed-shops.server")).installedShops().stop();
    await db.close();
    delete (globalThis as { tailoredDb?: Db }).tailoredDb;
    vi.unstubAllEnvs();
    await database.drop();
  });

  it("selects the interest's campaign once the visitor has viewed the type three times in this visit", async () => {
    const cid = "c0ffee00-aaaa-4bbb-8ccc-000000000001";
    await store([view(cid, "Coffee Beans", 12), view(cid, "Tea", 10), view(cid, "Coffee Beans", 8)]);
    const before = await get("banner", { vid: "visitor-one-1", cid });
    expect(before.status).toBe(200);
    expect(before.json.banner.headline).toBe("Hello");
    // It read the visit's browsing: not to be stored by any cache (the next page may differ).
    expect(before.cache).toBe("private, no-store");
    await store([view(cid, "Coffee Beans", 1)]);
    const after = await get("banner", { vid: "visitor-one-1", cid });
    expect(after.json.banner.headline).toBe("Still thinking about beans?");
    expect(after.cache).toBe("private, no-store");
    // The clientId never comes back in the answer.
    expect(after.body).not.toContain(cid);
  });

  it("counts only this visitor's views of this visit in this shop", async () => {
    const cid = "c0ffee00-aaaa-4bbb-8ccc-000000000002";
    // An earlier visit (more than 30 minutes before the views since), another shop's views, and
    // another visitor's views: none counts.
    await store([
      view(cid, "Coffee Beans", 200),
      view(cid, "Coffee Beans", 190),
      view(cid, "Coffee Beans", 180),
      view(cid, "Coffee Beans", 3, OTHER),
      view(cid, "Coffee Beans", 2, OTHER),
      view(cid, "Coffee Beans", 1, OTHER),
      view("someone-else-entirely", "Coffee Beans", 3),
      view("someone-else-entirely", "Coffee Beans", 2),
      view("someone-else-entirely", "Coffee Beans", 1),
      view(cid, "Coffee Beans", 5),
    ]);
    expect((await get("banner", { cid })).json.banner.headline).toBe("Hello");
    // A visit that ended (the last view over 30 minutes ago) is no interest either.
    const gone = "c0ffee00-aaaa-4bbb-8ccc-000000000003";
    await store([view(gone, "Coffee Beans", 50), view(gone, "Coffee Beans", 45), view(gone, "Coffee Beans", 40)]);
    expect((await get("banner", { cid: gone })).json.banner.headline).toBe("Hello");
  });

  it("applies to a logged-in customer's visit too, with their segments", async () => {
    const cid = "c0ffee00-aaaa-4bbb-8ccc-000000000004";
    await store([view(cid, "Coffee Beans", 3), view(cid, "Coffee Beans", 2), view(cid, "Coffee Beans", 1)]);
    const r = await get("banner", { cid }, PEOPLE.one.id);
    expect(r.json.banner.headline).toBe("Still thinking about beans?");
    expect(r.cache).toBe("private, no-store");
  });

  it("without a cid, or with junk in it, answers as before: no interest, cacheable for anonymous visitors", async () => {
    const plain = await get("banner", { vid: "visitor-two-2" });
    expect(plain.json.banner.headline).toBe("Hello");
    expect(plain.cache).toBe("public, max-age=30");
    for (const junk of ["<script>alert(1)</script>", "short", "x".repeat(101), "a b c d e f g h"]) {
      const r = await get("banner", { cid: junk });
      expect(r.status).toBe(200);
      expect(r.json.banner.headline).toBe("Hello");
      expect(r.cache).toBe("public, max-age=30");
    }
  });

  it("puts products of the visit's most viewed type first in the recommendations", async () => {
    const plain = await get("recommendations", { limit: "4" });
    const plainIds = (plain.json.products as { id: string }[]).map((p) => p.id);
    expect(plainIds.slice(0, 3).every((id) => COFFEE.includes(id))).toBe(false);
    const cid = "c0ffee00-aaaa-4bbb-8ccc-000000000005";
    await store([view(cid, "Tea", 4), view(cid, "Coffee Beans", 3), view(cid, "Coffee Beans", 2)]);
    const leaning = await get("recommendations", { limit: "4", cid });
    const ids = (leaning.json.products as { id: string }[]).map((p) => p.id);
    expect(ids.length).toBe(4);
    expect(ids.slice(0, 3).sort()).toEqual([...COFFEE].sort());
    expect(COFFEE).not.toContain(ids[3]);
    expect(leaning.cache).toBe("private, no-store");
    // One view of beans, then only tea: the interest is the visit's, most viewed first.
    const tea = "c0ffee00-aaaa-4bbb-8ccc-000000000006";
    await store([view(tea, "Coffee Beans", 5), view(tea, "Tea", 4), view(tea, "Tea", 3)]);
    const teaIds = ((await get("recommendations", { limit: "4", cid: tea })).json.products as { id: string }[]).map(
      (p) => p.id,
    );
    expect(teaIds.every((id) => !COFFEE.includes(id))).toBe(true);
  });
});
