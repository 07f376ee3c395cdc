// Insights: who will buy again, who is slipping away, who is worth most, which kinds of customers the
// shop has, and how good these predictions have been for this shop. Read models in
// app/models/insights.server.ts; the figures in app/components/Insights.tsx.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Page } from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { InsightsView } from "~/components/Insights";
import { db } from "~/db.server";
import { insights, type Insights } from "~/models/insights.server";
import { reclusterShop, refreshPredictions } from "~/models/predictions/refresh.server";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

export const meta = () => pageTitle("Insights");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  return insights(db, { shop, now: new Date() });
};

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("refit") }),
  z.object({
    intent: z.literal("cluster"),
    method: z.enum(["kmeans", "ward"], { message: "Choose k-means or Ward" }),
    k: z
      .string()
      .regex(/^([2-8])?$/, "The number of clusters is a whole number from 2 to 8, or best fit")
      .transform((v) => (v === "" ? undefined : Number(v))),
  }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const form = Object.fromEntries(await request.formData());
  const parsed = ActionSchema.safeParse(form);
  if (!parsed.success) {
    if (form.intent !== "cluster") return json({ ok: false, error: "unknown action" }, { status: 400 });
    const issue = parsed.error.issues[0]!;
    return json({ ok: false, intent: "cluster", field: String(issue.path[0]), error: issue.message }, { status: 422 });
  }
  if (parsed.data.intent === "cluster") {
    const { method, k } = parsed.data;
    const outcome = await reclusterShop(db, { shop, now: new Date(), method, k });
    return outcome.status === "ok"
      ? {
          ok: true,
          intent: "cluster",
          message: `${outcome.k} clusters found by ${method === "ward" ? "Ward" : "k-means"}`,
        }
      : json(
          { ok: false, intent: "cluster", error: outcome.reason ?? "The customers could not be clustered" },
          { status: 422 },
        );
  }
  try {
    await refreshPredictions(db, { shop, now: new Date(), recompute: true });
  } catch (error) {
    // Each step stores its own reason (shown on the page); this says the refit did not complete.
    return json({ ok: false, error: `The refit did not complete: ${(error as Error).message}` }, { status: 503 });
  }
  return { ok: true, message: "Predictions refitted" };
};

export default function InsightsPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page title="Insights" subtitle="Who will buy again, who is slipping away, who is worth most">
      {/* JSON of the loader's plain data: the same shape (dates are already strings there). */}
      <InsightsView data={data as unknown as Insights} />
    </Page>
  );
}
