// The Settings page's lifecycle card, server side: the shop's thresholds to show, and a form checked
// field by field (422 naming each field, nothing written) before the thresholds are saved and the
// segments that speak of lifecycle stages recomputed (definitions.server.ts).
import { json } from "@remix-run/node";
import type { Db } from "~/db/database.server";
import { DEFAULT_LIFECYCLE, LifecycleThresholdsSchema, type LifecycleThresholds } from "~/domain/segments/engine";
import { setLifecycleThresholds } from "~/models/segments/definitions.server";
import { shopContext } from "~/models/segments/rules.server";

export type LifecycleActionData =
  | { ok: true; intent: "lifecycle"; message: string }
  | { ok: false; intent: "lifecycle"; error: string; fields: Partial<Record<keyof LifecycleThresholds, string>> };

export async function lifecycleThresholds(db: Db, { shop, now }: { shop: string; now: Date }) {
  return (await shopContext(db, { shop, now })).lifecycle ?? DEFAULT_LIFECYCLE;
}

/** A whole number from a form field; anything else stays as it came, for the schema to refuse. */
const formInt = (value: FormDataEntryValue | null) =>
  typeof value === "string" && /^\s*-?\d{1,9}\s*$/.test(value) ? Number(value) : value;

export async function saveLifecycleThresholds(
  db: Db,
  { shop, form, now }: { shop: string; form: FormData; now: Date },
) {
  const checked = LifecycleThresholdsSchema.safeParse({
    lapsingDays: formInt(form.get("lapsingDays")),
    lapsedDays: formInt(form.get("lapsedDays")),
    loyalOrders: formInt(form.get("loyalOrders")),
  });
  if (!checked.success) {
    const fields: Record<string, string> = {};
    for (const issue of checked.error.issues)
      fields[String(issue.path[0])] ??= issue.code === "invalid_type" ? "Enter a whole number" : issue.message;
    return json<LifecycleActionData>(
      { ok: false, intent: "lifecycle", error: "Check the thresholds", fields },
      { status: 422 },
    );
  }
  const { changed, recomputed } = await setLifecycleThresholds(db, { shop, thresholds: checked.data, now });
  const message = !changed
    ? "Lifecycle thresholds unchanged"
    : `Lifecycle thresholds saved${recomputed > 0 ? `; ${recomputed} segment${recomputed === 1 ? "" : "s"} recomputed` : ""}`;
  return json<LifecycleActionData>({ ok: true, intent: "lifecycle", message });
}
