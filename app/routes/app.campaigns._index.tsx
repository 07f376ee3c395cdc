// Campaigns: the list (status, audience, priority, dates, impressions) and the theme editor links that
// add the storefront blocks.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { db } from "~/db.server";
import { segmentChoices, themeEditorLinks } from "~/models/campaigns/admin.server";
import { listCampaigns } from "~/models/campaigns/store.server";
import { impressionTotals } from "~/models/campaigns/uplift.server";
import { shopFormat } from "~/models/shops.server";
import { localDate } from "~/domain/calendar";

export const meta = () => pageTitle("Campaigns");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const [campaigns, segments, impressions, { timeZone }] = await Promise.all([
    listCampaigns(db, { shop }),
    segmentChoices(db, { shop }),
    impressionTotals(db, { shop }),
    shopFormat(db, { shop }),
  ]);
  const segmentName = new Map(segments.map((s) => [s.id, s.name]));
  return {
    links: themeEditorLinks(shop, process.env.SHOPIFY_API_KEY || ""),
    campaigns: campaigns.map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      audience:
        (c.segmentId !== null
          ? (segmentName.get(c.segmentId) ?? `segment ${c.segmentId} (deleted)`)
          : `${c.countries.length ? c.countries.join(", ") : "any country"}${c.newVisitorsOnly ? ", new visitors" : ""}`) +
        (c.interestProductType ? `, viewed ${c.interestProductType} ${c.interestViews}× this visit` : ""),
      priority: c.priority,
      // Days in the shop's time zone, as the form takes them.
      dates: `${c.startsAt ? localDate(c.startsAt, timeZone) : "—"} → ${c.endsAt ? localDate(c.endsAt, timeZone) : "—"}`,
      holdout: c.holdoutPercent,
      impressions: impressions.get(c.id) ?? 0,
    })),
  };
};

const TONE = { active: "success", paused: "warning", draft: undefined } as const;

export default function Campaigns() {
  const { campaigns, links } = useLoaderData<typeof loader>();
  return (
    <Page title="Campaigns" primaryAction={{ content: "New campaign", url: "/app/campaigns/new" }}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {campaigns.length === 0 ? (
              <BlockStack gap="200" inlineAlign="start">
                <div style={{ padding: 16 }}>
                  <Text as="p">No campaigns yet. A campaign shows a banner and recommendations to a segment.</Text>
                </div>
              </BlockStack>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric", "text", "numeric", "numeric"]}
                headings={["Campaign", "Status", "Audience", "Priority", "Dates (UTC)", "Holdout", "Impressions"]}
                rows={campaigns.map((c) => [
                  <Link key={c.id} url={`/app/campaigns/${c.id}`}>
                    {c.name}
                  </Link>,
                  <Badge key="s" tone={TONE[c.status]}>
                    {c.status}
                  </Badge>,
                  c.audience,
                  c.priority,
                  c.dates,
                  `${c.holdout} %`,
                  c.impressions.toLocaleString("en-US"),
                ])}
              />
            )}
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Add the blocks to your theme
              </Text>
              <Text as="p" tone="subdued">
                Opens the theme editor with the block added; save the theme there to publish it.
              </Text>
              <InlineStack gap="200">
                <Button url={links.banner} target="_top" external>
                  Add the banner
                </Button>
                <Button url={links.recommendations} target="_top" external>
                  Add recommendations
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
