// The editor's live preview (a resource route): count and first members for a query, as it is typed.
// A query with a mistake is a 422 saying where; a shop with two previews running gets a 429; a count
// the database stopped at its time bound a 503. Never a 500 for what a merchant can type. A query that
// counts no one comes with `hints`: why, where we can tell (a value the shop does not have, an empty range).
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { matchesNobodyHints } from "~/models/segments/hints.server";
import { previewQuery } from "~/models/segments/read-models.server";
import { shopContext } from "~/models/segments/rules.server";
import { segmentErrorAnswer } from "~/models/segments/errors";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const query = new URL(request.url).searchParams.get("q") ?? "";
  if (query.trim() === "") return json({ ok: false, error: "Write a query, for example: amount_spent >= 100" });
  try {
    const now = new Date();
    const preview = await previewQuery(db, { shop, query, now });
    if (!preview.ok) return json(preview, { status: 422 });
    const hints =
      preview.count === 0
        ? await matchesNobodyHints(db, { shop, query, ctx: await shopContext(db, { shop, now }) })
        : [];
    return json({ ...preview, hints });
  } catch (error) {
    const answer = segmentErrorAnswer(error);
    if (!answer) throw error;
    // A busy shop: the editor asks again after Retry-After.
    return json(
      { ok: false, error: answer.message, ...(answer.init.status === 429 ? { retry: true } : {}) },
      answer.init,
    );
  }
};
