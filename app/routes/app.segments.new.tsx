import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { SegmentEditor } from "~/components/SegmentEditor";
import { db } from "~/db.server";
import { readSegmentForm, type SegmentActionData } from "~/domain/segments/form";
import { createSegment } from "~/models/segments/definitions.server";
import { segmentErrorAnswer } from "~/models/segments/errors";

export const meta = () => pageTitle("New segment", "Segments");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { demo } = await requireAdmin(request);
  const params = new URL(request.url).searchParams;
  return { demo, name: params.get("name") ?? "", query: params.get("query") ?? "" };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const form = readSegmentForm(Object.fromEntries(await request.formData()));
  if (!form.ok) return json({ ok: false, errors: form.errors } satisfies SegmentActionData, { status: 400 });
  try {
    const id = await createSegment(db, { shop, name: form.name, query: form.query, now: new Date() });
    return json({
      ok: true,
      id,
      message: `Saved “${form.name}”`,
      // The merchant lands on what they made: its members, size and profile.
      redirectTo: `/app/segments/${id}`,
    } satisfies SegmentActionData);
  } catch (error) {
    // Nothing was saved (createSegment): a bad rule, its time bound, or the shop busy computing.
    const answer = segmentErrorAnswer(error);
    if (!answer) throw error;
    return json({ ok: false, errors: { query: answer.message } } satisfies SegmentActionData, answer.init);
  }
};

export default function NewSegment() {
  const initial = useLoaderData<typeof loader>();
  return (
    <SegmentEditor
      title="New segment"
      demo={initial.demo}
      initialName={initial.name}
      initialQuery={initial.query}
      saveBarId="segment-save-bar"
      submitLabel="Save segment"
      backUrl="/app/segments"
    />
  );
}
