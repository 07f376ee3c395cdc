// The shop's model settings in the database (Shop.clvDiscountRatePercent): read by every refit, nightly
// or on demand (fit.server.ts), and changed on the Settings page.
import type { Executor } from "~/db/database.server";
import { decoder, real, sql } from "~/db/sql";
import {
  DEFAULT_DISCOUNT_RATE_PERCENT,
  DISCOUNT_RATE_FIELD,
  formatRate,
  MAX_DISCOUNT_RATE_PERCENT,
  parseDiscountRate,
} from "./settings";

export type ModelSettings = { discountRatePercent: number };

export async function modelSettings(db: Executor, { shop }: { shop: string }): Promise<ModelSettings> {
  const [row] = await db.all(
    sql`SELECT "clvDiscountRatePercent" AS "rate" FROM "Shop" WHERE "domain" = ${shop}`,
    decoder({ rate: real }),
  );
  return { discountRatePercent: row?.rate ?? DEFAULT_DISCOUNT_RATE_PERCENT };
}

/** Stores a rate the caller has checked (parseDiscountRate); false when the shop is unknown. */
export async function saveModelSettings(
  db: Executor,
  { shop, discountRatePercent }: { shop: string } & ModelSettings,
): Promise<boolean> {
  if (
    !Number.isFinite(discountRatePercent) ||
    discountRatePercent < 0 ||
    discountRatePercent > MAX_DISCOUNT_RATE_PERCENT
  )
    throw new RangeError(`discount rate out of range: ${discountRatePercent}`);
  const changed = await db.run(
    sql`UPDATE "Shop" SET "clvDiscountRatePercent" = ${discountRatePercent}, "updatedAt" = ${new Date()} WHERE "domain" = ${shop}`,
  );
  return changed > 0;
}

export type ModelSettingsAnswer = {
  status: 200 | 404 | 422;
  data: { ok: boolean; service: "models"; message?: string; error?: string };
};

/** The Settings page's model-settings form: checked, stored, and answered (422 with the reason). */
export async function applyModelSettingsForm(
  db: Executor,
  { shop, form }: { shop: string; form: FormData },
): Promise<ModelSettingsAnswer> {
  const parsed = parseDiscountRate(form.get(DISCOUNT_RATE_FIELD) ?? undefined);
  if (!parsed.ok) return { status: 422, data: { ok: false, service: "models", error: parsed.error } };
  if (!(await saveModelSettings(db, { shop, discountRatePercent: parsed.percent })))
    return { status: 404, data: { ok: false, service: "models", error: "This shop is not installed" } };
  return {
    status: 200,
    data: {
      ok: true,
      service: "models",
      message: `Discount rate saved: ${formatRate(parsed.percent)} a year, used from the next refit`,
    },
  };
}
