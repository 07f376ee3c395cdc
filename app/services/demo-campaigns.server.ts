// The demo shop's campaigns (`tailored campaigns demo`, run by `npm run demo` after the seed): two
// segments and four campaigns (one follows a visit's browsing), so that a newcomer's /storefront shows different banners and products
// to different customers; then the shop's recommendation lists are refreshed. Does nothing when the
// shop has campaigns already.
import type { Db } from "~/db/database.server";
import { parseCampaignForm } from "~/domain/campaign-form";
import { createCampaign } from "~/models/campaigns/store.server";
import { refreshRecommendations } from "~/models/recommendations-refresh.server";
import { createSegment } from "~/models/segments/definitions.server";
import { TEMPLATES } from "~/domain/segments/templates";

export async function seedDemoCampaigns(db: Db, { shop, now }: { shop: string; now: Date }): Promise<number[]> {
  if ((await db.prisma.campaign.count({ where: { shop } })) > 0) return [];
  const regulars = await createSegment(db, { shop, name: "Regulars (demo)", query: "number_of_orders >= 4", now });
  const lapsed = await createSegment(db, {
    shop,
    name: "Lapsed buyers (demo)",
    query: "number_of_orders >= 1 AND last_order_date < -180d",
    now,
  });
  // A behavioural segment from its template, empty until someone browses /storefront as a customer (the
  // demo page runs the Web Pixel's code): then its size moves within a second.
  const browsed = TEMPLATES.find((t) => t.key === "browsed-not-bought");
  if (browsed) await createSegment(db, { shop, name: `${browsed.name} (demo)`, query: browsed.query, now });
  const campaigns: Record<string, string>[] = [
    {
      name: "Thank the regulars",
      segmentId: String(regulars),
      priority: "10",
      holdoutPercent: "10",
      headline: "Thank you for coming back",
      bodyHtml: "<p>Regulars get <strong>early access</strong> to the new season.</p>",
      buttonLabel: "See what's new",
      buttonLink: "/collections/new",
      textColor: "#ffffff",
      backgroundColor: "#1f5199",
      strategy: "personal",
    },
    {
      name: "Win back lapsed buyers",
      segmentId: String(lapsed),
      priority: "5",
      holdoutPercent: "20",
      headline: "We have missed you",
      bodyHtml: "<p>Here is <em>15 % off</em> your next order.</p>",
      buttonLabel: "Come back",
      buttonLink: "/collections/all",
      textColor: "#1a1a1a",
      backgroundColor: "#ffd88a",
      strategy: "segment",
    },
    {
      // Follows a visit's browsing (the Web Pixel's events; on /storefront, the pixel's own code runs in
      // the page): any visitor who looks at espresso machines three times in a visit sees it.
      name: "Espresso machine browsers",
      interestProductType: "Espresso Machines",
      interestViews: "3",
      priority: "8",
      holdoutPercent: "0",
      headline: "Still deciding on an espresso machine?",
      bodyHtml: "<p>Free setup help and a bag of beans with every machine this week.</p>",
      buttonLabel: "Compare machines",
      buttonLink: "/collections/espresso-machines",
      textColor: "#ffffff",
      backgroundColor: "#5b3a29",
      strategy: "personal",
    },
    {
      name: "Welcome new visitors",
      newVisitorsOnly: "on",
      priority: "1",
      holdoutPercent: "0",
      headline: "Welcome! Free shipping on your first order",
      textColor: "#1a1a1a",
      backgroundColor: "#d8f0dc",
      strategy: "bestsellers",
    },
  ];
  const ids: number[] = [];
  for (const fields of campaigns) {
    const parsed = parseCampaignForm({ status: "active", ...fields });
    if (!parsed.ok) throw new Error(`demo campaign "${fields.name}": ${JSON.stringify(parsed.errors)}`);
    ids.push(await createCampaign(db, { shop, input: parsed.value, now }));
  }
  // The lists the storefront's products come from, with the new segments' top sellers among them.
  await refreshRecommendations(db, { shop, now });
  return ids;
}
