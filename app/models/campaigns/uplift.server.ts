// A campaign's measured effect: impressions per arm, and each exposed customer's orders within the
// campaign's attribution window after they were first shown its decision (counted orders: not
// cancelled, not test; revenue net of refunds), from the orders already synced. The statistics are
// pure (app/domain/uplift.ts).
import type { Executor } from "~/db/database.server";
import { bigint, decoder, int, raw, sql, text } from "~/db/sql";
import { uplift, type ArmCounts, type Uplift } from "~/domain/uplift";

export async function campaignUplift(
  db: Executor,
  { shop, campaignId, attributionDays }: { shop: string; campaignId: number; attributionDays: number },
): Promise<Uplift> {
  const arms: Record<"campaign" | "holdout", ArmCounts & { revenues: number[] }> = {
    campaign: { impressions: 0, exposed: 0, revenues: [], orders: 0 },
    holdout: { impressions: 0, exposed: 0, revenues: [], orders: 0 },
  };
  const armOf = (name: string) => (name === "holdout" ? arms.holdout : arms.campaign);
  for (const row of await db.all(
    sql`SELECT "arm", SUM("impressions") AS n FROM "CampaignImpression" WHERE "shop" = ${shop} AND "campaignId" = ${campaignId} GROUP BY "arm"`,
    decoder({ arm: text, n: int }),
  ))
    armOf(row.arm).impressions = row.n;
  for (const row of await db.all(
    sql`SELECT "arm", COUNT(*) AS n FROM "CampaignExposure" WHERE "shop" = ${shop} AND "campaignId" = ${campaignId} GROUP BY "arm"`,
    decoder({ arm: text, n: int }),
  ))
    armOf(row.arm).exposed = row.n;
  const windowMs = attributionDays * 86_400_000;
  // Times are integer ms on SQLite, timestamps on PostgreSQL.
  const windowEnd =
    db.dialect === "sqlite"
      ? sql`e."firstSeenAt" + ${windowMs}`
      : sql`e."firstSeenAt" + ${attributionDays} * ${raw("interval '1 day'")}`;
  const converters = await db.all(
    sql`SELECT e."arm", e."customerId", COUNT(*) AS orders, SUM(o."totalMinor" - o."refundedMinor") AS revenue
        FROM "CampaignExposure" e
        JOIN "Order" o ON o."shop" = e."shop" AND o."customerId" = e."customerId"
        WHERE e."shop" = ${shop} AND e."campaignId" = ${campaignId}
          AND o."cancelledAt" IS NULL AND o."test" = false
          AND o."processedAt" >= e."firstSeenAt" AND o."processedAt" < ${windowEnd}
        GROUP BY e."arm", e."customerId"`,
    decoder({ arm: text, customerId: text, orders: int, revenue: bigint }),
  );
  for (const c of converters) {
    const arm = armOf(c.arm);
    arm.orders += c.orders;
    arm.revenues.push(Number(c.revenue));
  }
  return uplift(arms);
}

/** Impressions per campaign of the shop (both arms), for the list. */
export async function impressionTotals(db: Executor, { shop }: { shop: string }): Promise<Map<number, number>> {
  const rows = await db.all(
    sql`SELECT "campaignId", SUM("impressions") AS n FROM "CampaignImpression" WHERE "shop" = ${shop} GROUP BY "campaignId"`,
    decoder({ campaignId: int, n: int }),
  );
  return new Map(rows.map((r) => [r.campaignId, r.n]));
}
