// Which shops have installed Tailored. A shop is installed while its Shop row has no uninstalledAt:
// written by the OAuth install hook (services/install.server.ts), or by an operator or a test without
// OAuth (`tailored shops install`); app/uninstalled sets uninstalledAt (sync/apply.server.ts). The
// webhook path accepts deliveries only for installed shops (sync/installed-shops.server.ts,
// docs/decisions/015-webhook-trust.md).
import type { Db, Executor } from "~/db/database.server";
import { date, decoder, raw, sql, text } from "~/db/sql";
import { isShopDomain } from "~/domain/shop-domain";
import { ensurePixelShop } from "~/pixel/store.server";

export type ShopListing = {
  domain: string;
  name: string | null;
  currencyCode: string;
  ianaTimezone: string;
  isDemo: boolean;
  installedAt: Date;
  uninstalledAt: Date | null;
};

export class ShopInputError extends Error {}

export function checkCurrencyCode(code: string): string {
  if (!/^[A-Z]{3}$/.test(code))
    throw new ShopInputError(`currency must be an ISO 4217 code such as USD, got "${code}"`);
  return code;
}

export function checkTimezone(zone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw new ShopInputError(`time zone must be an IANA name such as America/New_York, got "${zone}"`);
  }
  return zone;
}

/**
 * Registers a shop as installed without OAuth (operators, tests, local tools). A new shop gets USD and
 * UTC unless told otherwise; an existing one keeps what it is not told and is installed again.
 */
export async function installShop(
  db: Db,
  {
    domain,
    name,
    currencyCode,
    ianaTimezone,
  }: { domain: string; name?: string; currencyCode?: string; ianaTimezone?: string },
): Promise<{ created: boolean; shop: ShopListing }> {
  if (!isShopDomain(domain)) throw new ShopInputError(`shop must be a myshopify.com domain, got "${domain}"`);
  const given = {
    ...(name !== undefined ? { name } : {}),
    ...(currencyCode !== undefined ? { currencyCode: checkCurrencyCode(currencyCode) } : {}),
    ...(ianaTimezone !== undefined ? { ianaTimezone: checkTimezone(ianaTimezone) } : {}),
  };
  const existing = await db.prisma.shop.findUnique({ where: { domain }, select: { domain: true } });
  const row = await db.prisma.shop.upsert({
    where: { domain },
    create: { domain, currencyCode: "USD", ianaTimezone: "UTC", ...given },
    update: { ...given, uninstalledAt: null },
    select: SHOP_LISTING,
  });
  // The Web Pixel's ingest key (app/pixel/): kept across reinstalls, made on the first.
  await ensurePixelShop(db, { shop: domain, now: new Date() });
  return { created: existing === null, shop: row };
}

const SHOP_LISTING = {
  domain: true,
  name: true,
  currencyCode: true,
  ianaTimezone: true,
  isDemo: true,
  installedAt: true,
  uninstalledAt: true,
} as const;

export async function listShops(db: Db): Promise<ShopListing[]> {
  return db.prisma.shop.findMany({ select: SHOP_LISTING, orderBy: { domain: "asc" } });
}

export type ShopStanding = { domain: string; installed: boolean; updatedAt: Date };

/**
 * Every shop's standing, or those whose row changed at or after `since` (Shop.updatedAt moves with
 * every write: install, re-install, uninstall). What the webhook path's in-memory set is built from.
 */
export async function shopStandings(db: Executor, { since }: { since: Date | null }): Promise<ShopStanding[]> {
  const rows = await db.all(
    sql`SELECT "domain", "uninstalledAt", "updatedAt" FROM "Shop"${since ? sql` WHERE "updatedAt" >= ${since}` : raw("")}`,
    decoder({ domain: text, uninstalledAt: date, updatedAt: date }),
  );
  return rows.map((row) => ({
    domain: row.domain,
    installed: row.uninstalledAt === null,
    updatedAt: row.updatedAt ?? new Date(0),
  }));
}

/** The shop's time zone and currency, for the admin's dates and money; UTC and USD for a shop not known yet. */
export async function shopFormat(
  db: Executor,
  { shop }: { shop: string },
): Promise<{ timeZone: string; currencyCode: string }> {
  const [row] = await db.all(
    sql`SELECT "ianaTimezone", "currencyCode" FROM "Shop" WHERE "domain" = ${shop}`,
    decoder({ ianaTimezone: text, currencyCode: text }),
  );
  return { timeZone: row?.ianaTimezone || "UTC", currencyCode: row?.currencyCode || "USD" };
}

/** When a generated (demo) shop's data was made: its first customer's write; a reseed starts them again. */
export async function dataGeneratedAt(db: Executor, { shop }: { shop: string }): Promise<Date | null> {
  const [row] = await db.all(
    sql`SELECT MIN("syncedAt") AS "at" FROM "Customer" WHERE "shop" = ${shop}`,
    decoder({ at: date }),
  );
  return row?.at ?? null;
}
