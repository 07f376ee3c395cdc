// The nightly work, step by step: the steps that concern every shop at once (inbox and export data
// past their retention), then each installed shop's own (browsing past its retention, RFM, the
// predictions' refit, every segment recomputed, the recommendation lists). Each step is guarded on
// its own: one that throws is logged with its shop and name and reported, and the steps after it
// still run (a failed browsing purge must not cost the shop its segments and recommendations). The
// worker runs it once a day per shop (worker.server.ts); `tailored daily` runs it now and exits 1 when
// a step failed.
import type { Db } from "~/db/database.server";
import { pruneExportData } from "~/export/erasure.server";
import { refreshPredictions } from "~/models/predictions/refresh.server";
import { refreshRecommendations } from "~/models/recommendations-refresh.server";
import { refreshRfm } from "~/models/rfm.server";
import { recomputeAll } from "~/models/segments/recompute.server";
import { purgeExpiredBrowsing } from "~/pixel/retention.server";
import { pruneInbox } from "./inbox.server";

export type DailyStep = {
  /** How the step is named in the log and the report. */
  name: string;
  run(db: Db, at: { shop: string; now: Date }): Promise<unknown>;
};

export type GlobalDailyStep = { name: string; run(db: Db, at: { now: Date }): Promise<unknown> };

/** A step that threw: its shop (null for the steps over every shop), its name and the error's message. */
export type DailyStepFailure = { shop: string | null; step: string; error: string };

/** Steps over every shop, before the shops' own. */
export const GLOBAL_DAILY_STEPS: readonly GlobalDailyStep[] = [
  // Applied events and long-failed ones.
  { name: "inbox-retention", run: (db, { now }) => pruneInbox(db, { now }) },
  // Membership history past its retention, old privacy reports and finished export jobs.
  { name: "export-retention", run: (db, { now }) => pruneExportData(db, { now }) },
];

/** A shop's steps, in the order they run. */
export const SHOP_DAILY_STEPS: readonly DailyStep[] = [
  // Browsing past its retention period goes before segments are recomputed without it.
  { name: "browsing-retention", run: (db, { shop, now }) => purgeExpiredBrowsing(db, { shop, now }) },
  // New quintiles: groups move as the shop's customers do.
  { name: "rfm", run: (db, { shop }) => refreshRfm(db, { shop }) },
  // The models refitted on the day's orders before the segments are recomputed, so that those reading
  // a prediction follow it. Each of its parts stores its own outcome (a failed fit with its reason).
  { name: "predictions", run: (db, { shop, now }) => refreshPredictions(db, { shop, now }) },
  {
    // Rules with relative dates ("last_order_date < -90d") change meaning as days pass without events.
    name: "segments",
    run: async (db, { shop, now }) => {
      const results = await recomputeAll(db, { shop, now });
      // One segment that cannot be computed does not stop the others; it is marked on the Segments page
      // (computeError), so it is not the step's failure.
      for (const r of results)
        if (r.error) console.warn(`[segments] ${shop}: segment ${r.segmentId} not computed: ${r.error}`);
    },
  },
  // After the segments, whose members' top sellers it computes.
  { name: "recommendations", run: (db, { shop, now }) => refreshRecommendations(db, { shop, now }) },
];

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function guarded(
  shop: string | null,
  step: string,
  work: () => Promise<unknown>,
  failed: DailyStepFailure[],
): Promise<void> {
  try {
    await work();
  } catch (error) {
    console.error(`[daily] ${shop ?? "every shop"}: step ${step} failed:`, error);
    failed.push({ shop, step, error: message(error) });
  }
}

/** The steps over every shop; each failure is logged and returned, none stops the next. */
export async function runGlobalDailySteps(
  db: Db,
  { now, steps = GLOBAL_DAILY_STEPS }: { now: Date; steps?: readonly GlobalDailyStep[] },
): Promise<DailyStepFailure[]> {
  const failed: DailyStepFailure[] = [];
  for (const step of steps) await guarded(null, step.name, () => step.run(db, { now }), failed);
  return failed;
}

/** One shop's steps, in order; each failure is logged and returned, none stops the next. */
export async function runShopDailyPass(
  db: Db,
  { shop, now, steps = SHOP_DAILY_STEPS }: { shop: string; now: Date; steps?: readonly DailyStep[] },
): Promise<DailyStepFailure[]> {
  const failed: DailyStepFailure[] = [];
  for (const step of steps) await guarded(shop, step.name, () => step.run(db, { shop, now }), failed);
  return failed;
}

/** The shops the daily pass is for: installed ones. */
export async function dailyPassShops(db: Db): Promise<string[]> {
  const shops = await db.prisma.shop.findMany({
    where: { uninstalledAt: null },
    select: { domain: true },
    orderBy: { domain: "asc" },
  });
  return shops.map((s) => s.domain);
}
