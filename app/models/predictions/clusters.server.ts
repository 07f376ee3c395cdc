// The shop's customer clusters: each customer's features read from the database (facts and spend per
// product type), the models' k-means (k by silhouette over 2..8 unless the merchant fixes it) or Ward
// clustering, a cluster id and name written per customer, and the profiles, with a 2-D view and Ward's
// dendrogram, stored as a ModelFit of kind "clusters".
import type { Db } from "~/db/database.server";
import { bigint, date, decoder, nullable, sql, text } from "~/db/sql";
import { buildFeatures, topCategories, type CustomerActivity } from "~/domain/models/features";
import { chooseK, kmeans } from "~/domain/models/kmeans";
import { nearest, type Points } from "~/domain/models/matrix";
import { profileClusters, type ClusterProfile } from "~/domain/models/profile";
import { sampleIndexes } from "~/domain/models/sample";
import { dendrogramTop, ward, wardLabels, type Dendrogram } from "~/domain/models/ward";
import { saveFit, writeClusters } from "./store.server";

export type ClusterMethod = "kmeans" | "ward";

export type ClusterOutcome = {
  status: "ok" | "insufficient";
  reason: string | null;
  method: ClusterMethod;
  k: number;
  customers: number;
  profiles: ClusterProfile[];
  /** Silhouette of each k tried (k-means with k chosen). */
  scores: { k: number; silhouette: number; inertia: number }[];
  /** Ward only: the top of its dendrogram over the sample (the last 29 merges, the groups below as leaves). */
  dendrogram: Dendrogram | null;
  sample: number;
  durationMs: number;
};

const DAY_MS = 86_400_000;
/** k chosen on a seeded sample of this many customers; everyone is then given the nearest centroid. */
const CHOOSE_ON = 20_000;
const MIN_CUSTOMERS = 20;
const SEED = 42;
/** Leaves of the dendrogram drawn: readable on a phone, and above any k (at most 8). */
const DENDROGRAM_LEAVES = 30;

/** Every customer with a counted order, as the features are built from. */
async function activities(
  db: Db,
  { shop, now }: { shop: string; now: Date },
): Promise<{ ids: string[]; customers: CustomerActivity[] }> {
  const facts = await db.all(
    sql`SELECT "customerId", "ordersCount", "amountSpentMinor", "firstOrderAt", "lastOrderAt" FROM "CustomerFacts"
       WHERE "shop" = ${shop} AND "ordersCount" > 0 AND "lastOrderAt" IS NOT NULL ORDER BY "customerId"`,
    decoder({ customerId: text, ordersCount: bigint, amountSpentMinor: bigint, firstOrderAt: date, lastOrderAt: date }),
  );
  // Spend per product type, of counted orders' lines (unit price × quantity), summed here: grouping in
  // SQL by customer and type is a sort of every line on SQLite.
  const lines = await db.all(
    sql`SELECT o."customerId" AS "customerId", l."productType" AS "productType", l."priceMinor" * l."quantity" AS "spend"
       FROM "Order" o JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."id"
       WHERE o."shop" = ${shop} AND o."customerId" IS NOT NULL AND o."test" = false AND o."cancelledAt" IS NULL
         AND l."productType" IS NOT NULL AND l."productType" <> ''`,
    decoder({ customerId: text, productType: nullable(text), spend: bigint }),
  );
  const spend = new Map<string, Record<string, number>>();
  for (const l of lines) {
    const record = spend.get(l.customerId) ?? {};
    record[l.productType!] = (record[l.productType!] ?? 0) + Number(l.spend);
    spend.set(l.customerId, record);
  }
  const t = now.getTime();
  return {
    ids: facts.map((f) => f.customerId),
    customers: facts.map((f) => ({
      daysSinceLastOrder: Math.max(0, Math.floor((t - f.lastOrderAt!.getTime()) / DAY_MS)),
      orders: Number(f.ordersCount),
      totalSpent: Number(f.amountSpentMinor),
      tenureDays: Math.max(0, Math.floor((t - f.firstOrderAt!.getTime()) / DAY_MS)),
      categorySpend: spend.get(f.customerId) ?? {},
    })),
  };
}

function subset(points: Points, indexes: Int32Array): Points {
  const { d } = points;
  const data = new Float64Array(indexes.length * d);
  for (let i = 0; i < indexes.length; i++) data.set(points.data.subarray(indexes[i]! * d, indexes[i]! * d + d), i * d);
  return { data, n: indexes.length, d };
}

/** Labels for every point from centroids found on a sample. */
function assign(points: Points, centroids: Float64Array, k: number): Int32Array {
  const labels = new Int32Array(points.n);
  for (let i = 0; i < points.n; i++) labels[i] = nearest(points, i, centroids, k).index;
  return labels;
}

export async function clusterShop(
  db: Db,
  { shop, now, method = "kmeans", k }: { shop: string; now: Date; method?: ClusterMethod; k?: number },
): Promise<ClusterOutcome> {
  if (k !== undefined && (!Number.isInteger(k) || k < 2 || k > 8))
    throw new RangeError(`the number of clusters must be a whole number from 2 to 8, got ${k}`);
  const started = Date.now();
  const { ids, customers } = await activities(db, { shop, now });
  const empty = { method, k: 0, customers: ids.length, profiles: [], scores: [], dendrogram: null, sample: 0 };
  let outcome: ClusterOutcome;
  if (ids.length < Math.max(MIN_CUSTOMERS, k ?? 0)) {
    outcome = {
      ...empty,
      status: "insufficient",
      reason: `not enough customers with orders yet: ${ids.length}, clustering needs at least ${MIN_CUSTOMERS}`,
      durationMs: Date.now() - started,
    };
  } else {
    const features = buildFeatures(customers, { categories: topCategories(customers) });
    const { points } = features;
    let labels: Int32Array;
    let chosen: number;
    let scores: ClusterOutcome["scores"] = [];
    let dendrogram: Dendrogram | null = null;
    let sample = points.n;
    if (method === "ward") {
      const tree = ward(points, { seed: SEED });
      sample = tree.sample.length;
      chosen = k ?? chooseK(subset(points, tree.sample), { seed: SEED }).k;
      labels = wardLabels(points, tree, chosen);
      dendrogram = dendrogramTop(tree, { maxLeaves: DENDROGRAM_LEAVES, labels, k: chosen });
    } else if (k !== undefined) {
      chosen = k;
      labels = kmeans(points, k, { seed: SEED }).labels;
    } else if (points.n > CHOOSE_ON) {
      const picked = sampleIndexes(points.n, CHOOSE_ON, SEED);
      sample = picked.length;
      const best = chooseK(subset(points, picked), { seed: SEED });
      chosen = best.k;
      scores = best.scores;
      labels = assign(points, best.result.centroids, chosen);
    } else {
      const best = chooseK(points, { seed: SEED });
      chosen = best.k;
      scores = best.scores;
      labels = best.result.labels;
    }
    const profiles = profileClusters(customers, labels, chosen);
    await writeClusters(db, {
      shop,
      rows: ids.map((customerId, i) => ({
        customerId,
        clusterId: labels[i]!,
        clusterName: profiles[labels[i]!]!.name,
      })),
      computedAt: now,
    });
    outcome = {
      status: "ok",
      reason: null,
      method,
      k: chosen,
      customers: ids.length,
      profiles,
      scores,
      dendrogram,
      sample,
      durationMs: Date.now() - started,
    };
  }
  await saveFit(db, {
    shop,
    fit: {
      kind: "clusters",
      status: outcome.status,
      reason: outcome.reason,
      fittedAt: now,
      windowStart: null,
      windowEnd: now,
      n: outcome.customers,
      params: { method, k: outcome.k, fixedK: k ?? null, seed: SEED },
      logLik: null,
      iterations: null,
      converged: null,
      details: outcome,
      durationMs: outcome.durationMs,
    },
  });
  return outcome;
}
