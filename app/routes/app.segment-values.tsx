// The shop's own values for a rule (a resource route the builder and the query editor call as the
// merchant types): `?kind=product_type&q=cof` lists matches, most used first; `&check=<value>` says
// whether the shop has that value and, if not, the nearest one it has. A kind we do not know is a 400.
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { isVocabularyKind, VOCABULARY_KINDS } from "~/domain/segments/vocabulary";
import { checkValue, suggestValues } from "~/models/segments/vocabulary.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const params = new URL(request.url).searchParams;
  const kind = params.get("kind") ?? "";
  if (!isVocabularyKind(kind)) {
    return json({ error: `kind must be one of ${VOCABULARY_KINDS.join(", ")}` }, { status: 400 });
  }
  const check = params.get("check");
  if (check !== null) return json(await checkValue(db, { shop, kind, value: check.slice(0, 200) }));
  const limit = Number.parseInt(params.get("limit") ?? "20", 10);
  const values = await suggestValues(db, {
    shop,
    kind,
    typed: (params.get("q") ?? "").slice(0, 100),
    limit: Number.isFinite(limit) ? limit : 20,
  });
  return json({ values }, { headers: { "Cache-Control": "private, max-age=30" } });
};
