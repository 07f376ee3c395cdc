// What happens when a merchant installs (or re-authorises) Tailored: we learn the shop's name,
// currency and time zone, which every figure and relative date depends on. The bulk backfill of
// customers and orders hooks in here (sync issue).
import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { db } from "~/db.server";
import type { Db } from "~/db/database.server";
import { upsertShop } from "~/models/store.server";

const SHOP_QUERY = `#graphql
  query TailoredShop {
    shop {
      name
      currencyCode
      ianaTimezone
    }
  }
`;

type ShopQueryResult = {
  data?: { shop?: { name: string; currencyCode: string; ianaTimezone: string } };
};

export async function afterInstall({ shop, admin }: { shop: string; admin: AdminApiContext }): Promise<void> {
  const response = await admin.graphql(SHOP_QUERY);
  const body = (await response.json()) as ShopQueryResult;
  const info = body.data?.shop;
  if (!info) throw new Error(`could not read shop details for ${shop}`);
  await upsertShop(db, {
    domain: shop,
    name: info.name,
    currencyCode: info.currencyCode,
    ianaTimezone: info.ianaTimezone,
  });
}

/**
 * app/uninstalled: the shop's access token is void, so its sessions go; the shop row stays, marked, so
 * that a re-install within Shopify's 48 hours before shop/redact finds its data.
 */
export async function markUninstalled(database: Db, { shop, at }: { shop: string; at: Date }): Promise<void> {
  await database.prisma.session.deleteMany({ where: { shop } });
  await database.prisma.shop.updateMany({ where: { domain: shop, uninstalledAt: null }, data: { uninstalledAt: at } });
}
