// A segment's members as CSV rows: which fields a merchant may pick, each member as cells, and the
// guard against formula injection. Pure: the route streams the rows through csv-stringify (RFC 4180
// quoting) as it pages members out of the database (app/export/members.server.ts).
//
// Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins with = + - @ as a
// formula, and some also treat a leading tab or carriage return as a way in. Any text cell of ours
// that begins with one of them (a name, a tag, an e-mail typed by a shopper) is written with a leading
// apostrophe, which spreadsheets show as text. Numbers we write ourselves (amounts, counts) are never
// guarded: "-12.50" would not be a formula in any case, since we only write non-negative amounts.
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
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

type Field = { label: string; cell: (m: ExportMember, ctx: ExportContext) => string | number | null };

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** A model's figure, rounded for a spreadsheet (not more digits than the model can stand for). */
const rounded = (x: number | null | undefined, digits: number) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

/** Every field a merchant may export, in the order they are offered (and written). */
export const FIELDS = {
  customer_id: { label: "Customer ID", cell: (m) => m.id },
  email: { label: "Email", cell: (m) => m.email },
  first_name: { label: "First name", cell: (m) => m.firstName },
  last_name: { label: "Last name", cell: (m) => m.lastName },
  country: { label: "Country", cell: (m) => m.countryCode },
  province: { label: "Province", cell: (m) => m.provinceCode },
  city: { label: "City", cell: (m) => m.city },
  tags: { label: "Tags", cell: (m) => m.tags },
  email_marketing: { label: "Email marketing", cell: (m) => m.emailMarketingState },
  sms_marketing: { label: "SMS marketing", cell: (m) => m.smsMarketingState },
  customer_since: { label: "Customer since", cell: (m) => iso(m.createdAt) },
  number_of_orders: { label: "Orders", cell: (m) => m.ordersCount },
  amount_spent: { label: "Amount spent", cell: (m, ctx) => formatMinor(m.amountSpentMinor, ctx.currencyCode) },
  average_order_value: {
    label: "Average order value",
    cell: (m, ctx) => (m.aovMinor === null ? null : formatMinor(m.aovMinor, ctx.currencyCode)),
  },
  first_order_date: { label: "First order", cell: (m) => iso(m.firstOrderAt) },
  last_order_date: { label: "Last order", cell: (m) => iso(m.lastOrderAt) },
  rfm_group: { label: "RFM group", cell: (m) => m.rfmGroup },
  lifecycle_stage: { label: "Lifecycle stage", cell: (m, ctx) => lifecycleOf(m, ctx) },
  // Predictions (app/models/predictions): empty for a customer without one, and for every customer of a
  // shop whose models have not been fitted.
  predicted_clv: {
    label: "Predicted 12-month value",
    cell: (m, ctx) =>
      m.predictions?.predictedClvMinor == null ? null : formatMinor(m.predictions.predictedClvMinor, ctx.currencyCode),
  },
  p_alive: { label: "P(alive)", cell: (m) => rounded(m.predictions?.pAlive, 4) },
  churn_risk: { label: "Churn risk", cell: (m) => m.predictions?.churnRisk ?? null },
  predicted_spend_tier: { label: "Predicted spend tier", cell: (m) => m.predictions?.predictedSpendTier ?? null },
  expected_orders_90d: {
    label: "Expected orders (90 days)",
    cell: (m) => rounded(m.predictions?.expectedOrders90d, 3),
  },
  cluster: { label: "Cluster", cell: (m) => m.predictions?.clusterName ?? null },
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

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet would run as a formula, written as text (a leading apostrophe). */
export function guardCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
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
 * csv-stringify's options for RFC 4180: CRLF between records, and a field holding a line break quoted.
 * With CRLF records csv-stringify quotes only a field holding CRLF itself, not a lone LF or CR, which a
 * spreadsheet would then read as the end of a record (a tag or a city with a line break in it).
 */
export function csvOptions(): { record_delimiter: "windows"; quoted_match: RegExp } {
  return { record_delimiter: "windows", quoted_match: /[\r\n]/ };
}

/** U+FEFF, so that spreadsheets (Excel) read the file as UTF-8. */
export const UTF8_BOM = "\uFEFF";

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
