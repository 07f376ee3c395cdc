// Deletes a segment (resource route, POST only): its members and enter/leave history go with it.
import { json, type ActionFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { parseSegmentId } from "~/domain/segments/segment-id";
import { deleteSegment, getSegment } from "~/models/segments/definitions.server";

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  if (request.method !== "POST") return json({ ok: false, error: "Method not allowed" }, { status: 405 });
  const id = parseSegmentId(params.id);
  const segment = id === null ? null : await getSegment(db, { shop, id });
  if (id === null || !segment || !(await deleteSegment(db, { shop, id })))
    return json({ ok: false, error: "No such segment" }, { status: 404 });
  return json({ ok: true, message: `Deleted “${segment.name}”` });
};
