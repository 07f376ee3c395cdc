// What happens when a merchant installs (or re-authorises) Tailored: we learn the shop's name,
// currency and time zone, which every figure and relative date depends on. The bulk backfill of
// customers and orders hooks in here (sync issue).
import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { db } from "~/db.server";
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
