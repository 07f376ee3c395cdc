import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { useState } from "react";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { DeleteSegmentModal, skipRevalidationBeforeLeaving } from "~/components/DeleteSegmentModal";
import { SegmentEditor } from "~/components/SegmentEditor";
import { db } from "~/db.server";
import { readSegmentForm, type SegmentActionData } from "~/domain/segments/form";
import { parseSegmentId } from "~/domain/segments/segment-id";
import { getSegment, updateSegment } from "~/models/segments/definitions.server";
import { segmentErrorAnswer } from "~/models/segments/errors";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  pageTitle(data ? `Edit ${data.segment.name}` : "Segment not found", "Segments");

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  const id = parseSegmentId(params.id);
  const segment = id === null ? null : await getSegment(db, { shop, id });
  if (!segment) throw new Response("No such segment", { status: 404 });
  return { demo, segment };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const id = parseSegmentId(params.id);
  if (id === null) throw new Response("No such segment", { status: 404 });
  const form = readSegmentForm(Object.fromEntries(await request.formData()));
  if (!form.ok) return json({ ok: false, errors: form.errors } satisfies SegmentActionData, { status: 400 });
  try {
    const updated = await updateSegment(db, { shop, id, name: form.name, query: form.query, now: new Date() });
    if (!updated) throw new Response("No such segment", { status: 404 });
    return json({
      ok: true,
      id,
      message: `Saved “${form.name}”`,
      redirectTo: `/app/segments/${id}`,
    } satisfies SegmentActionData);
  } catch (error) {
    // The segment is as it was (updateSegment puts it back, or never touched it when the shop was busy).
    const answer = segmentErrorAnswer(error);
    if (!answer) throw error;
    return json({ ok: false, errors: { query: answer.message } } satisfies SegmentActionData, answer.init);
  }
};

export const shouldRevalidate: ShouldRevalidateFunction = skipRevalidationBeforeLeaving;

export default function EditSegment() {
  const { demo, segment } = useLoaderData<typeof loader>();
  const [deleting, setDeleting] = useState(false);
  return (
    <SegmentEditor
      key={segment.id}
      title={`Edit “${segment.name}”`}
      demo={demo}
      initialName={segment.name}
      initialQuery={segment.query}
      saveBarId="segment-edit-save-bar"
      submitLabel="Save changes"
      backUrl={`/app/segments/${segment.id}`}
      secondaryActions={[{ content: "Delete", destructive: true, onAction: () => setDeleting(true) }]}
    >
      <DeleteSegmentModal id={segment.id} name={segment.name} open={deleting} onClose={() => setDeleting(false)} />
    </SegmentEditor>
  );
}

export { SegmentNotFoundBoundary as ErrorBoundary } from "~/components/SegmentNotFound";
