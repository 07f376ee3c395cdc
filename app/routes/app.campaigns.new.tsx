import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { CampaignForm, type CampaignActionData } from "~/components/CampaignForm";
import { db } from "~/db.server";
import { formFields, NEW_CAMPAIGN, parseCampaignForm } from "~/domain/campaign-form";
import { segmentChoices } from "~/models/campaigns/admin.server";
import { CampaignInputError, createCampaign } from "~/models/campaigns/store.server";
import { shopFormat } from "~/models/shops.server";

export const meta = () => pageTitle("New campaign", "Campaigns");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  return { demo, segments: await segmentChoices(db, { shop }) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const form = parseCampaignForm(formFields(await request.formData()), await shopFormat(db, { shop }));
  if (!form.ok) return json({ ok: false, errors: form.errors } satisfies CampaignActionData, { status: 400 });
  try {
    const id = await createCampaign(db, { shop, input: form.value, now: new Date() });
    return json({
      ok: true,
      id,
      message: `Saved “${form.value.name}”`,
      redirectTo: `/app/campaigns/${id}`,
    } satisfies CampaignActionData);
  } catch (error) {
    if (error instanceof CampaignInputError)
      return json({ ok: false, errors: { segmentId: error.message } } satisfies CampaignActionData, { status: 422 });
    throw error;
  }
};

export default function NewCampaign() {
  const { demo, segments } = useLoaderData<typeof loader>();
  return (
    <CampaignForm
      title="New campaign"
      demo={demo}
      campaignId={null}
      initial={NEW_CAMPAIGN}
      segments={segments}
      submitLabel="Save campaign"
    />
  );
}
