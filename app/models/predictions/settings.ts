// The merchant's model settings as the Settings page takes them: the yearly discount rate of the
// predicted customer value. Pure (no database), so the form, the action and the CLI check it alike.
import { z } from "zod";

export const MODEL_SETTINGS_INTENT = "model-settings";
export const DISCOUNT_RATE_FIELD = "discountRatePercent";
export const DEFAULT_DISCOUNT_RATE_PERCENT = 10;
export const MAX_DISCOUNT_RATE_PERCENT = 100;

// "12", "12.5", "12,5" and "12 %" are all twelve-and-a-bit percent a year.
const PercentText = z
  .string()
  .trim()
  .min(1, "Enter the discount rate in percent a year, for example 10")
  .transform((s) => s.replace(/\s*%$/, "").replace(",", "."))
  .refine((s) => /^-?\d+(\.\d+)?$/.test(s), "Enter the discount rate as a number of percent a year, for example 10")
  .transform(Number);

/** The discount rate typed by the merchant, in percent a year (0–100), or the error to show beside it. */
export function parseDiscountRate(input: unknown): { ok: true; percent: number } | { ok: false; error: string } {
  if (typeof input !== "string")
    return { ok: false, error: "Enter the discount rate in percent a year, for example 10" };
  const parsed = PercentText.safeParse(input);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]!.message };
  if (parsed.data < 0 || parsed.data > MAX_DISCOUNT_RATE_PERCENT)
    return {
      ok: false,
      error: `The discount rate must be from 0 to ${MAX_DISCOUNT_RATE_PERCENT} % a year, not ${parsed.data} %`,
    };
  return { ok: true, percent: parsed.data };
}

/** "10 %", "7.5 %": how the rate is written on the pages. */
export function formatRate(percent: number): string {
  return `${Number(percent.toFixed(2))} %`;
}
