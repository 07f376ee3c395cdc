// The stored side of predictions: fits (ModelFit) with their diagnostics, and per-customer outputs
// (CustomerPrediction) written in batches. Every statement is scoped by shop.
import type { Executor } from "~/db/database.server";
import { bigint, bool, date, decoder, int, join, nullable, raw, real, sql, text } from "~/db/sql";

export type FitKind = "bgnbd" | "gg" | "clusters" | "backtest";
export type FitStatus = "ok" | "insufficient" | "failed";

export type FitRecord = {
  kind: FitKind;
  status: FitStatus;
  reason: string | null;
  fittedAt: Date;
  windowStart: Date | null;
  windowEnd: Date | null;
  n: number;
  params: Record<string, unknown>;
  logLik: number | null;
  iterations: number | null;
  converged: boolean | null;
  details: unknown;
  durationMs: number | null;
};

export type StoredFit = FitRecord & { id: number };

/** Fits of each kind kept per shop: enough for a history, bounded. */
const KEEP_PER_KIND = 30;

export async function saveFit(db: Executor, { shop, fit }: { shop: string; fit: FitRecord }): Promise<void> {
  await db.run(
    sql`INSERT INTO "ModelFit" ("shop", "kind", "status", "reason", "fittedAt", "windowStart", "windowEnd", "n", "params",
         "logLik", "iterations", "converged", "details", "durationMs")
       VALUES (${shop}, ${fit.kind}, ${fit.status}, ${fit.reason}, ${fit.fittedAt}, ${fit.windowStart}, ${fit.windowEnd},
         ${fit.n}, ${JSON.stringify(fit.params)}, ${finiteOrNull(fit.logLik)}, ${fit.iterations}, ${fit.converged},
         ${fit.details === undefined || fit.details === null ? null : JSON.stringify(fit.details)}, ${fit.durationMs})`,
  );
  const old = await db.all(
    sql`SELECT "id" FROM "ModelFit" WHERE "shop" = ${shop} AND "kind" = ${fit.kind} ORDER BY "fittedAt" DESC, "id" DESC`,
    decoder({ id: int }),
  );
  const drop = old.slice(KEEP_PER_KIND).map((r) => r.id);
  if (drop.length > 0) await db.run(sql`DELETE FROM "ModelFit" WHERE "shop" = ${shop} AND "id" IN (${join(drop)})`);
}

function finiteOrNull(n: number | null): number | null {
  return n === null || !Number.isFinite(n) ? null : n;
}

const fitDecoder = decoder({
  id: int,
  kind: text,
  status: text,
  reason: nullable(text),
  fittedAt: date,
  windowStart: date,
  windowEnd: date,
  n: int,
  params: text,
  logLik: nullable(real),
  iterations: nullable(int),
  converged: nullable(bool),
  details: nullable(text),
  durationMs: nullable(int),
});

function toStored(row: ReturnType<typeof fitDecoder>): StoredFit {
  return {
    ...row,
    kind: row.kind as FitKind,
    status: row.status as FitStatus,
    fittedAt: row.fittedAt!,
    params: JSON.parse(row.params) as Record<string, unknown>,
    details: row.details === null ? null : (JSON.parse(row.details) as unknown),
  };
}

/** The newest fit of a kind (whatever its status), and the newest one that succeeded. */
export async function latestFits(
  db: Executor,
  { shop, kind }: { shop: string; kind: FitKind },
): Promise<{ latest: StoredFit | null; lastOk: StoredFit | null }> {
  const rows = await db.all(
    sql`SELECT * FROM "ModelFit" WHERE "shop" = ${shop} AND "kind" = ${kind} ORDER BY "fittedAt" DESC, "id" DESC LIMIT ${KEEP_PER_KIND}`,
    fitDecoder,
  );
  const fits = rows.map(toStored);
  return { latest: fits[0] ?? null, lastOk: fits.find((f) => f.status === "ok") ?? null };
}

export type PredictionRow = {
  customerId: string;
  pAlive: number;
  expectedOrders90d: number;
  predictedClvMinor: bigint | null;
  predictedSpendTier: string | null;
  churnRisk: string;
};

const SQLITE_ROWS_PER_STATEMENT = 500;
const ROWS_PER_TRANSACTION = 50_000;

/**
 * Writes the BG/NBD × Gamma-Gamma outputs of a run (cluster columns untouched), then removes the rows
 * of customers the run did not score (they have no counted order any more), in transactions of 50,000
 * rows so the webhook processor gets the database between them. PostgreSQL takes each chunk as arrays
 * (one statement); SQLite as multi-row VALUES.
 */
export async function writePredictions(
  db: Executor,
  {
    shop,
    rows,
    computedAt,
    onProgress,
  }: { shop: string; rows: readonly PredictionRow[]; computedAt: Date; onProgress?: (done: number) => void },
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_TRANSACTION) {
    const chunk = rows.slice(start, start + ROWS_PER_TRANSACTION);
    await db.transaction(async (tx) => {
      if (tx.dialect === "postgres") await upsertArrays(tx, shop, chunk, computedAt);
      else
        for (let i = 0; i < chunk.length; i += SQLITE_ROWS_PER_STATEMENT)
          await upsertValues(tx, shop, chunk.slice(i, i + SQLITE_ROWS_PER_STATEMENT), computedAt);
    });
    onProgress?.(Math.min(rows.length, start + ROWS_PER_TRANSACTION));
  }
  await db.run(sql`DELETE FROM "CustomerPrediction" WHERE "shop" = ${shop} AND "computedAt" <> ${computedAt}`);
  await dropErasedMeanwhile(db, shop);
}

/**
 * A refit reads the customers, then takes seconds to minutes: a customers/redact (or shop/redact) applied
 * meanwhile deleted their row, and the run's write may have put it back. After the last write, rows of
 * customers the shop no longer has go (a redact after this point deletes the row itself).
 */
async function dropErasedMeanwhile(db: Executor, shop: string): Promise<void> {
  await db.run(
    sql`DELETE FROM "CustomerPrediction" WHERE "shop" = ${shop}
       AND NOT EXISTS (SELECT 1 FROM "Customer" c WHERE c."shop" = ${shop} AND c."id" = "CustomerPrediction"."customerId")`,
  );
}

const UPDATE_SET = raw(`"pAlive" = excluded."pAlive", "expectedOrders90d" = excluded."expectedOrders90d",
  "predictedClvMinor" = excluded."predictedClvMinor", "predictedSpendTier" = excluded."predictedSpendTier",
  "churnRisk" = excluded."churnRisk", "computedAt" = excluded."computedAt"`);

async function upsertValues(tx: Executor, shop: string, rows: readonly PredictionRow[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  const values = join(
    rows.map(
      (r) =>
        sql`(${shop}, ${r.customerId}, ${r.pAlive}, ${r.expectedOrders90d}, ${r.predictedClvMinor}, ${r.predictedSpendTier}, ${r.churnRisk}, ${at})`,
    ),
  );
  await tx.run(
    sql`INSERT INTO "CustomerPrediction" ("shop", "customerId", "pAlive", "expectedOrders90d", "predictedClvMinor",
         "predictedSpendTier", "churnRisk", "computedAt") VALUES ${values}
       ON CONFLICT ("shop", "customerId") DO UPDATE SET ${UPDATE_SET}`,
  );
}

async function upsertArrays(tx: Executor, shop: string, rows: readonly PredictionRow[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await tx.run(
    sql`INSERT INTO "CustomerPrediction" ("shop", "customerId", "pAlive", "expectedOrders90d", "predictedClvMinor",
         "predictedSpendTier", "churnRisk", "computedAt")
       SELECT ${shop}, u.id, u.p, u.e, u.clv, u.tier, u.churn, ${at}::timestamp(3)
       FROM unnest(${rows.map((r) => r.customerId)}::text[], ${rows.map((r) => r.pAlive)}::float8[],
         ${rows.map((r) => r.expectedOrders90d)}::float8[], ${rows.map((r) => r.predictedClvMinor)}::bigint[],
         ${rows.map((r) => r.predictedSpendTier)}::text[], ${rows.map((r) => r.churnRisk)}::text[])
         AS u(id, p, e, clv, tier, churn)
       ON CONFLICT ("shop", "customerId") DO UPDATE SET ${UPDATE_SET}`,
  );
}

/** Each customer's cluster (id and name), inserted for customers without a prediction row yet. */
export async function writeClusters(
  db: Executor,
  {
    shop,
    rows,
    computedAt,
  }: {
    shop: string;
    rows: readonly { customerId: string; clusterId: number; clusterName: string }[];
    computedAt: Date;
  },
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_TRANSACTION) {
    const chunk = rows.slice(start, start + ROWS_PER_TRANSACTION);
    await db.transaction(async (tx) => {
      // PostgreSQL: the chunk as arrays, one statement (as writePredictions).
      if (tx.dialect === "postgres") {
        await tx.run(
          sql`INSERT INTO "CustomerPrediction" ("shop", "customerId", "clusterId", "clusterName", "computedAt")
             SELECT ${shop}, u.id, u.cid, u.cname, ${computedAt}::timestamp(3)
             FROM unnest(${chunk.map((r) => r.customerId)}::text[], ${chunk.map((r) => r.clusterId)}::int[],
               ${chunk.map((r) => r.clusterName)}::text[]) AS u(id, cid, cname)
             ON CONFLICT ("shop", "customerId") DO UPDATE SET "clusterId" = excluded."clusterId", "clusterName" = excluded."clusterName"`,
        );
        return;
      }
      for (let i = 0; i < chunk.length; i += SQLITE_ROWS_PER_STATEMENT) {
        const part = chunk.slice(i, i + SQLITE_ROWS_PER_STATEMENT);
        const values = join(
          part.map((r) => sql`(${shop}, ${r.customerId}, ${r.clusterId}, ${r.clusterName}, ${computedAt})`),
        );
        await tx.run(
          sql`INSERT INTO "CustomerPrediction" ("shop", "customerId", "clusterId", "clusterName", "computedAt") VALUES ${values}
             ON CONFLICT ("shop", "customerId") DO UPDATE SET "clusterId" = excluded."clusterId", "clusterName" = excluded."clusterName"`,
        );
      }
    });
  }
  // Customers in no cluster of this run (no counted order any more) lose their old one.
  const ids = new Set(rows.map((r) => r.customerId));
  const stale = (
    await db.all(
      sql`SELECT "customerId" FROM "CustomerPrediction" WHERE "shop" = ${shop} AND "clusterId" IS NOT NULL`,
      decoder({ customerId: text }),
    )
  )
    .map((r) => r.customerId)
    .filter((id) => !ids.has(id));
  for (let i = 0; i < stale.length; i += SQLITE_ROWS_PER_STATEMENT)
    await db.run(
      sql`UPDATE "CustomerPrediction" SET "clusterId" = NULL, "clusterName" = NULL
         WHERE "shop" = ${shop} AND "customerId" IN (${join(stale.slice(i, i + SQLITE_ROWS_PER_STATEMENT))})`,
    );
  await dropErasedMeanwhile(db, shop);
}

export type CustomerPredictionView = {
  customerId: string;
  pAlive: number | null;
  expectedOrders90d: number | null;
  predictedClvMinor: bigint | null;
  predictedSpendTier: string | null;
  churnRisk: string | null;
  clusterId: number | null;
  clusterName: string | null;
  computedAt: Date | null;
};

export async function predictionOf(
  db: Executor,
  { shop, customerId }: { shop: string; customerId: string },
): Promise<CustomerPredictionView | null> {
  const [row] = await db.all(
    sql`SELECT "customerId", "pAlive", "expectedOrders90d", "predictedClvMinor", "predictedSpendTier", "churnRisk",
         "clusterId", "clusterName", "computedAt"
       FROM "CustomerPrediction" WHERE "shop" = ${shop} AND "customerId" = ${customerId}`,
    decoder({
      customerId: text,
      pAlive: nullable(real),
      expectedOrders90d: nullable(real),
      predictedClvMinor: nullable(bigint),
      predictedSpendTier: nullable(text),
      churnRisk: nullable(text),
      clusterId: nullable(int),
      clusterName: nullable(text),
      computedAt: date,
    }),
  );
  return row ?? null;
}
