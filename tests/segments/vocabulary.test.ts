// The shop's own values for the builder and the query editor (app/models/segments/vocabulary.server.ts),
// on SQLite and PostgreSQL: the most used first, one entry per value the engines cannot tell apart,
// other shops' values never shown, products searched by title, and "did you mean" for a value the shop
// does not have.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import type { ProductRow } from "~/domain/rows";
import { checkValue, forgetVocabulary, suggestValues } from "~/models/segments/vocabulary.server";
import { upsertCustomers, upsertProducts, upsertShop } from "~/models/store.server";
import { insertEvents } from "~/pixel/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { customer, t } from "../helpers/rows";

const SHOP = "words.myshopify.com";
const OTHER = "elsewhere.myshopify.com";
const now = t("2026-03-01T12:00:00Z");

function product(
  id: string,
  title: string,
  productType: string | null,
  vendor: string | null,
  tags: string[] = [],
): ProductRow {
  return {
    id,
    handle: `p-${id}`,
    title,
    productType,
    vendor,
    tags,
    status: "ACTIVE",
    imageUrl: null,
    priceMinor: 1000n,
    createdAt: now,
    updatedAt: now,
  };
}

describe.each(DIALECTS)("segment value vocabulary on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    forgetVocabulary();
    for (const domain of [SHOP, OTHER]) {
      await upsertShop(db, { domain, name: domain, currencyCode: "USD", ianaTimezone: "UTC" });
    }
    await upsertCustomers(db, {
      shop: SHOP,
      now,
      rows: [
        customer({ id: "1", tags: ["VIP", "wholesale"], countryCode: "US", provinceCode: "NY", city: "New York City" }),
        customer({ id: "2", tags: ["vip"], countryCode: "US", provinceCode: "NY", city: "New York City" }),
        customer({ id: "3", tags: ["newsletter"], countryCode: "DE", provinceCode: null, city: "Berlin" }),
        customer({ id: "4", tags: [], countryCode: null, provinceCode: null, city: null }),
      ],
    });
    await upsertCustomers(db, {
      shop: OTHER,
      now,
      rows: [customer({ id: "9", tags: ["secret-tag"], countryCode: "FR", city: "Paris" })],
    });
    await upsertProducts(db, {
      shop: SHOP,
      now,
      rows: [
        product("101", "Espresso Beans", "Coffee Beans", "Roastery", ["espresso", "dark"]),
        product("102", "Filter Beans", "Coffee Beans", "roastery", ["filter"]),
        product("103", "Green Tea", "Tea", "Leafy", []),
        product("104", "Mug", null, null, []),
      ],
    });
    await upsertProducts(db, {
      shop: OTHER,
      now,
      rows: [product("201", "Secret Espresso", "Secret Type", "Hidden", [])],
    });
    await insertEvents(db, {
      receivedAt: now,
      rows: [
        {
          shop: SHOP,
          eventId: "e1",
          name: "collection_viewed",
          at: now,
          clientId: "c1",
          sessionId: null,
          customerId: null,
          productId: null,
          variantId: null,
          collectionId: "77",
          productType: null,
          vendor: null,
          query: null,
          valueMinor: null,
          currencyCode: null,
        },
      ],
    });
  });
  afterAll(async () => close());

  const values = async (kind: Parameters<typeof suggestValues>[1]["kind"], typed = "") =>
    (await suggestValues(db, { shop: SHOP, kind, typed })).map((v) => [v.value, v.label, v.count]);

  it("counts customer tags one by one, case-insensitively, most used first", async () => {
    // "VIP" and "vip" are one tag to the engines: one entry, in either spelling.
    const lower = (rows: unknown[][]) => rows.map(([v, l, n]) => [String(v).toLowerCase(), String(l).toLowerCase(), n]);
    expect(lower(await values("customer_tag"))).toEqual([
      ["vip", "vip", 2],
      ["newsletter", "newsletter", 1],
      ["wholesale", "wholesale", 1],
    ]);
    expect(await values("customer_tag", "WHO")).toEqual([["wholesale", "wholesale", 1]]);
  });

  it("lists countries, regions and cities as the segment language writes them", async () => {
    expect(await values("country")).toEqual([
      ["US", "US", 2],
      ["DE", "DE", 1],
    ]);
    expect(await values("region")).toEqual([["US-NY", "US-NY", 2]]);
    expect(await values("city")).toEqual([
      ["US-NY-NewYorkCity", "New York City, NY, US", 2],
      ["DE-Berlin", "Berlin, DE", 1],
    ]);
    expect(await values("city", "new york")).toEqual([["US-NY-NewYorkCity", "New York City, NY, US", 2]]);
  });

  it("lists product types, vendors (one entry per spelling the engines cannot tell apart), tags and collections", async () => {
    expect(await values("product_type")).toEqual([
      ["Coffee Beans", "Coffee Beans", 2],
      ["Tea", "Tea", 1],
    ]);
    expect((await values("vendor")).map(([v, , n]) => [String(v).toLowerCase(), n])).toEqual([
      ["roastery", 2],
      ["leafy", 1],
    ]);
    expect((await values("product_tag")).map(([v]) => v).sort()).toEqual(["dark", "espresso", "filter"]);
    expect(await values("collection")).toEqual([["77", "77", 1]]);
  });

  it("searches products by title or id within the shop", async () => {
    expect(await values("product", "espresso")).toEqual([["101", "Espresso Beans", 1]]);
    expect(await values("product", "103")).toEqual([["103", "Green Tea", 1]]);
    // A LIKE wildcard typed by the merchant is a character, not a wildcard.
    expect(await values("product", "%")).toEqual([]);
  });

  it("never shows another shop's values", async () => {
    const all = JSON.stringify([
      await values("customer_tag"),
      await values("country"),
      await values("city"),
      await values("product_type"),
      await values("vendor"),
      await values("product", "secret"),
    ]);
    expect(all).not.toMatch(/secret|Secret|Hidden|FR|Paris/);
  });

  it("says whether the shop has a value, and the nearest one when it does not", async () => {
    expect(await checkValue(db, { shop: SHOP, kind: "product_type", value: "coffee beans" })).toMatchObject({
      found: true,
      entry: { value: "Coffee Beans" },
    });
    expect(await checkValue(db, { shop: SHOP, kind: "product_type", value: "Coffee" })).toMatchObject({
      found: false,
      didYouMean: { value: "Coffee Beans" },
    });
    expect(await checkValue(db, { shop: SHOP, kind: "product_type", value: "Coffe Beans" })).toMatchObject({
      found: false,
      didYouMean: { value: "Coffee Beans" },
    });
    expect(await checkValue(db, { shop: SHOP, kind: "customer_tag", value: "zzzzzz" })).toEqual({ found: false });
    expect(await checkValue(db, { shop: SHOP, kind: "product", value: "101" })).toMatchObject({ found: true });
    expect(await checkValue(db, { shop: SHOP, kind: "product", value: "201" })).toEqual({ found: false });
  });
});
