// One call for the insights wiring: customers in plain units -> features -> k-means++ (default) or Ward
// -> k (given, or by silhouette over 2..8) -> labels, profiles with names, a 2-D view, and for Ward the
// merge list of its dendrogram.
import { buildFeatures, type CustomerActivity } from "./features";
import { chooseK, kmeans, silhouette } from "./kmeans";
import { profileClusters, type ClusterProfile } from "./profile";
import { project2d, type Projection } from "./projection";
import { ward, wardLabels, type WardMerge } from "./ward";

export type ClusterMethod = "kmeans" | "ward";

export type ClusterOptions = {
  method?: ClusterMethod;
  /** Fixed by the merchant; otherwise chosen by silhouette over 2..8. */
  k?: number;
  seed?: number;
  /** Ward's sample (default 2,000). */
  sampleSize?: number;
};

export type Clustering =
  | { ok: false; reason: string }
  | {
      ok: true;
      method: ClusterMethod;
      k: number;
      labels: Int32Array;
      profiles: ClusterProfile[];
      /** Mean silhouette of the result, and of each k tried when k was chosen. */
      silhouette: number;
      scores: { k: number; silhouette: number }[];
      features: string[];
      projection: Projection;
      /** Ward only: the dendrogram of the sample (indexes into the customers in `wardSample`). */
      merges?: WardMerge[];
      wardSample?: Int32Array;
    };

export const MIN_CUSTOMERS_TO_CLUSTER = 20;

export function clusterCustomers(customers: readonly CustomerActivity[], options: ClusterOptions = {}): Clustering {
  const method = options.method ?? "kmeans";
  const seed = options.seed ?? 42;
  const n = customers.length;
  if (n < MIN_CUSTOMERS_TO_CLUSTER) {
    return {
      ok: false,
      reason: `not enough customers to cluster yet: ${n}, at least ${MIN_CUSTOMERS_TO_CLUSTER} are needed`,
    };
  }
  if (options.k !== undefined && (!Number.isInteger(options.k) || options.k < 2 || options.k > 20)) {
    return { ok: false, reason: `the number of clusters must be a whole number from 2 to 20, got ${options.k}` };
  }
  const features = buildFeatures(customers);
  const { points } = features;
  let distinct = 0;
  const seen = new Set<string>();
  for (let i = 0; i < n && distinct < 21; i++) {
    const key = points.data.subarray(i * points.d, (i + 1) * points.d).join(",");
    if (!seen.has(key)) {
      seen.add(key);
      distinct++;
    }
  }
  const kMax = Math.min(8, distinct);
  if (distinct < 2 || (options.k ?? 2) > distinct) {
    return { ok: false, reason: "the customers are too alike to split into groups yet" };
  }
  let k: number;
  let labels: Int32Array;
  let scores: { k: number; silhouette: number }[] = [];
  let merges: WardMerge[] | undefined;
  let wardSample: Int32Array | undefined;
  if (method === "kmeans") {
    if (options.k) {
      k = options.k;
      labels = kmeans(points, k, { seed }).labels;
    } else {
      const chosen = chooseK(points, { seed, kMax });
      k = chosen.k;
      labels = chosen.result.labels;
      scores = chosen.scores.map(({ k, silhouette }) => ({ k, silhouette }));
    }
  } else {
    const tree = ward(points, { sampleSize: options.sampleSize, seed });
    merges = tree.merges;
    wardSample = tree.sample;
    if (options.k) {
      k = Math.min(options.k, tree.sample.length);
      labels = wardLabels(points, tree, k);
    } else {
      let best: { k: number; labels: Int32Array; score: number } | undefined;
      for (let kk = 2; kk <= Math.min(kMax, tree.sample.length); kk++) {
        const candidate = wardLabels(points, tree, kk);
        const score = silhouette(points, candidate, kk, { seed });
        scores.push({ k: kk, silhouette: score });
        if (!best || score > best.score + 1e-12) best = { k: kk, labels: candidate, score };
      }
      k = best!.k;
      labels = best!.labels;
    }
  }
  return {
    ok: true,
    method,
    k,
    labels,
    profiles: profileClusters(customers, labels, k),
    silhouette: silhouette(points, labels, k, { seed }),
    scores,
    features: features.names,
    projection: project2d(points),
    merges,
    wardSample,
  };
}
