// Campaigns: saved, read, listed and deleted, every query scoped by shop. What is written here is
// already validated and sanitized (app/domain/campaign-form.ts). A write tells the decision cache of
// this process at once (`campaignsChanged`); other processes see it within the cache's revalidation
// interval (app/models/campaigns/cache.server.ts).
import type { Db, Executor } from "~/db/database.server";
import { bool, date, decoder, int, nullable, sql, text } from "~/db/sql";
import { localDate } from "~/domain/calendar";
import type { CampaignInput, CampaignStatus } from "~/domain/campaign-form";
import type { CampaignRule, Strategy } from "~/domain/personalize";
import { campaignsChanged } from "./cache.server";

export type Campaign = CampaignRule & {
  shop: string;
  name: string;
  headline: string;
  bodyHtml: string;
  imageUrl: string | null;
  buttonLabel: string | null;
  buttonLink: string | null;
  textColor: string;
  backgroundColor: string;
  attributionDays: number;
  createdAt: Date;
  updatedAt: Date;
};

export class CampaignInputError extends Error {}

const COLUMNS = sql`"id", "shop", "name", "status", "segmentId", "countries", "newVisitorsOnly", "priority",
  "startsAt", "endsAt", "holdoutPercent", "headline", "bodyHtml", "imageUrl", "buttonLabel", "buttonLink",
  "textColor", "backgroundColor", "strategy", "attributionDays", "createdAt", "updatedAt", "interestProductType",
  "interestViews"`;

const decodeRow = decoder({
  id: int,
  shop: text,
  name: text,
  status: text,
  segmentId: nullable(int),
  countries: text,
  newVisitorsOnly: bool,
  priority: int,
  startsAt: date,
  endsAt: date,
  holdoutPercent: int,
  headline: text,
  bodyHtml: text,
  imageUrl: nullable(text),
  buttonLabel: nullable(text),
  buttonLink: nullable(text),
  textColor: text,
  backgroundColor: text,
  strategy: text,
  attributionDays: int,
  createdAt: date,
  updatedAt: date,
  interestProductType: nullable(text),
  interestViews: int,
});

function toCampaign(row: ReturnType<typeof decodeRow>): Campaign {
  return {
    ...row,
    status: row.status as CampaignStatus,
    strategy: row.strategy as Strategy,
    countries: row.countries.split(",").filter((c) => c !== ""),
    createdAt: row.createdAt ?? new Date(0),
    updatedAt: row.updatedAt ?? new Date(0),
  };
}

const countriesText = (codes: readonly string[]) => (codes.length ? `,${codes.join(",")},` : ",");

async function checkSegment(db: Executor, shop: string, segmentId: number | null): Promise<void> {
  if (segmentId === null) return;
  const [row] = await db.all(
    sql`SELECT "id" FROM "Segment" WHERE "shop" = ${shop} AND "id" = ${segmentId}`,
    decoder({ id: int }),
  );
  if (!row) throw new CampaignInputError(`segment ${segmentId} does not exist in ${shop}`);
}

export async function createCampaign(
  db: Db,
  { shop, input, now }: { shop: string; input: CampaignInput; now: Date },
): Promise<number> {
  await checkSegment(db, shop, input.segmentId);
  const created = await db.prisma.campaign.create({
    data: { shop, ...input, countries: countriesText(input.countries), createdAt: now, updatedAt: now },
    select: { id: true },
  });
  campaignsChanged(shop);
  return created.id;
}

export async function updateCampaign(
  db: Db,
  { shop, id, input, now }: { shop: string; id: number; input: CampaignInput; now: Date },
): Promise<boolean> {
  await checkSegment(db, shop, input.segmentId);
  const { count } = await db.prisma.campaign.updateMany({
    where: { shop, id },
    data: { ...input, countries: countriesText(input.countries), updatedAt: now },
  });
  campaignsChanged(shop);
  return count > 0;
}

export async function setCampaignStatus(
  db: Db,
  { shop, id, status, now }: { shop: string; id: number; status: CampaignStatus; now: Date },
): Promise<boolean> {
  const { count } = await db.prisma.campaign.updateMany({ where: { shop, id }, data: { status, updatedAt: now } });
  campaignsChanged(shop);
  return count > 0;
}

/** The campaign and its counts go together. */
export async function deleteCampaign(db: Db, { shop, id }: { shop: string; id: number }): Promise<boolean> {
  const deleted = await db.transaction(async (tx) => {
    await tx.run(sql`DELETE FROM "CampaignImpression" WHERE "shop" = ${shop} AND "campaignId" = ${id}`);
    await tx.run(sql`DELETE FROM "CampaignExposure" WHERE "shop" = ${shop} AND "campaignId" = ${id}`);
    return tx.run(sql`DELETE FROM "Campaign" WHERE "shop" = ${shop} AND "id" = ${id}`);
  });
  campaignsChanged(shop);
  return deleted > 0;
}

export async function getCampaign(db: Executor, { shop, id }: { shop: string; id: number }): Promise<Campaign | null> {
  const [row] = await db.all(sql`SELECT ${COLUMNS} FROM "Campaign" WHERE "shop" = ${shop} AND "id" = ${id}`, decodeRow);
  return row ? toCampaign(row) : null;
}

/** Every campaign of the shop, highest priority first. */
export async function listCampaigns(db: Executor, { shop }: { shop: string }): Promise<Campaign[]> {
  const rows = await db.all(
    sql`SELECT ${COLUMNS} FROM "Campaign" WHERE "shop" = ${shop} ORDER BY "priority" DESC, "id" ASC`,
    decodeRow,
  );
  return rows.map(toCampaign);
}

/** The campaigns the storefront may show: active ones (their dates are checked per decision). */
export async function activeCampaigns(db: Executor, { shop }: { shop: string }): Promise<Campaign[]> {
  const rows = await db.all(
    sql`SELECT ${COLUMNS} FROM "Campaign" WHERE "shop" = ${shop} AND "status" = 'active' ORDER BY "priority" DESC, "id" ASC`,
    decodeRow,
  );
  return rows.map(toCampaign);
}

/** The form's values for a stored campaign (the edit page starts from these); days in the shop's zone. */
export function campaignFields(c: Campaign, timeZone = "UTC"): Record<string, string> {
  const day = (d: Date | null) => (d ? localDate(d, timeZone) : "");
  return {
    name: c.name,
    status: c.status,
    segmentId: c.segmentId === null ? "" : String(c.segmentId),
    countries: c.countries.join(", "),
    newVisitorsOnly: c.newVisitorsOnly ? "on" : "",
    interestProductType: c.interestProductType ?? "",
    interestViews: String(c.interestViews),
    priority: String(c.priority),
    startsAt: day(c.startsAt),
    endsAt: day(c.endsAt),
    holdoutPercent: String(c.holdoutPercent),
    headline: c.headline,
    bodyHtml: c.bodyHtml,
    imageUrl: c.imageUrl ?? "",
    buttonLabel: c.buttonLabel ?? "",
    buttonLink: c.buttonLink ?? "",
    textColor: c.textColor,
    backgroundColor: c.backgroundColor,
    strategy: c.strategy,
    attributionDays: String(c.attributionDays),
  };
}
