// A campaign: its form (edit in place, live preview), its measured uplift against the holdout, and
// delete.
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, DataTable, Text } from "@shopify/polaris";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { CampaignForm, type CampaignActionData } from "~/components/CampaignForm";
import { db } from "~/db.server";
import { formFields, parseCampaignForm } from "~/domain/campaign-form";
import { displayMoney } from "~/domain/money";
import type { Interval } from "~/domain/uplift";
import { segmentChoices } from "~/models/campaigns/admin.server";
import {
  campaignFields,
  CampaignInputError,
  deleteCampaign,
  getCampaign,
  updateCampaign,
} from "~/models/campaigns/store.server";
import { campaignUplift } from "~/models/campaigns/uplift.server";
import { shopFormat } from "~/models/shops.server";

function campaignId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new Response("No such campaign", { status: 404 });
  return id;
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  const id = campaignId(params.id);
  const campaign = await getCampaign(db, { shop, id });
  if (!campaign) throw new Response("No such campaign", { status: 404 });
  const [segments, uplift, { currencyCode: currency, timeZone }] = await Promise.all([
    segmentChoices(db, { shop }),
    campaignUplift(db, { shop, campaignId: id, attributionDays: campaign.attributionDays }),
    shopFormat(db, { shop }),
  ]);
  const money = (minor: number | null) => (minor === null ? "—" : displayMoney(BigInt(Math.round(minor)), currency));
  const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)} %`);
  const pp = (i: Interval | null) =>
    i ? `${(i.estimate * 100).toFixed(1)} pp (${(i.low * 100).toFixed(1)} to ${(i.high * 100).toFixed(1)})` : "—";
  const arms = (["campaign", "holdout"] as const).map((arm) => {
    const a = uplift[arm];
    return [
      arm === "campaign" ? "Campaign" : "Holdout",
      a.impressions,
      a.exposed,
      a.converted,
      a.orders,
      pct(a.conversionRate),
      money(a.revenueMinor),
      money(a.revenuePerExposedMinor),
    ];
  });
  return {
    demo,
    id,
    fields: campaignFields(campaign, timeZone),
    segments,
    uplift: {
      verdict: uplift.verdict,
      message: uplift.message,
      rows: arms,
      conversion: pp(uplift.conversionDifference),
      revenue: uplift.revenueDifference
        ? `${money(uplift.revenueDifference.estimate)} (${money(uplift.revenueDifference.low)} to ${money(uplift.revenueDifference.high)})`
        : "—",
      days: campaign.attributionDays,
    },
  };
};

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  pageTitle(data ? data.fields.name : "Campaign not found", "Campaigns");

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const id = campaignId(params.id);
  const fields = formFields(await request.formData());
  if (fields.intent === "delete") {
    if (!(await deleteCampaign(db, { shop, id }))) throw new Response("No such campaign", { status: 404 });
    return redirect("/app/campaigns");
  }
  const form = parseCampaignForm(fields, await shopFormat(db, { shop }));
  if (!form.ok) return json({ ok: false, errors: form.errors } satisfies CampaignActionData, { status: 400 });
  try {
    if (!(await updateCampaign(db, { shop, id, input: form.value, now: new Date() })))
      throw new Response("No such campaign", { status: 404 });
  } catch (error) {
    if (error instanceof CampaignInputError)
      return json({ ok: false, errors: { segmentId: error.message } } satisfies CampaignActionData, { status: 422 });
    throw error;
  }
  return json({
    ok: true,
    id,
    message: `Saved “${form.value.name}”`,
    redirectTo: `/app/campaigns/${id}`,
  } satisfies CampaignActionData);
};

export default function CampaignPage() {
  const { demo, id, fields, segments, uplift } = useLoaderData<typeof loader>();
  return (
    <CampaignForm
      key={id}
      title={fields.name ?? "Campaign"}
      demo={demo}
      campaignId={id}
      initial={fields}
      segments={segments}
      submitLabel="Save"
    >
      <div style={{ marginTop: 16 }}>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Does it sell more?
            </Text>
            <Text as="p" id="uplift-verdict" tone={uplift.verdict === "worse" ? "critical" : undefined}>
              {uplift.message}
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
              headings={[
                "Arm",
                "Impressions",
                "Customers shown",
                "Ordered",
                "Orders",
                "Conversion",
                "Revenue",
                "Per customer",
              ]}
              rows={uplift.rows}
            />
            <Text as="p" variant="bodySm" tone="subdued">
              Orders within {uplift.days} days of a logged-in customer first being shown the campaign (or its holdout).
              Difference in conversion: {uplift.conversion}; in revenue per customer: {uplift.revenue} (95 % intervals).
            </Text>
          </BlockStack>
        </Card>
      </div>
      <div style={{ marginTop: 16 }}>
        <Form method="post">
          <input type="hidden" name="intent" value="delete" />
          <Button submit tone="critical">
            Delete campaign
          </Button>
        </Form>
      </div>
    </CampaignForm>
  );
}
