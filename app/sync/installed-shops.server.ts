// The process's one set of installed shops (installed-shops.ts), read from the Shop table. In the
// production server it lives in the HTTP thread, which checks each delivery against it; the
// background thread, which applies app/uninstalled, tells it over their channel.
import { db } from "~/db.server";
import { shopStandings } from "~/models/shops.server";
import { ShopRegistry } from "./installed-shops";

let registry: ShopRegistry | undefined;

export function installedShops(): ShopRegistry {
  registry ??= new ShopRegistry((since) => shopStandings(db, { since }), {
    onError: (error) => console.error("[shops] could not refresh the installed shops:", error),
  });
  return registry;
}
