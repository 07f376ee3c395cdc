// A CSV download by signed URL (app/export/download-token.server.ts): made by the Exports page's
// authenticated action, opened in a new window, so that it works inside Shopify admin's iframe. The
// token names the shop, the segment and the fields; the segment is looked up in that shop only.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { csvFileName, parseFields } from "~/export/csv";
import { csvWebStream } from "~/export/csv-stream.server";
import { verifyDownload } from "~/export/download-token.server";
import { SecretsError } from "~/export/secrets.server";
import { segmentRef } from "~/export/members.server";

const text = (body: string, status: number) =>
  new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });

export const loader = async ({ params }: LoaderFunctionArgs) => {
  const now = new Date();
  let verified;
  try {
    verified = verifyDownload(params.token ?? "", { now });
  } catch (error) {
    if (error instanceof SecretsError) return text("Downloads are not set up (TAILORED_ENCRYPTION_KEY)", 503);
    throw error;
  }
  if (!verified.ok) return text(verified.reason, verified.status);
  const { shop, segmentId, fields: asked, bom } = verified.grant;
  const fields = parseFields(asked);
  if (!fields.ok) return text(fields.error, 422);
  const segment = await segmentRef(db, { shop, id: segmentId });
  if (!segment) return text("No such segment", 404);
  return new Response(csvWebStream(db, { shop, segmentId: segment.id, fields: fields.fields, bom, now }), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${csvFileName(segment.name, now)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
};
