// A campaign as the admin form and the CLI give it: validated with zod, merchant text sanitized on the
// way in (app/domain/sanitize.ts), so that what is stored is already safe for the storefront.
import { z } from "zod";
import { dayStart, isValidYmd } from "./calendar";
import { STRATEGIES, type Strategy } from "./personalize";
import { plainText, safeColour, safeUrl, sanitizeBannerHtml } from "./sanitize";

export const STATUSES = ["draft", "active", "paused"] as const;
export type CampaignStatus = (typeof STATUSES)[number];

export type CampaignInput = {
  name: string;
  status: CampaignStatus;
  segmentId: number | null;
  countries: string[];
  newVisitorsOnly: boolean;
  interestProductType: string | null;
  interestViews: number;
  priority: number;
  startsAt: Date | null;
  endsAt: Date | null;
  holdoutPercent: number;
  headline: string;
  bodyHtml: string;
  imageUrl: string | null;
  buttonLabel: string | null;
  buttonLink: string | null;
  textColor: string;
  backgroundColor: string;
  strategy: Strategy;
  attributionDays: number;
};

const text = (max: number) =>
  z
    .string()
    .optional()
    .transform((v) => plainText(v ?? ""))
    .pipe(z.string().max(max, `at most ${max} characters`));
const optionalText = (max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined ? "" : plainText(v)))
    .pipe(z.string().max(max, `at most ${max} characters`))
    .transform((v) => (v === "" ? null : v));
const optionalUrl = (allowPath: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return null;
      const safe = safeUrl(v, { allowPath });
      if (safe === null) {
        ctx.addIssue({
          code: "custom",
          message: allowPath
            ? "must be an http(s) address or a path on the shop such as /collections/sale"
            : "must be an http(s) address",
        });
        return z.NEVER;
      }
      return safe;
    });
const colour = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const safe = safeColour(v);
      if (safe === null) {
        ctx.addIssue({ code: "custom", message: "must be a colour such as #1a1a1a" });
        return z.NEVER;
      }
      return safe;
    });
const intIn = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });
const optionalDate = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return null;
    // A date alone (the form's date field) was made the start of that day in the shop's time zone by
    // parseCampaignForm; one that still is a date alone is the start of that UTC day.
    // (A day that does not exist, 2026-02-31, is refused: Date would roll it into March.)
    const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(v.trim());
    const d = new Date(dayOnly ? `${v.trim()}T00:00:00Z` : v.trim());
    if (
      (dayOnly && !isValidYmd(v.trim())) ||
      Number.isNaN(d.getTime()) ||
      d.getUTCFullYear() < 2000 ||
      d.getUTCFullYear() > 2100
    ) {
      ctx.addIssue({ code: "custom", message: "must be a date such as 2026-12-24" });
      return z.NEVER;
    }
    return d;
  });

/** The form's fields, all strings (FormData / CLI options), to a CampaignInput or field errors. */
export const campaignFormSchema = z
  .object({
    name: text(100).pipe(z.string().min(1, "a campaign needs a name")),
    status: z.enum(STATUSES, { message: "must be draft, active or paused" }).optional().default("draft"),
    segmentId: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === "" || v === "none") return null;
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 1) {
          ctx.addIssue({ code: "custom", message: "must be a segment id" });
          return z.NEVER;
        }
        return n;
      }),
    countries: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const codes = (v ?? "")
          .split(/[\s,]+/)
          .map((c) => c.trim().toUpperCase())
          .filter((c) => c !== "");
        const bad = codes.find((c) => !/^[A-Z]{2}$/.test(c));
        if (bad !== undefined) {
          ctx.addIssue({ code: "custom", message: `"${bad}" is not a two-letter country code such as US` });
          return z.NEVER;
        }
        return [...new Set(codes)].slice(0, 50);
      }),
    newVisitorsOnly: z
      .string()
      .optional()
      .transform((v) => v === "on" || v === "true" || v === "1"),
    interestProductType: optionalText(255),
    interestViews: intIn(1, 50, 3),
    priority: intIn(0, 1000, 0),
    startsAt: optionalDate,
    endsAt: optionalDate,
    holdoutPercent: intIn(0, 50, 10),
    headline: text(120).pipe(z.string().min(1, "the banner needs a headline")),
    bodyHtml: z
      .string()
      .optional()
      .transform((v) => sanitizeBannerHtml(v ?? ""))
      .pipe(z.string().max(2000, "at most 2,000 characters")),
    imageUrl: optionalUrl(false),
    buttonLabel: optionalText(40),
    buttonLink: optionalUrl(true),
    textColor: colour("#1a1a1a"),
    backgroundColor: colour("#f4f1ea"),
    strategy: z
      .enum(STRATEGIES as [Strategy, ...Strategy[]], { message: "must be personal, segment or bestsellers" })
      .optional()
      .default("personal"),
    attributionDays: intIn(1, 60, 7),
  })
  .superRefine((v, ctx) => {
    if (v.startsAt && v.endsAt && v.endsAt.getTime() <= v.startsAt.getTime()) {
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after the start" });
    }
    if (v.strategy === "segment" && v.segmentId === null) {
      ctx.addIssue({ code: "custom", path: ["strategy"], message: "the segment's top sellers need a segment" });
    }
    if ((v.buttonLabel === null) !== (v.buttonLink === null)) {
      ctx.addIssue({ code: "custom", path: ["buttonLink"], message: "a button needs both a label and a link" });
    }
  });

export type FieldErrors = Record<string, string>;

/**
 * The form's fields to a campaign. Its dates alone (the form's date fields) are days in the shop's time
 * zone: a campaign starting on 2026-12-24 starts at midnight there, and one ending on a day ends as it
 * begins.
 */
export function parseCampaignForm(
  fields: Record<string, string | undefined>,
  { timeZone = "UTC" }: { timeZone?: string } = {},
): { ok: true; value: CampaignInput } | { ok: false; errors: FieldErrors } {
  const local = (v: string | undefined) =>
    v !== undefined && isValidYmd(v.trim()) ? dayStart(v.trim(), timeZone).toISOString() : v;
  const parsed = campaignFormSchema.safeParse({
    ...fields,
    startsAt: local(fields.startsAt),
    endsAt: local(fields.endsAt),
  });
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "form");
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** A form's string fields (files ignored; of a repeated name, the last value counts). */
export function formFields(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === "string") out[key] = value;
  return out;
}

/** The new-campaign form's starting values. */
export const NEW_CAMPAIGN: Record<string, string> = {
  name: "",
  status: "draft",
  segmentId: "",
  countries: "",
  newVisitorsOnly: "",
  interestProductType: "",
  interestViews: "3",
  priority: "0",
  startsAt: "",
  endsAt: "",
  holdoutPercent: "10",
  headline: "",
  bodyHtml: "",
  imageUrl: "",
  buttonLabel: "",
  buttonLink: "",
  textColor: "#1a1a1a",
  backgroundColor: "#f4f1ea",
  strategy: "personal",
  attributionDays: "7",
};
