// The campaign page's live preview: the banner as the form now stands (sanitized as it would be saved),
// and what a chosen customer would see if it were saved now, among the shop's other active campaigns.
import type { Db } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import type { CampaignInput } from "~/domain/campaign-form";
import { decide, type Visitor } from "~/domain/personalize";
import { bannerView, type BannerView } from "./decide.server";
import { activeCampaigns, type Campaign } from "./store.server";

export type PreviewResult = {
  banner: BannerView;
  /** What the chosen customer sees, in words; null when no customer was chosen. */
  asCustomer: { sees: "this" | "other" | "fallback"; message: string; banner: BannerView | null } | null;
};

export async function previewCampaign(
  db: Db,
  {
    shop,
    draft,
    campaignId,
    customerId,
    now,
  }: { shop: string; draft: CampaignInput; campaignId: number | null; customerId: string | null; now: Date },
): Promise<PreviewResult> {
  const self: Campaign = {
    ...draft,
    // Previewed as if active, so the merchant sees what switching it on would do.
    status: "active",
    id: campaignId ?? Number.MAX_SAFE_INTEGER,
    shop,
    createdAt: now,
    updatedAt: now,
  };
  const banner = bannerView(self);
  if (customerId === null) return { banner, asCustomer: null };
  const [row] = await db.all(
    sql`SELECT "segmentIds" FROM "Customer" WHERE "shop" = ${shop} AND "id" = ${customerId}`,
    decoder({ segmentIds: text }),
  );
  if (!row) {
    return {
      banner,
      asCustomer: {
        sees: "fallback",
        message: `No customer ${customerId} in this shop: they would be an anonymous visitor.`,
        banner: null,
      },
    };
  }
  const visitor: Visitor = {
    customerId,
    segmentIds: row.segmentIds
      .split(",")
      .filter((s) => s !== "")
      .map(Number),
    country: null,
    visitorId: null,
    newVisitor: false,
    // What they browse is not known ahead of a visit: a campaign that needs an interest does not match.
    interest: new Map(),
  };
  const others = (await activeCampaigns(db, { shop })).filter((c) => c.id !== campaignId);
  const d = decide([...others, self], visitor, now);
  if (d.kind === "fallback") {
    return {
      banner,
      asCustomer: {
        sees: "fallback",
        message: `Customer ${customerId} is not in this campaign's audience (or it is outside its dates): they see the block's own content.`,
        banner: null,
      },
    };
  }
  if (d.campaign.id !== self.id) {
    return {
      banner,
      asCustomer: {
        sees: d.kind === "campaign" ? "other" : "fallback",
        message: `Customer ${customerId} gets campaign “${d.campaign.name}” instead (a higher priority, or older at the same priority)${d.kind === "holdout" ? ", in its holdout: they see the block's own content" : ""}.`,
        banner: d.kind === "campaign" ? bannerView(d.campaign) : null,
      },
    };
  }
  if (d.kind === "holdout") {
    return {
      banner,
      asCustomer: {
        sees: "fallback",
        message: `Customer ${customerId} is in this campaign's holdout: they see the block's own content, for comparison.`,
        banner: null,
      },
    };
  }
  return { banner, asCustomer: { sees: "this", message: `Customer ${customerId} sees this banner.`, banner } };
}
