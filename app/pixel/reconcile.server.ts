// The reconciliation's part for the Web Pixel (called by the worker after each shop's reconcile):
// activate it when the shop has none on record or Shopify no longer holds the one recorded.
import type { Executor } from "~/db/database.server";
import type { AdminClient } from "~/sync/admin-client.server";
import { repairPixel } from "./activation.server";
import { pixelShop } from "./store.server";

export async function repairShopPixel(
  db: Executor,
  { shop, client, appUrl, now }: { shop: string; client: AdminClient; appUrl: string; now: Date },
): Promise<boolean> {
  const row = await pixelShop(db, { shop });
  return repairPixel(db, (query, variables) => client.request(query, variables), {
    shop,
    appUrl,
    now,
    webPixelId: row?.webPixelId ?? null,
  });
}
