// Duplicates a segment (resource route, POST only): "Copy of …" with the same query, computed at once;
// the page that asked moves to the copy.
import { json, type ActionFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { parseSegmentId } from "~/domain/segments/segment-id";
import { duplicateSegment } from "~/models/segments/definitions.server";
import { segmentErrorAnswer } from "~/models/segments/errors";

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  if (request.method !== "POST") return json({ ok: false, error: "Method not allowed" }, { status: 405 });
  const id = parseSegmentId(params.id);
  try {
    const copy = id === null ? null : await duplicateSegment(db, { shop, id, now: new Date() });
    if (!copy) return json({ ok: false, error: "No such segment" }, { status: 404 });
    return json({ ok: true, id: copy.id, message: `Created “${copy.name}”` });
  } catch (error) {
    const answer = segmentErrorAnswer(error);
    if (!answer) throw error;
    return json({ ok: false, error: answer.message }, answer.init);
  }
};
