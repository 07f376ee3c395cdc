// The daily pass on demand: what the worker runs once a day per installed shop.
import { dailyPassShops, runGlobalDailySteps, runShopDailyPass } from "~/sync/daily-pass.server";
import { parseNow, requireShop, type CliCommand } from "../command";

const daily: CliCommand = {
  name: "daily",
  usage: `  daily [--shop DOMAIN] [--now ISO] [--json]
        run the daily pass now (inbox and export retention; then per installed shop, or the one given:
        browsing retention, RFM, predictions, segments, recommendations); every step runs even if one
        before it failed; exit 1 if any step failed, naming the shop and step`,
  options: { shop: { type: "string" }, now: { type: "string" } },
  database: "write",
  check: (values) => {
    if (values.shop !== undefined) requireShop(values.shop);
    parseNow(values.now);
  },
  async run({ db, values, out }) {
    const now = parseNow(values.now);
    const shops = values.shop !== undefined ? [requireShop(values.shop)] : await dailyPassShops(db);
    const failed = await runGlobalDailySteps(db, { now });
    for (const shop of shops) failed.push(...(await runShopDailyPass(db, { shop, now })));
    out.print(
      { shops, failed },
      `daily pass for ${shops.length} shop${shops.length === 1 ? "" : "s"}: ` +
        (failed.length === 0
          ? "every step done"
          : `${failed.length} step${failed.length === 1 ? "" : "s"} failed\n` +
            failed.map((f) => `  ${f.shop ?? "every shop"}: ${f.step}: ${f.error}`).join("\n")),
    );
    return failed.length === 0 ? 0 : 1;
  },
};

export const dailyCommands: CliCommand[] = [daily];
