// What happens when a merchant installs (or re-authorises) Tailored: we learn the shop's name,
// currency and time zone, which every figure and relative date depends on, and the backfill of its
// customers, products and orders starts.
import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { db } from "~/db.server";
import { upsertShop } from "~/models/store.server";
import { activatePixel } from "~/pixel/activation.server";
import { backfillRequested } from "~/sync/backfill-requests.server";
import { latestJobs, queueBackfill } from "~/sync/backfill.server";
import { installedShops } from "~/sync/installed-shops.server";

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
  // Its webhooks are accepted from now on (this runs in the thread that checks them).
  installedShops().note(shop, true);
  // The Web Pixel, with the shop's ingest key. Until the extension is deployed Shopify refuses it; the
  // reconciliation tries again, so a failure here is only noted.
  await activatePixel(
    db,
    async (query, variables) => {
      const response = await admin.graphql(query, variables ? { variables } : undefined);
      const body = (await response.json()) as { data?: unknown; errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
    { shop, appUrl: process.env.SHOPIFY_APP_URL ?? "", now: new Date() },
  ).catch((error: unknown) => console.warn(`[pixel] ${shop}: not activated yet:`, (error as Error).message));
  // afterAuth also runs on re-authorisation: backfill only a shop whose copy was never completed
  // (webhooks and reconciliation keep a completed copy current).
  const jobs = await latestJobs(db, { shop });
  if (!jobs.some((job) => job.status === "done")) await queueBackfill(db, { shop, now: new Date() });
  // Not the worker's kickBackfill itself: this module runs inside shopify.server.ts's afterAuth, and the
  // worker imports shopify.server.ts (backfill-requests.server.ts says why that matters).
  backfillRequested(shop);
}
