// Reading summary CSVs for the `models fit-bgnbd` / `models fit-gg` commands: a header line naming the
// columns (others are ignored), one customer per line. Pure: text in, rows or the first problem with its
// line number out.
import { invalidBgNbdRow, type BgNbdRow } from "./bgnbd";
import { invalidGammaGammaRow, type GammaGammaRow } from "./gamma-gamma";

export type CsvResult<T> = { ok: true; rows: T[] } | { ok: false; error: string };

type Table = { header: string[]; lines: { number: number; fields: string[] }[] };

function splitLine(line: string): string[] {
  return line.split(",").map((field) => field.trim().replace(/^"(.*)"$/, "$1"));
}

function table(text: string): Table | string {
  const raw = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const headerAt = raw.findIndex((line) => line.trim() !== "");
  if (headerAt < 0) return "line 1: the file is empty; expected a header line";
  const header = splitLine(raw[headerAt]!);
  const lines: Table["lines"] = [];
  for (let i = headerAt + 1; i < raw.length; i++) {
    if (raw[i]!.trim() === "") continue;
    const fields = splitLine(raw[i]!);
    if (fields.length !== header.length) {
      return `line ${i + 1}: expected ${header.length} fields as in the header, got ${fields.length}`;
    }
    lines.push({ number: i + 1, fields });
  }
  return { header, lines };
}

/** The index of the first of `names` in the header, or null. */
function column(header: string[], names: string[]): number | null {
  for (const name of names) {
    const at = header.indexOf(name);
    if (at >= 0) return at;
  }
  return null;
}

function numberAt(fields: string[], at: number, name: string, line: number): number | string {
  const text = fields[at]!;
  const value = text === "" ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : `line ${line}: ${name} is not a number: "${text}"`;
}

/** Columns frequency, recency, T (or x, t_x, T), any time unit. */
export function parseBgNbdCsv(text: string): CsvResult<BgNbdRow> {
  const t = table(text);
  if (typeof t === "string") return { ok: false, error: t };
  const cols = [
    ["frequency", column(t.header, ["frequency", "x"])],
    ["recency", column(t.header, ["recency", "t_x"])],
    ["T", column(t.header, ["T"])],
  ] as const;
  const missing = cols.filter(([, at]) => at === null).map(([name]) => name);
  if (missing.length) {
    return { ok: false, error: `line 1: the header needs columns frequency,recency,T; missing ${missing.join(", ")}` };
  }
  const rows: BgNbdRow[] = [];
  for (const { number, fields } of t.lines) {
    const values: number[] = [];
    for (const [name, at] of cols) {
      const v = numberAt(fields, at!, name, number);
      if (typeof v === "string") return { ok: false, error: v };
      values.push(v);
    }
    const row = { x: values[0]!, tx: values[1]!, T: values[2]! };
    const problem = invalidBgNbdRow(row);
    if (problem) return { ok: false, error: `line ${number}: ${problem}` };
    rows.push(row);
  }
  return { ok: true, rows };
}

/** Columns frequency, monetary_value (or x, zbar); customers with frequency 0 are left out. */
export function parseGammaGammaCsv(text: string): CsvResult<GammaGammaRow> {
  const t = table(text);
  if (typeof t === "string") return { ok: false, error: t };
  const x = column(t.header, ["frequency", "x"]);
  const m = column(t.header, ["monetary_value", "zbar"]);
  if (x === null || m === null) {
    return { ok: false, error: "line 1: the header needs columns frequency,monetary_value (or x,zbar)" };
  }
  const rows: GammaGammaRow[] = [];
  for (const { number, fields } of t.lines) {
    const xv = numberAt(fields, x, "frequency", number);
    if (typeof xv === "string") return { ok: false, error: xv };
    const mv = numberAt(fields, m, "monetary_value", number);
    if (typeof mv === "string") return { ok: false, error: mv };
    if (xv === 0) continue;
    const problem = invalidGammaGammaRow({ x: xv, m: mv });
    if (problem) return { ok: false, error: `line ${number}: ${problem}` };
    rows.push({ x: xv, m: mv });
  }
  return { ok: true, rows };
}
