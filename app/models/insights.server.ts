// What the insights page reads: figures whose every cell is a segment query, counted in one pass by the
// segment engine's own SQL (compile-sql), so that a cell's count is, by construction, the number of
// customers its query selects when it is opened as a segment preview. The fits, backtest and cluster
// profiles come from ModelFit (app/models/predictions/store.server.ts). The home dashboard's series are
// in dashboard.server.ts.
import type { Db, Executor } from "~/db/database.server";
import { bigint, decoder, int, join, nullable, raw, sql } from "~/db/sql";
import { displayMoney, formatMinor } from "~/domain/money";
import { DEFAULT_LIFECYCLE, prepare, type EngineContext, type LifecycleThresholds } from "~/domain/segments/engine";
import { lifecycleStages } from "~/domain/segments/group-names";
import { compileSql, CUSTOMERS_FROM } from "~/models/segments/compile-sql";
import { parseQuery, shopContext } from "~/models/segments/rules.server";
import { modelSettings } from "./predictions/settings.server";
import { latestFits, type StoredFit } from "./predictions/store.server";

/** One figure's cell: its label, the segment query behind it, and how many customers that selects. */
export type Cell = { label: string; query: string; count: number };

export const RECENCY_BINS = [
  { label: "0–30 days", query: "days_since_last_order <= 30" },
  { label: "31–90 days", query: "days_since_last_order >= 31 AND days_since_last_order <= 90" },
  { label: "91–180 days", query: "days_since_last_order >= 91 AND days_since_last_order <= 180" },
  { label: "181–365 days", query: "days_since_last_order >= 181 AND days_since_last_order <= 365" },
  { label: "over a year", query: "days_since_last_order >= 366" },
] as const;

export const FREQUENCY_BINS = [
  { label: "1 order", query: "number_of_orders = 1" },
  { label: "2 orders", query: "number_of_orders = 2" },
  { label: "3 orders", query: "number_of_orders = 3" },
  { label: "4–5 orders", query: "number_of_orders >= 4 AND number_of_orders <= 5" },
  { label: "6+ orders", query: "number_of_orders >= 6" },
] as const;

/** Lifecycle stages, named as everywhere (domain/segments/group-names.ts), with the shop's thresholds. */
const stagesOf = (lifecycle: LifecycleThresholds) =>
  lifecycleStages(lifecycle).map((s) => ({ label: `${s.label} (${s.rule})`, query: `lifecycle_stage = '${s.stage}'` }));

const CHURN = [
  { label: "Low risk", query: "churn_risk = 'LOW'" },
  { label: "Medium risk", query: "churn_risk = 'MEDIUM'" },
  { label: "High risk", query: "churn_risk = 'HIGH'" },
];

const TIERS = [
  { label: "High", query: "predicted_spend_tier = 'HIGH'" },
  { label: "Medium", query: "predicted_spend_tier = 'MEDIUM'" },
  { label: "Low", query: "predicted_spend_tier = 'LOW'" },
];

/**
 * How many customers each query selects, all in one statement over the shop's customers: each query a
 * SUM of its compiled rule. Queries are the code's own (the figures above); a bad one is a bug.
 */
export async function countQueries(
  db: Executor,
  { shop, ctx, queries }: { shop: string; ctx: EngineContext; queries: readonly string[] },
): Promise<number[]> {
  if (queries.length === 0) return [];
  const sums = queries.map((query, i) => {
    const parsed = parseQuery(query, ctx);
    if (!parsed.ok) throw new Error(`insight query ${query}: ${parsed.error}`);
    const prepared = prepare(parsed.rule, ctx);
    if (!prepared.ok) throw new Error(`insight query ${query}: ${prepared.error}`);
    return sql`SUM(CASE WHEN ${compileSql(prepared.prepared, db.dialect)} THEN 1 ELSE 0 END) AS ${raw(`"q${i}"`)}`;
  });
  const [row] = await db.all(sql`SELECT ${join(sums)} ${CUSTOMERS_FROM} WHERE c."shop" = ${shop}`);
  return queries.map((_, i) => int(row?.[`q${i}`] ?? 0));
}

export type RfmGrid = { recency: string[]; frequency: string[]; cells: Cell[][] };

export type Insights = {
  currencyCode: string;
  customers: number;
  grid: RfmGrid;
  lifecycle: Cell[];
  churn: Cell[];
  tiers: Cell[];
  clv: Cell[];
  fits: { bgnbd: FitView | null; gg: FitView | null; clusters: FitView | null; backtest: FitView | null };
  /** The shop's discount rate now (Settings); the stored CLV used the one in fits.bgnbd.params. */
  discountRatePercent: number;
  lastFailure: { kind: string; reason: string; at: string } | null;
};

export type FitView = {
  status: string;
  reason: string | null;
  fittedAt: string;
  n: number;
  params: Record<string, unknown>;
  logLik: number | null;
  iterations: number | null;
  converged: boolean | null;
  details: unknown;
};

function view(fit: StoredFit | null): FitView | null {
  if (!fit) return null;
  return {
    status: fit.status,
    reason: fit.reason,
    fittedAt: fit.fittedAt.toISOString(),
    n: fit.n,
    params: fit.params,
    logLik: fit.logLik,
    iterations: fit.iterations,
    converged: fit.converged,
    details: fit.details,
  };
}

/** CLV buckets: round bounds (1, 2, 5 × 10^k in major units) up to the shop's largest prediction. */
export function clvBounds(maxMinor: bigint, exponent: number): bigint[] {
  const unit = 10n ** BigInt(exponent);
  const steps: bigint[] = [];
  for (let k = 0n; k < 12n; k++) for (const m of [1n, 2n, 5n]) steps.push(m * 10n ** k * unit);
  const within = steps.filter((s) => s <= maxMinor);
  const picked = within.slice(-5);
  return picked.length > 0 ? picked : [unit];
}

export async function insights(db: Db, { shop, now }: { shop: string; now: Date }): Promise<Insights> {
  const ctx = await shopContext(db, { shop, now });
  const [clvRange] = await db.all(
    sql`SELECT MAX("predictedClvMinor") AS "max", COUNT(*) AS "n" FROM "CustomerPrediction" WHERE "shop" = ${shop}`,
    decoder({ max: nullable(bigint), n: int }),
  );
  const exponent = formatMinor(1n, ctx.currencyCode).split(".")[1]?.length ?? 0;
  const bounds = clvBounds(clvRange?.max ?? 0n, exponent);
  const money = (minor: bigint) => formatMinor(minor, ctx.currencyCode);
  // Labels in the shop's currency with separators ("$1,200.00"); the queries in the language's plain amounts.
  const shown = (minor: bigint) => displayMoney(minor, ctx.currencyCode);
  const clvCells = [
    { label: `under ${shown(bounds[0]!)}`, query: `predicted_clv < ${money(bounds[0]!)}` },
    ...bounds.map((low, i) =>
      i + 1 < bounds.length
        ? {
            label: `${shown(low)}–${shown(bounds[i + 1]!)}`,
            query: `predicted_clv >= ${money(low)} AND predicted_clv < ${money(bounds[i + 1]!)}`,
          }
        : { label: `${shown(low)} or more`, query: `predicted_clv >= ${money(low)}` },
    ),
  ];
  const stages = stagesOf(ctx.lifecycle ?? DEFAULT_LIFECYCLE);
  const gridQueries = RECENCY_BINS.flatMap((r) => FREQUENCY_BINS.map((f) => `${r.query} AND ${f.query}`));
  const all = [
    ...gridQueries,
    ...stages.map((s) => s.query),
    ...CHURN.map((s) => s.query),
    ...TIERS.map((s) => s.query),
    ...clvCells.map((s) => s.query),
  ];
  const counts = await countQueries(db, { shop, ctx, queries: all });
  let at = 0;
  const take = (items: readonly { label: string; query: string }[]): Cell[] =>
    items.map((item) => ({ ...item, count: counts[at++]! }));
  const grid: RfmGrid = {
    recency: RECENCY_BINS.map((r) => r.label),
    frequency: FREQUENCY_BINS.map((f) => f.label),
    cells: RECENCY_BINS.map((r) =>
      take(FREQUENCY_BINS.map((f) => ({ label: `${r.label}, ${f.label}`, query: `${r.query} AND ${f.query}` }))),
    ),
  };
  const lifecycle = take(stages);
  const churn = take(CHURN);
  const tiers = take(TIERS);
  const clv = take(clvCells);
  const customers = await db.prisma.customer.count({ where: { shop } });
  const fits = {
    bgnbd: await latestFits(db, { shop, kind: "bgnbd" }),
    gg: await latestFits(db, { shop, kind: "gg" }),
    clusters: await latestFits(db, { shop, kind: "clusters" }),
    backtest: await latestFits(db, { shop, kind: "backtest" }),
  };
  const failures = Object.values(fits)
    .map((f) => f.latest)
    .filter((f): f is StoredFit => f !== null && f.status !== "ok");
  const lastFailure = failures.sort((a, b) => b.fittedAt.getTime() - a.fittedAt.getTime())[0];
  return {
    currencyCode: ctx.currencyCode,
    customers,
    grid,
    lifecycle,
    churn,
    tiers,
    clv,
    fits: {
      bgnbd: view(fits.bgnbd.lastOk),
      gg: view(fits.gg.lastOk),
      clusters: view(fits.clusters.lastOk),
      backtest: view(fits.backtest.latest),
    },
    discountRatePercent: (await modelSettings(db, { shop })).discountRatePercent,
    lastFailure: lastFailure
      ? { kind: lastFailure.kind, reason: lastFailure.reason ?? "", at: lastFailure.fittedAt.toISOString() }
      : null,
  };
}
