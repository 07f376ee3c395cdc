// The nightly refresh of a shop's predictions (the worker's daily pass) and the on-demand one: the
// BG/NBD × Gamma-Gamma fit and every customer's predictions, the backtest, and the clusters. Each step
// stores its own outcome (with its reason when it could not be made); one failing does not stop the
// next.
import type { Db } from "~/db/database.server";
import { runBacktest } from "./backtest.server";
import { clusterShop } from "./clusters.server";
import { fitShop, recomputePredictionSegments, type FitProgress } from "./fit.server";

export async function refreshPredictions(
  db: Db,
  {
    shop,
    now,
    recompute = false,
    onProgress,
  }: {
    shop: string;
    now: Date;
    recompute?: boolean;
    onProgress?: (p: FitProgress | { stage: "backtest" | "clusters" }) => void;
  },
): Promise<void> {
  const errors: unknown[] = [];
  const step = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      errors.push(error);
    }
  };
  await step(() => fitShop(db, { shop, now, onProgress, recompute: false }));
  await step(async () => {
    onProgress?.({ stage: "backtest" });
    await runBacktest(db, { shop, now });
  });
  await step(async () => {
    onProgress?.({ stage: "clusters" });
    await clusterShop(db, { shop, now });
  });
  if (recompute) await recomputePredictionSegments(db, { shop, now });
  if (errors.length > 0) throw errors[0];
}
