// Storefront campaigns: create one (validated and sanitized as the admin form does) and list them.
import { requireShop, str, UsageError, type CliCommand, type CliContext } from "../command";

/** The campaign form's fields, as CLI options (the admin form's names, kebab-cased). */
const FIELDS = {
  name: "name",
  status: "status",
  segment: "segmentId",
  countries: "countries",
  priority: "priority",
  starts: "startsAt",
  ends: "endsAt",
  holdout: "holdoutPercent",
  headline: "headline",
  text: "bodyHtml",
  image: "imageUrl",
  "button-label": "buttonLabel",
  "button-link": "buttonLink",
  "text-color": "textColor",
  "background-color": "backgroundColor",
  strategy: "strategy",
  "attribution-days": "attributionDays",
  "interest-type": "interestProductType",
  "interest-views": "interestViews",
} as const;

const campaigns: CliCommand = {
  name: "campaigns",
  usage: `  campaigns create --shop DOMAIN --name NAME --headline TEXT [--segment ID | --countries US,CA]
        [--new-visitors] [--status draft|active|paused] [--priority N] [--starts DATE] [--ends DATE]
        [--holdout PCT] [--text HTML] [--image URL] [--button-label TEXT --button-link URL]
        [--text-color #hex] [--background-color #hex] [--strategy personal|segment|bestsellers]
        [--attribution-days N] [--interest-type TYPE [--interest-views N]] [--json]
  campaigns list --shop DOMAIN [--json]
  campaigns demo --shop DOMAIN [--json]
        storefront campaigns: a banner and a recommendation strategy for a segment or for visitors`,
  options: {
    shop: { type: "string" },
    "new-visitors": { type: "boolean", default: false },
    ...Object.fromEntries(Object.keys(FIELDS).map((k) => [k, { type: "string" as const }])),
  },
  database: (sub) => (sub === "list" ? "read" : "write"),
  check: (values, positionals) => {
    requireShop(values.shop);
    if (!["create", "list", "demo"].includes(positionals[0] ?? ""))
      throw new UsageError(`campaigns ${positionals[0] ?? ""}: expected create, list or demo`);
  },
  run: campaignCommand,
};

async function campaignCommand({ db, values, positionals, out }: CliContext): Promise<number> {
  const shop = requireShop(values.shop);
  const store = await import("~/models/campaigns/store.server");
  if (positionals[0] === "create") {
    const { parseCampaignForm } = await import("~/domain/campaign-form");
    const fields: Record<string, string | undefined> = {};
    for (const [option, field] of Object.entries(FIELDS)) fields[field] = str(values, option);
    fields.newVisitorsOnly = values["new-visitors"] ? "on" : undefined;
    const { shopFormat } = await import("~/models/shops.server");
    // A day alone is a day in the shop's time zone, as on the campaign form.
    const form = parseCampaignForm(fields, await shopFormat(db, { shop }));
    if (!form.ok) {
      const option = (field: string) => Object.entries(FIELDS).find(([, f]) => f === field)?.[0] ?? field;
      throw new UsageError(
        Object.entries(form.errors)
          .map(([field, message]) => `--${option(field)}: ${message}`)
          .join("\n"),
      );
    }
    try {
      const id = await store.createCampaign(db, { shop, input: form.value, now: new Date() });
      out.print(
        { shop, id, name: form.value.name, status: form.value.status },
        `campaign ${id} "${form.value.name}" (${form.value.status})`,
      );
      return 0;
    } catch (error) {
      if (error instanceof store.CampaignInputError) throw new UsageError(`--segment: ${error.message}`);
      throw error;
    }
  }
  if (positionals[0] === "demo") {
    // The demo shop's segments and campaigns (npm run demo), once.
    const { seedDemoCampaigns } = await import("~/services/demo-campaigns.server");
    const ids = await seedDemoCampaigns(db, { shop, now: new Date() });
    out.print(
      { shop, created: ids },
      ids.length ? `created campaigns ${ids.join(", ")}` : "the shop has campaigns already",
    );
    return 0;
  }
  const list = await store.listCampaigns(db, { shop });
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  out.print(
    {
      shop,
      campaigns: list.map((c) => ({
        id: c.id,
        name: c.name,
        status: c.status,
        segmentId: c.segmentId,
        countries: c.countries,
        newVisitorsOnly: c.newVisitorsOnly,
        interestProductType: c.interestProductType,
        interestViews: c.interestViews,
        priority: c.priority,
        startsAt: iso(c.startsAt),
        endsAt: iso(c.endsAt),
        holdoutPercent: c.holdoutPercent,
        strategy: c.strategy,
        headline: c.headline,
      })),
    },
    list
      .map(
        (c) =>
          `${c.id}\t${c.status}\t${c.priority}\t${c.segmentId === null ? "-" : `segment ${c.segmentId}`}\t${c.name}`,
      )
      .join("\n") || "no campaigns",
  );
  return 0;
}

export const campaignCommands: CliCommand[] = [campaigns];
