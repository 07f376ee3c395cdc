-- CustomerPrediction WITHOUT ROWID (added by hand, as 0006 does for Customer): the segment rules read it
-- by primary key for each customer, and the insights page in key order.
-- CreateTable
CREATE TABLE "ModelFit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "fittedAt" DATETIME NOT NULL,
    "windowStart" DATETIME,
    "windowEnd" DATETIME,
    "n" INTEGER NOT NULL DEFAULT 0,
    "params" TEXT NOT NULL DEFAULT '{}',
    "logLik" REAL,
    "iterations" INTEGER,
    "converged" BOOLEAN,
    "details" TEXT,
    "durationMs" INTEGER
);

-- CreateTable
CREATE TABLE "CustomerPrediction" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "pAlive" REAL,
    "expectedOrders90d" REAL,
    "predictedClvMinor" BIGINT,
    "predictedSpendTier" TEXT,
    "churnRisk" TEXT,
    "clusterId" INTEGER,
    "clusterName" TEXT,
    "computedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "customerId")
) WITHOUT ROWID;

-- CreateIndex
CREATE INDEX "ModelFit_shop_kind_fittedAt_idx" ON "ModelFit"("shop", "kind", "fittedAt");

