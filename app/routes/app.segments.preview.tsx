// The editor's live preview (a resource route): count and first members for a query, as it is typed.
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { previewQuery } from "~/models/segments.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const query = new URL(request.url).searchParams.get("q") ?? "";
  if (query.trim() === "") return json({ ok: false, error: "Write a query, for example: amount_spent >= 100" });
  return json(await previewQuery(db, { shop, query, now: new Date() }));
};
