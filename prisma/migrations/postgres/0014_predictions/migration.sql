-- CreateTable
CREATE TABLE "ModelFit" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "fittedAt" TIMESTAMP(3) NOT NULL,
    "windowStart" TIMESTAMP(3),
    "windowEnd" TIMESTAMP(3),
    "n" INTEGER NOT NULL DEFAULT 0,
    "params" TEXT NOT NULL DEFAULT '{}',
    "logLik" DOUBLE PRECISION,
    "iterations" INTEGER,
    "converged" BOOLEAN,
    "details" TEXT,
    "durationMs" INTEGER,

    CONSTRAINT "ModelFit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerPrediction" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "pAlive" DOUBLE PRECISION,
    "expectedOrders90d" DOUBLE PRECISION,
    "predictedClvMinor" BIGINT,
    "predictedSpendTier" TEXT,
    "churnRisk" TEXT,
    "clusterId" INTEGER,
    "clusterName" TEXT,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerPrediction_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateIndex
CREATE INDEX "ModelFit_shop_kind_fittedAt_idx" ON "ModelFit"("shop", "kind", "fittedAt");

