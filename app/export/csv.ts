// A segment's members as CSV rows: which fields a merchant may pick, each member as cells, and the
// guard against formula injection. Pure: the route streams the rows as RFC 4180 text (csv-text.ts) as
// it pages members out of the database (app/export/members.server.ts, csv-stream.server.ts).
//
// Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins with = + - @ as a
// formula, and some also treat a leading tab or carriage return as a way in. Any text cell of ours
// that begins with one of them (a name, a tag, an e-mail typed by a shopper) is written with a leading
// apostrophe, which spreadsheets show as text. Numbers we write ourselves (amounts, counts) are never
// guarded: "-12.50" would not be a formula in any case, since we only write non-negative amounts.
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import { isoTimestamp } from "~/domain/iso-time";
import { formatMinor } from "~/domain/money";

/** One member as the exporters read it: the customer, their facts, and (later) their predictions. */
export type ExportMember = {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  countryCode: string | null;
  provinceCode: string | null;
  city: string | null;
  tags: string;
  emailMarketingState: string;
  smsMarketingState: string;
  /** When the email consent state held was set (Klaviyo's consented_at). */
  emailConsentAt: Date | null;
  createdAt: Date | null;
  ordersCount: number;
  amountSpentMinor: bigint;
  aovMinor: bigint | null;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  rfmGroup: string | null;
  /**
   * The customer's predictions (CustomerPrediction), read only when a prediction field is asked for
   * (members.server.ts); absent, or all null, when the shop has no fit.
   */
  predictions?: MemberPredictions;
};

export type MemberPredictions = {
  predictedClvMinor: bigint | null;
  pAlive: number | null;
  churnRisk: string | null;
  predictedSpendTier: string | null;
  expectedOrders90d: number | null;
  clusterName: string | null;
};

export type ExportContext = {
  currencyCode: string;
  timeZone: string;
  now: Date;
  lifecycle: { lapsingDays: number; lapsedDays: number; loyalOrders: number };
};

/** A column of the member itself (not its predictions): what a field reads, so that only those are selected. */
export type MemberColumn = Exclude<keyof ExportMember, "id" | "predictions">;

type Field = {
  label: string;
  /** The member's columns the cell reads (besides the id); a test holds each field to its list. */
  reads: readonly MemberColumn[];
  cell: (m: ExportMember, ctx: ExportContext) => string | number | null;
};

const iso = (d: Date | null) => (d ? isoTimestamp(d.getTime()) : null);
/** A model's figure, rounded for a spreadsheet (not more digits than the model can stand for). */
const rounded = (x: number | null | undefined, digits: number) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

/** Every field a merchant may export, in the order they are offered (and written). */
export const FIELDS = {
  customer_id: { label: "Customer ID", reads: [], cell: (m) => m.id },
  email: { label: "Email", reads: ["email"], cell: (m) => m.email },
  first_name: { label: "First name", reads: ["firstName"], cell: (m) => m.firstName },
  last_name: { label: "Last name", reads: ["lastName"], cell: (m) => m.lastName },
  country: { label: "Country", reads: ["countryCode"], cell: (m) => m.countryCode },
  province: { label: "Province", reads: ["provinceCode"], cell: (m) => m.provinceCode },
  city: { label: "City", reads: ["city"], cell: (m) => m.city },
  tags: { label: "Tags", reads: ["tags"], cell: (m) => m.tags },
  email_marketing: { label: "Email marketing", reads: ["emailMarketingState"], cell: (m) => m.emailMarketingState },
  sms_marketing: { label: "SMS marketing", reads: ["smsMarketingState"], cell: (m) => m.smsMarketingState },
  customer_since: { label: "Customer since", reads: ["createdAt"], cell: (m) => iso(m.createdAt) },
  number_of_orders: { label: "Orders", reads: ["ordersCount"], cell: (m) => m.ordersCount },
  amount_spent: {
    label: "Amount spent",
    reads: ["amountSpentMinor"],
    cell: (m, ctx) => formatMinor(m.amountSpentMinor, ctx.currencyCode),
  },
  average_order_value: {
    label: "Average order value",
    reads: ["aovMinor"],
    cell: (m, ctx) => (m.aovMinor === null ? null : formatMinor(m.aovMinor, ctx.currencyCode)),
  },
  first_order_date: { label: "First order", reads: ["firstOrderAt"], cell: (m) => iso(m.firstOrderAt) },
  last_order_date: { label: "Last order", reads: ["lastOrderAt"], cell: (m) => iso(m.lastOrderAt) },
  rfm_group: { label: "RFM group", reads: ["rfmGroup"], cell: (m) => m.rfmGroup },
  lifecycle_stage: {
    label: "Lifecycle stage",
    reads: ["ordersCount", "lastOrderAt"],
    cell: (m, ctx) => lifecycleOf(m, ctx),
  },
  // Predictions (app/models/predictions): empty for a customer without one, and for every customer of a
  // shop whose models have not been fitted.
  predicted_clv: {
    label: "Predicted 12-month value",
    reads: [],
    cell: (m, ctx) =>
      m.predictions?.predictedClvMinor == null ? null : formatMinor(m.predictions.predictedClvMinor, ctx.currencyCode),
  },
  p_alive: { label: "P(alive)", reads: [], cell: (m) => rounded(m.predictions?.pAlive, 4) },
  churn_risk: { label: "Churn risk", reads: [], cell: (m) => m.predictions?.churnRisk ?? null },
  predicted_spend_tier: {
    label: "Predicted spend tier",
    reads: [],
    cell: (m) => m.predictions?.predictedSpendTier ?? null,
  },
  expected_orders_90d: {
    label: "Expected orders (90 days)",
    reads: [],
    cell: (m) => rounded(m.predictions?.expectedOrders90d, 3),
  },
  cluster: { label: "Cluster", reads: [], cell: (m) => m.predictions?.clusterName ?? null },
} satisfies Record<string, Field>;

export type FieldName = keyof typeof FIELDS;

export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** The fields read from CustomerPrediction: asking for one makes the member query join it. */
export const PREDICTION_FIELDS: readonly FieldName[] = [
  "predicted_clv",
  "p_alive",
  "churn_risk",
  "predicted_spend_tier",
  "expected_orders_90d",
  "cluster",
];

export const needsPredictions = (fields: readonly FieldName[]) => fields.some((f) => PREDICTION_FIELDS.includes(f));

/** The member columns these fields read: all an export of them needs to select. */
export const columnsFor = (fields: readonly FieldName[]): MemberColumn[] => [
  ...new Set(fields.flatMap((f) => FIELDS[f].reads)),
];

export const DEFAULT_FIELDS: FieldName[] = [
  "email",
  "first_name",
  "last_name",
  "country",
  "tags",
  "email_marketing",
  "number_of_orders",
  "amount_spent",
  "last_order_date",
  "rfm_group",
  "lifecycle_stage",
];

export type FieldsResult = { ok: true; fields: FieldName[] } | { ok: false; error: string };

/** "email,first_name" (or a list of names) -> the fields, in the order given; unknown names refused. */
export function parseFields(input: string | readonly string[] | null | undefined): FieldsResult {
  const names = (typeof input === "string" ? input.split(",") : (input ?? []))
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (names.length === 0) return { ok: true, fields: [...DEFAULT_FIELDS] };
  const unknown = names.filter((n) => !(n in FIELDS));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 40)));
    return {
      ok: false,
      error: `unknown field${unknown.length > 1 ? "s" : ""} ${shown.join(", ")}: expected some of ${FIELD_NAMES.join(", ")}`,
    };
  }
  return { ok: true, fields: [...new Set(names as FieldName[])] };
}

/** A text cell a spreadsheet would run as a formula, written as text (a leading apostrophe). */
export function guardCell(value: string): string {
  // = + - @ tab CR, by character code: this runs for most cells of a million-row export.
  const first = value.charCodeAt(0);
  return first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13
    ? `'${value}`
    : value;
}

export function headerRow(fields: readonly FieldName[]): string[] {
  return fields.map((f) => FIELDS[f].label);
}

export function memberRow(member: ExportMember, fields: readonly FieldName[], ctx: ExportContext): string[] {
  return fields.map((f) => {
    const value = FIELDS[f].cell(member, ctx);
    if (value === null) return "";
    // Numbers are ours; text may be anyone's.
    return typeof value === "number" ? String(value) : guardCell(value);
  });
}

/**
 * The customer's lifecycle stage, as the segment engine computes it (domain/segments/engine/lifecycle.ts):
 * PROSPECT without orders, LAPSED / LAPSING by the last order's shop-local day, then NEW, REPEAT, LOYAL.
 */
export function lifecycleOf(m: Pick<ExportMember, "ordersCount" | "lastOrderAt">, ctx: ExportContext): string {
  if (m.ordersCount < 1 || !m.lastOrderAt) return "PROSPECT";
  const { lapsedBefore, lapsingBefore } = lifecycleCuts(ctx);
  const last = m.lastOrderAt.getTime();
  if (last < lapsedBefore) return "LAPSED";
  if (last < lapsingBefore) return "LAPSING";
  if (m.ordersCount === 1) return "NEW";
  return m.ordersCount >= ctx.lifecycle.loyalOrders ? "LOYAL" : "REPEAT";
}

// The day starts are the same for every member of an export, and computing one is a time-zone
// conversion (Intl): once per context, not once per member (a million of them).
const cuts = new WeakMap<ExportContext, { lapsedBefore: number; lapsingBefore: number }>();

function lifecycleCuts(ctx: ExportContext): { lapsedBefore: number; lapsingBefore: number } {
  let found = cuts.get(ctx);
  if (!found) {
    const today = localDate(ctx.now, ctx.timeZone);
    found = {
      lapsedBefore: dayStart(addToYmd(today, -ctx.lifecycle.lapsedDays, "d"), ctx.timeZone).getTime(),
      lapsingBefore: dayStart(addToYmd(today, -ctx.lifecycle.lapsingDays, "d"), ctx.timeZone).getTime(),
    };
    cuts.set(ctx, found);
  }
  return found;
}

/** A file name for a segment's export: its name in safe characters, and the day. */
export function csvFileName(segmentName: string, now: Date): string {
  const base =
    segmentName
      .normalize("NFKD")
      .replace(/[^\w -]+/g, "")
      .trim()
      .replace(/\s+/g, "-")
      .slice(0, 60) || "segment";
  return `${base}-${now.toISOString().slice(0, 10)}.csv`;
}
