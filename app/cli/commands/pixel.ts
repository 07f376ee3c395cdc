// The Web Pixel's per-shop settings and what it has stored (app/pixel/).
import { rebuildActivity } from "~/pixel/activity.server";
import { pixelShop, rotateIngestKey, ensurePixelShop, countEvents } from "~/pixel/store.server";
import { purgeExpiredBrowsing, retentionDays } from "~/pixel/retention.server";
import { requireShop, UsageError, type CliCommand } from "../command";

const pixel: CliCommand = {
  name: "pixel",
  usage: `  pixel show --shop DOMAIN [--json]
        the shop's ingest key (for the pixel's settings), pixel id, allowed origins and stored events
  pixel rotate-key --shop DOMAIN [--json]
        a new ingest key: batches with the old one are refused from now on (activate the pixel again)
  pixel purge --shop DOMAIN [--json]
        delete events older than the retention period now (the daily pass does it too)
  pixel rebuild-activity --shop DOMAIN [--json]
        recompute every customer's sessions and last-seen time from the stored events (a repair: the
        ingest, purge and erasure keep them up to date)`,
  options: { shop: { type: "string" } },
  database: (sub) => (sub === "show" ? "read" : "write"),
  async run({ db, positionals, values, out }) {
    const sub = positionals[0];
    const shop = requireShop(values.shop);
    if (sub === "show") {
      const row = await pixelShop(db, { shop });
      if (!row) throw new UsageError(`${shop} has no pixel settings: install it first (shops install)`);
      const events = await countEvents(db, { shop });
      out.print(
        {
          shop,
          ingestKey: row.ingestKey,
          webPixelId: row.webPixelId,
          origins: [`https://${shop}`, ...row.origins],
          events,
        },
        `${shop}\tkey ${row.ingestKey}\tpixel ${row.webPixelId ?? "not activated"}\t${events} events`,
      );
      return 0;
    }
    if (sub === "rotate-key") {
      await ensurePixelShop(db, { shop, now: new Date() });
      const ingestKey = await rotateIngestKey(db, { shop });
      out.print({ shop, ingestKey }, `${shop}: new ingest key ${ingestKey}`);
      return 0;
    }
    if (sub === "purge") {
      const days = retentionDays();
      const purged = await purgeExpiredBrowsing(db, { shop, now: new Date(), days });
      out.print(
        { shop, days, ...purged },
        `${shop}: ${purged.events} events and ${purged.visitors} links older than ${days} days deleted`,
      );
      return 0;
    }
    if (sub === "rebuild-activity") {
      const customers = await rebuildActivity(db, { shop });
      out.print({ shop, customers }, `${shop}: activity of ${customers} customers recomputed from their events`);
      return 0;
    }
    throw new UsageError(`pixel ${sub ?? ""}: expected show, rotate-key, purge or rebuild-activity`);
  },
};

export const pixelCommands: CliCommand[] = [pixel];
