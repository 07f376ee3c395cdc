// The campaign form's live preview (POST, a resource route): the banner as it would be saved, and what a
// chosen customer would see.
import { json, type ActionFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { formFields, parseCampaignForm } from "~/domain/campaign-form";
import { parseNumericId } from "~/domain/personalize";
import { previewCampaign } from "~/models/campaigns/preview.server";
import { shopFormat } from "~/models/shops.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const fields = formFields(await request.formData());
  // The preview shows the banner while the form is still being filled in: a missing name is no reason
  // not to show it.
  const form = parseCampaignForm(
    { ...fields, name: fields.name || "preview", headline: fields.headline || "Headline" },
    await shopFormat(db, { shop }),
  );
  if (!form.ok) return json({ ok: false as const, errors: form.errors }, { status: 400 });
  const campaignId = Number(fields.campaignId);
  const result = await previewCampaign(db, {
    shop,
    draft: form.value,
    campaignId: Number.isSafeInteger(campaignId) && campaignId > 0 ? campaignId : null,
    customerId: parseNumericId(fields.previewCustomer ?? null),
    now: new Date(),
  });
  return json({ ok: true as const, ...result });
};
