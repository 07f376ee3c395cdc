// "How good are these predictions for your shop": the BG/NBD model refitted on the shop's orders up to
// a cut-off, its expected repeat purchases in the held-out days compared with what the customers did,
// in total, week by week (cumulative, as Fader, Hardie & Lee's CDNOW figure) and per group of customers
// by their repeat purchases before the cut-off. Stored as a ModelFit of kind "backtest".
import type { Executor } from "~/db/database.server";
import { epochDayExpr } from "~/db/database.server";
import { decoder, int, raw, sql, text } from "~/db/sql";
import { expectedPurchases, fitBgNbd, type BgNbdParams } from "~/domain/models/bgnbd";
import { saveFit } from "./store.server";
import { dayOf, loadSummaries, type CustomerSummary } from "./summary.server";

/** A quarter of a year held out unless the merchant says otherwise. */
export const DEFAULT_HOLDOUT_DAYS = 91;
const DAY_MS = 86_400_000;

export type BacktestGroup = { repeatPurchases: string; customers: number; expected: number; actual: number };
export type BacktestPoint = { day: number; expected: number; actual: number };

export type Backtest = {
  status: "ok" | "insufficient";
  reason: string | null;
  cutoff: string; // YYYY-MM-DD, the last calibration day
  end: string; // YYYY-MM-DD, the last held-out day
  holdoutDays: number;
  customers: number;
  params: BgNbdParams | null;
  expected: number;
  actual: number;
  /** (expected − actual) / actual; null when nobody bought in the held-out days. */
  relativeError: number | null;
  /** Mean over customers of |expected − actual| repeat purchases. */
  meanAbsoluteError: number | null;
  cumulative: BacktestPoint[];
  groups: BacktestGroup[];
  summary: string;
};

const ymd = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Repeat-purchase days of each customer within (cutDay, endDay], same-day orders once. */
async function holdoutDays(
  db: Executor,
  { shop, cutDay, endDay }: { shop: string; cutDay: number; endDay: number },
): Promise<{ customerId: string; day: number }[]> {
  const day = raw(epochDayExpr(db.dialect, `o."processedAt"`));
  const at = (ms: number) => (db.dialect === "sqlite" ? ms : new Date(ms));
  return db.all(
    sql`SELECT o."customerId" AS "customerId", ${day} AS "day" FROM "Order" o
       WHERE o."shop" = ${shop} AND o."customerId" IS NOT NULL AND o."test" = false AND o."cancelledAt" IS NULL
         AND o."processedAt" >= ${at((cutDay + 1) * DAY_MS)} AND o."processedAt" < ${at((endDay + 1) * DAY_MS)}
       GROUP BY o."customerId", ${day}`,
    decoder({ customerId: text, day: int }),
  );
}

const GROUPS = ["0", "1", "2", "3", "4", "5", "6", "7+"];
const groupOf = (x: number) => GROUPS[Math.min(x, 7)]!;

export async function runBacktest(
  db: Executor,
  {
    shop,
    now,
    holdout = DEFAULT_HOLDOUT_DAYS,
    save = true,
  }: { shop: string; now: Date; holdout?: number; save?: boolean },
): Promise<Backtest> {
  if (!Number.isInteger(holdout) || holdout < 7 || holdout > 3650)
    throw new RangeError(`the held-out period must be a whole number of days from 7 to 3650, got ${holdout}`);
  const endDay = dayOf(now);
  const cutDay = endDay - holdout;
  const calibration = await loadSummaries(db, { shop, endDay: cutDay });
  const empty = {
    cutoff: ymd(cutDay),
    end: ymd(endDay),
    holdoutDays: holdout,
    customers: calibration.length,
    params: null,
    expected: 0,
    actual: 0,
    relativeError: null,
    meanAbsoluteError: null,
    cumulative: [],
    groups: [],
  };
  const fit = fitBgNbd(calibration);
  let result: Backtest;
  if (!fit.ok) {
    result = {
      ...empty,
      status: "insufficient",
      reason: fit.reason,
      summary: `Not enough data before ${ymd(cutDay)} to test the predictions yet: ${fit.reason}.`,
    };
  } else {
    result = compare(calibration, fit.params, await holdoutDays(db, { shop, cutDay, endDay }), {
      cutDay,
      endDay,
      holdout,
    });
  }
  if (save) {
    await saveFit(db, {
      shop,
      fit: {
        kind: "backtest",
        status: result.status,
        reason: result.reason,
        fittedAt: now,
        windowStart: null,
        windowEnd: new Date(cutDay * DAY_MS),
        n: calibration.length,
        params: result.params ?? {},
        logLik: fit.ok ? fit.logLikelihood : null,
        iterations: fit.ok ? fit.iterations : null,
        converged: fit.ok ? fit.converged : null,
        details: result,
        durationMs: null,
      },
    });
  }
  return result;
}

function compare(
  calibration: readonly CustomerSummary[],
  params: BgNbdParams,
  purchases: readonly { customerId: string; day: number }[],
  { cutDay, endDay, holdout }: { cutDay: number; endDay: number; holdout: number },
): Backtest {
  const known = new Map(calibration.map((s) => [s.customerId, s]));
  const actualOf = new Map<string, number>();
  const perDay = new Array<number>(holdout + 1).fill(0);
  for (const p of purchases) {
    if (!known.has(p.customerId)) continue; // first bought after the cut-off: not in the test
    actualOf.set(p.customerId, (actualOf.get(p.customerId) ?? 0) + 1);
    perDay[p.day - cutDay] = (perDay[p.day - cutDay] ?? 0) + 1;
  }
  // Customers with the same (x, t_x, T) share their expectations: computed once per distinct summary.
  const distinct = new Map<string, { row: CustomerSummary; count: number }>();
  for (const s of calibration) {
    const key = `${s.x}:${s.tx}:${s.T}`;
    const seen = distinct.get(key);
    if (seen) seen.count++;
    else distinct.set(key, { row: s, count: 1 });
  }
  const weeks: number[] = [];
  for (let d = 7; d < holdout; d += 7) weeks.push(d);
  weeks.push(holdout);
  const expectedAt = new Array<number>(weeks.length).fill(0);
  const expectedOfKey = new Map<string, number>();
  for (const [key, { row, count }] of distinct) {
    for (let w = 0; w < weeks.length; w++) {
      const e = expectedPurchases(params, weeks[w]!, row);
      expectedAt[w]! += e * count;
      if (w === weeks.length - 1) expectedOfKey.set(key, e);
    }
  }
  let running = 0;
  let w = 0;
  const cumulative: BacktestPoint[] = [];
  for (let d = 1; d <= holdout; d++) {
    running += perDay[d] ?? 0;
    if (d === weeks[w]) {
      cumulative.push({ day: d, expected: round(expectedAt[w]!), actual: running });
      w++;
    }
  }
  const groups = new Map<string, BacktestGroup>(
    GROUPS.map((g) => [g, { repeatPurchases: g, customers: 0, expected: 0, actual: 0 }]),
  );
  let absolute = 0;
  for (const s of calibration) {
    const e = expectedOfKey.get(`${s.x}:${s.tx}:${s.T}`)!;
    const a = actualOf.get(s.customerId) ?? 0;
    absolute += Math.abs(e - a);
    const g = groups.get(groupOf(s.x))!;
    g.customers++;
    g.expected += e;
    g.actual += a;
  }
  const expected = expectedAt[expectedAt.length - 1] ?? 0;
  const actual = running;
  const relativeError = actual > 0 ? (expected - actual) / actual : null;
  return {
    status: "ok",
    reason: null,
    cutoff: ymd(cutDay),
    end: ymd(endDay),
    holdoutDays: holdout,
    customers: calibration.length,
    params,
    expected: round(expected),
    actual,
    relativeError,
    meanAbsoluteError: calibration.length > 0 ? absolute / calibration.length : null,
    cumulative,
    groups: [...groups.values()]
      .filter((g) => g.customers > 0)
      .map((g) => ({ ...g, expected: round(g.expected / g.customers), actual: round(g.actual / g.customers) })),
    summary: plainWords(expected, actual, holdout, ymd(cutDay)),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The error as a merchant reads it. */
export function plainWords(expected: number, actual: number, holdout: number, cutoff: string): string {
  const e = Math.round(expected).toLocaleString("en-US");
  const a = actual.toLocaleString("en-US");
  const head = `Fitted on your orders up to ${cutoff}, the model expected ${e} repeat orders in the ${holdout} days after; your customers placed ${a}.`;
  if (actual === 0) return `${head} Nobody bought again in that time, so there is no error to measure yet.`;
  const off = (expected - actual) / actual;
  const pct = Math.round(Math.abs(off) * 100);
  if (pct === 0) return `${head} That is within 1%.`;
  return `${head} That is ${pct}% ${off > 0 ? "too high" : "too low"}.`;
}
