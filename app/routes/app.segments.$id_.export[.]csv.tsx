// A segment's members as CSV (resource route, GET): /app/segments/<id>/export.csv?fields=email,tags&bom=1.
// Streamed page by page from the database (app/export/csv-stream.server.ts); nothing is held whole.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { csvFileName, parseFields } from "~/export/csv";
import { csvWebStream } from "~/export/csv-stream.server";
import { segmentRef } from "~/export/members.server";
import { parseSegmentId } from "~/domain/segments/segment-id";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const id = parseSegmentId(params.id);
  const segment = id === null ? null : await segmentRef(db, { shop, id });
  if (!segment) return new Response("No such segment", { status: 404 });
  const url = new URL(request.url);
  const fields = parseFields(url.searchParams.getAll("fields").join(","));
  if (!fields.ok)
    return new Response(fields.error, { status: 422, headers: { "content-type": "text/plain; charset=utf-8" } });
  const bom = ["1", "true", "on"].includes(url.searchParams.get("bom") ?? "");
  const now = new Date();
  const body = csvWebStream(db, { shop, segmentId: segment.id, fields: fields.fields, bom, now });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${csvFileName(segment.name, now)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
};
