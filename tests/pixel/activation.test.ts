// Activating the Web Pixel against the Shopify stand-in (webPixelCreate / webPixelUpdate / webPixel,
// settings validated against the extension's TOML): at install, again without harm, refused until the
// extension is deployed, and repaired by the reconciliation when Shopify lost it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { activatePixel, customOrigin, pixelSettings } from "~/pixel/activation.server";
import { repairShopPixel } from "~/pixel/reconcile.server";
import { pixelShop } from "~/pixel/store.server";
import { AdminClient } from "~/sync/admin-client.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { startFakeShopify, type FakeShopify } from "../helpers/fake-shopify";
import { tomlSettingsFields } from "../helpers/fake-shopify/pixels";

const SHOP = "pixel-activation.myshopify.com";
const TOKEN = "shpat_pixel";
const APP_URL = "https://tailored.example";
const NOW = new Date("2026-12-01T12:00:00Z");

describe.each(DIALECTS)("web pixel activation on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let shopify: FakeShopify;
  let client: AdminClient;
  const graphql = (query: string, variables?: Record<string, unknown>) => client.request(query, variables);

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    shopify = await startFakeShopify({ shop: SHOP, accessToken: TOKEN, primaryDomainUrl: "https://shop.example.com" });
    client = new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin, sleep: async () => undefined });
  });
  afterAll(async () => {
    await shopify.close();
    await close();
  });

  it("settings carry exactly the fields the extension's TOML declares", () => {
    expect(Object.keys(pixelSettings(SHOP, "k".repeat(32), APP_URL)).sort()).toEqual(
      [...tomlSettingsFields().keys()].sort(),
    );
  });

  it("is refused until the extension is deployed, leaving the key in place", async () => {
    shopify.pixels.deployed = false;
    await expect(activatePixel(db, graphql, { shop: SHOP, appUrl: APP_URL, now: NOW })).rejects.toThrow(/No web pixel/);
    const row = await pixelShop(db, { shop: SHOP });
    expect(row?.ingestKey).toHaveLength(32);
    expect(row?.webPixelId).toBeNull();
    shopify.pixels.deployed = true;
  });

  it("creates the pixel with the shop's key and ingest URL, and records the custom domain's origin", async () => {
    const id = await activatePixel(db, graphql, { shop: SHOP, appUrl: `${APP_URL}/`, now: NOW });
    const row = (await pixelShop(db, { shop: SHOP }))!;
    expect(row.webPixelId).toBe(id);
    expect(row.origins).toEqual(["https://shop.example.com"]);
    expect(JSON.parse(shopify.pixels.pixel!.settings)).toEqual({
      shop: SHOP,
      ingestKey: row.ingestKey,
      ingestUrl: `${APP_URL}/pixel/events`,
    });
  });

  it("updates instead of failing when Shopify holds a pixel already (a reinstall)", async () => {
    const before = shopify.pixels.pixel!.id;
    const id = await activatePixel(db, graphql, { shop: SHOP, appUrl: "https://moved.example", now: NOW });
    expect(id).toBe(before);
    expect(JSON.parse(shopify.pixels.pixel!.settings).ingestUrl).toBe("https://moved.example/pixel/events");
  });

  it("is repaired by the reconciliation when missing, and left alone when present", async () => {
    expect(await repairShopPixel(db, { shop: SHOP, client, appUrl: APP_URL, now: NOW })).toBe(false);
    shopify.pixels.pixel = null;
    expect(await repairShopPixel(db, { shop: SHOP, client, appUrl: APP_URL, now: NOW })).toBe(true);
    expect(shopify.pixels.pixel).not.toBeNull();
    expect((await pixelShop(db, { shop: SHOP }))!.webPixelId).toBe(shopify.pixels.pixel!.id);
  });

  it.each([
    ["https://shop.example.com/", "https://shop.example.com"],
    [`https://${SHOP}`, null],
    ["http://shop.example.com", null],
    ["not a url", null],
    [null, null],
  ])("reads %s as the extra origin %s", (url, origin) => {
    expect(customOrigin(url, SHOP)).toBe(origin);
  });
});
