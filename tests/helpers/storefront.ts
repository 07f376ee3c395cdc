// A small shop for the storefront tests: customers with 0, 1 and several orders, two segments with
// names that must never reach a shopper, products, and campaigns; plus signed proxy requests.
import type { Db } from "~/db/database.server";
import { parseCampaignForm, type CampaignInput } from "~/domain/campaign-form";
import { createCampaign } from "~/models/campaigns/store.server";
import { createSegment } from "~/models/segments/definitions.server";
import { recomputeFacts, upsertCustomers, upsertOrders, upsertProducts, upsertShop } from "~/models/store.server";
import { signedProxyQuery } from "~/storefront/proxy-signing";
import { customer, line, order, t } from "./rows";

export const SECRET = "proxy-test-secret";
export const SEGMENT_NAMES = { repeat: "Zephyr Loyalists", big: "Obsidian Whales" };

/** Customers: 2001 no orders; 2002 one small order; 2003 three orders (repeat + big); 2004 one big order. */
export const PEOPLE = {
  none: { id: "2001", email: "quillon.xavrinsky@example.org", firstName: "Quillon", lastName: "Xavrinsky" },
  one: { id: "2002", email: "bettany.ovid@example.org", firstName: "Bettany", lastName: "Ovidsdottir" },
  several: { id: "2003", email: "marisol.quenby@example.org", firstName: "Marisol", lastName: "Quenbyhurst" },
  big: { id: "2004", email: "ottoline.fane@example.org", firstName: "Ottoline", lastName: "Fanewright" },
} as const;

export function campaignInput(fields: Record<string, string>): CampaignInput {
  const parsed = parseCampaignForm(fields);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

export async function storefrontShop(db: Db, shop: string, now: Date) {
  await upsertShop(db, { domain: shop, name: "Storefront test", currencyCode: "USD", ianaTimezone: "UTC" });
  await upsertProducts(db, {
    shop,
    now,
    rows: Array.from({ length: 6 }, (_, i) => ({
      id: String(9001 + i),
      handle: `tea-${i + 1}`,
      title: `Tea number ${i + 1}`,
      productType: "Tea",
      vendor: "Leaf",
      tags: [],
      status: "ACTIVE" as const,
      imageUrl: `https://cdn.example/tea-${i + 1}.jpg`,
      priceMinor: BigInt(1000 + i * 100),
      createdAt: t("2025-01-01T00:00:00Z"),
      updatedAt: t("2025-01-01T00:00:00Z"),
    })),
  });
  await upsertCustomers(db, {
    shop,
    now,
    rows: Object.values(PEOPLE).map((p) => customer({ ...p, countryCode: "CA" })),
  });
  const o = (id: string, customerId: string, total: bigint) =>
    order({
      id,
      customerId,
      totalMinor: total,
      lines: [line({ id: `${id}-1`, productId: "9001", priceMinor: total })],
    });
  await upsertOrders(db, {
    shop,
    now,
    rows: [
      o("5001", PEOPLE.one.id, 2000n),
      o("5002", PEOPLE.several.id, 5000n),
      o("5003", PEOPLE.several.id, 6000n),
      o("5004", PEOPLE.several.id, 7000n),
      o("5005", PEOPLE.big.id, 25000n),
    ],
  });
  await recomputeFacts(db, { shop, now });
  const repeat = await createSegment(db, { shop, name: SEGMENT_NAMES.repeat, query: "number_of_orders >= 2", now });
  const big = await createSegment(db, { shop, name: SEGMENT_NAMES.big, query: "amount_spent >= 100", now });
  return { repeat, big };
}

/** A Request for /proxy/<kind> as Shopify forwards it, signed with SECRET (or as `over` says). */
export function proxyRequest(
  kind: "banner" | "recommendations",
  {
    shop,
    customerId = null,
    query = {},
    now = new Date(),
    secret = SECRET,
    host = "http://localhost:3000",
  }: {
    shop: string;
    customerId?: string | null;
    query?: Record<string, string>;
    now?: Date;
    secret?: string;
    host?: string;
  },
): Request {
  const params = signedProxyQuery(query, { shop, customerId, secret, now });
  return new Request(`${host}/proxy/${kind}?${params.toString()}`);
}

export async function addCampaign(db: Db, shop: string, fields: Record<string, string>, now = new Date()) {
  return createCampaign(db, { shop, input: campaignInput({ status: "active", ...fields }), now });
}
