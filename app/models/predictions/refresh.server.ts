// The nightly refresh of a shop's predictions (the worker's daily pass) and the on-demand one: the
// BG/NBD × Gamma-Gamma fit and every customer's predictions, the backtest, and the clusters. Each step
// stores its own outcome (with its reason when it could not be made); one failing does not stop the
// next.
import type { Db } from "~/db/database.server";
import { runBacktest } from "./backtest.server";
import { clusterShop, type ClusterMethod, type ClusterOutcome } from "./clusters.server";
import { fitShop, recomputePredictionSegments, type FitProgress } from "./fit.server";
import { latestFits } from "./store.server";

/** The method and k of the shop's last clustering (the merchant's choice on the Insights page). */
export async function clusterChoice(
  db: Db,
  { shop }: { shop: string },
): Promise<{ method: ClusterMethod; k: number | undefined }> {
  const { latest } = await latestFits(db, { shop, kind: "clusters" });
  const method = latest?.params.method === "ward" ? "ward" : "kmeans";
  const fixed = latest?.params.fixedK;
  return {
    method,
    k: typeof fixed === "number" && Number.isInteger(fixed) && fixed >= 2 && fixed <= 8 ? fixed : undefined,
  };
}

/** Clusters again with the merchant's method and k (kept for the nightly refit), then the segments that read a cluster. */
export async function reclusterShop(
  db: Db,
  { shop, now, method, k }: { shop: string; now: Date; method: ClusterMethod; k: number | undefined },
): Promise<ClusterOutcome> {
  const outcome = await clusterShop(db, { shop, now, method, k });
  if (outcome.status === "ok") await recomputePredictionSegments(db, { shop, now });
  return outcome;
}

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
    // The method and k the merchant chose last time (k-means, k by silhouette, until they choose).
    await clusterShop(db, { shop, now, ...(await clusterChoice(db, { shop })) });
  });
  if (recompute) await recomputePredictionSegments(db, { shop, now });
  if (errors.length > 0) throw errors[0];
}
