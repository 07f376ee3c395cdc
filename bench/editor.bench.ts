// The query editor's per-keystroke work, in the browser's place: for queries of growing length (up to
// the language's cap), the completions at every caret position (`completionsAt`), the parse whose
// errors are underlined, and the "matches nobody" findings (`vocabularyLiterals`, `emptyRanges`) the
// preview adds for a query that counts no one. All pure; the target is well under a frame (16 ms) per
// keystroke at any length a merchant writes. BENCH_EDITOR_CONDITIONS sets the sizes (conditions per query).
import { performance } from "node:perf_hooks";
import { emptyRanges, vocabularyLiterals } from "~/domain/segments/hints";
import { parse } from "~/domain/segments/query-language";
import { completionsAt } from "~/domain/segments/query-language/completion";
import { machine, today, writeSection } from "./lib";

const PARTS = [
  "amount_spent >= 100",
  "customer_tags CONTAINS 'vip'",
  "products_purchased MATCHES (product_type = 'Coffee Beans', date >= -90d)",
  "last_order_date BETWEEN -6m AND -30d",
  "rfm_group = 'AT_RISK'",
];

function build(conditions: number): string {
  const parts: string[] = [];
  for (let i = 0; i < conditions; i++) parts.push(PARTS[i % PARTS.length]!);
  return parts.join(" AND ");
}

type Row = {
  conditions: number;
  chars: number;
  completionMeanUs: number;
  completionMaxUs: number;
  parseUs: number;
  hintsUs: number;
};

function measure(conditions: number): Row {
  const text = build(conditions);
  // Every caret position, as if the merchant had typed the query one character at a time.
  let total = 0;
  let max = 0;
  for (let caret = 0; caret <= text.length; caret++) {
    const t0 = performance.now();
    completionsAt(text, caret);
    const dt = performance.now() - t0;
    total += dt;
    if (dt > max) max = dt;
  }
  const p0 = performance.now();
  const parsed = parse(text);
  const p1 = performance.now();
  if (!parsed.ok) throw new Error(`the benchmark's query does not parse: ${parsed.errors[0]?.message}`);
  vocabularyLiterals(parsed.rule);
  emptyRanges(parsed.rule, "2026-06-30");
  const p2 = performance.now();
  return {
    conditions,
    chars: text.length,
    completionMeanUs: (total / (text.length + 1)) * 1000,
    completionMaxUs: max * 1000,
    parseUs: (p1 - p0) * 1000,
    hintsUs: (p2 - p1) * 1000,
  };
}

export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_EDITOR_CONDITIONS ?? "5,50,200").split(",").map(Number);
  measure(5); // warm up
  const rows = sizes.map(measure);
  for (const r of rows) console.log(JSON.stringify(r));
  const us = (v: number) => `${v.toFixed(0)} µs`;
  writeSection(
    "editor",
    `## Query editor, per keystroke (\`npm run bench -- editor\`)

${today()}, ${machine()}. Pure functions the editor runs as the merchant types: the completions at each
caret position of a query typed one character at a time (mean and worst), then the parse whose
errors are underlined and the "matches nobody" findings, once, on the whole query.

| conditions | characters | completion, mean | completion, worst | parse | findings |
| ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((r) => `| ${r.conditions} | ${r.chars} | ${us(r.completionMeanUs)} | ${us(r.completionMaxUs)} | ${us(r.parseUs)} | ${us(r.hintsUs)} |`).join("\n")}
`,
  );
}
