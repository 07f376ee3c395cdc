// A customers/data_request report as a JSON download (resource route, GET), for the merchant to send on.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { getReport } from "~/export/privacy-report.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const id = /^[1-9][0-9]{0,9}$/.test(params.id ?? "") ? Number(params.id) : null;
  const report = id === null || id > 2_147_483_647 ? null : await getReport(db, { shop, id });
  if (!report) return new Response("No such report", { status: 404 });
  return new Response(JSON.stringify(report, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="data-request-${id}.json"`,
      "cache-control": "no-store",
    },
  });
};
