// Shops Tailored knows, and the schema they live in.
import { installShop, listShops, ShopInputError } from "~/models/shops.server";
import { requireShop, str, UsageError, type CliCommand } from "../command";

const shops: CliCommand = {
  name: "shops",
  usage: `  shops install --shop DOMAIN [--name NAME] [--currency USD] [--timezone Area/City] [--json]
        register a shop as installed without OAuth (webhooks are accepted only for installed shops)
  shops list [--json]
        every shop Tailored knows, installed or not`,
  options: {
    shop: { type: "string" },
    name: { type: "string" },
    currency: { type: "string" },
    timezone: { type: "string" },
  },
  database: (sub) => (sub === "list" ? "read" : "write"),
  async run({ db, values, positionals, out }) {
    const sub = positionals[0];
    if (sub === "install") {
      const shop = requireShop(values.shop);
      try {
        const { created, shop: row } = await installShop(db, {
          domain: shop,
          name: str(values, "name"),
          currencyCode: str(values, "currency"),
          ianaTimezone: str(values, "timezone"),
        });
        out.print(
          { shop, created, installed: true, name: row.name, currency: row.currencyCode, timezone: row.ianaTimezone },
          `${created ? "installed" : "installed again"}: ${shop} (${row.name ?? "no name"}, ${row.currencyCode}, ${row.ianaTimezone})`,
        );
      } catch (error) {
        if (error instanceof ShopInputError) throw new UsageError(error.message);
        throw error;
      }
      return 0;
    }
    if (sub === "list") {
      const list = await listShops(db);
      out.print(
        {
          shops: list.map((s) => ({
            domain: s.domain,
            name: s.name,
            currency: s.currencyCode,
            timezone: s.ianaTimezone,
            demo: s.isDemo,
            installed: s.uninstalledAt === null,
            installedAt: s.installedAt.toISOString(),
            uninstalledAt: s.uninstalledAt?.toISOString() ?? null,
          })),
        },
        list
          .map(
            (s) =>
              `${s.domain}\t${s.uninstalledAt === null ? "installed" : `uninstalled ${s.uninstalledAt.toISOString()}`}\t${s.currencyCode}\t${s.ianaTimezone}\t${s.name ?? ""}`,
          )
          .join("\n") || "no shops",
      );
      return 0;
    }
    throw new UsageError(`shops ${sub ?? ""}: expected install or list`);
  },
};

const migrateCommand: CliCommand = {
  name: "migrate",
  usage: `  migrate [--json]
        apply pending database migrations`,
  database: "write",
  async run({ db, migrated, out }) {
    out.print(
      { dialect: db.dialect, applied: migrated?.applied ?? [], alreadyApplied: migrated?.alreadyApplied ?? 0 },
      `${db.dialect}: applied ${migrated?.applied.length ?? 0}, already applied ${migrated?.alreadyApplied ?? 0}`,
    );
    return 0;
  },
};

export const shopCommands = [shops, migrateCommand];
