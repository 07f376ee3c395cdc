-- CreateTable
CREATE TABLE "Destination" (
    "shop" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "account" TEXT,
    "connectedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Destination_pkey" PRIMARY KEY ("shop","service")
);

-- CreateTable
CREATE TABLE "ExportJob" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "target" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "cursor" TEXT NOT NULL DEFAULT '',
    "untilEvent" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "errors" TEXT NOT NULL DEFAULT '[]',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExportJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SegmentSync" (
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "target" TEXT NOT NULL,
    "remoteId" TEXT,
    "eventCursor" INTEGER NOT NULL DEFAULT 0,
    "keepInSync" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SegmentSync_pkey" PRIMARY KEY ("shop","segmentId","target")
);

-- CreateTable
CREATE TABLE "ExportRecord" (
    "shop" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "inList" BOOLEAN NOT NULL,
    "remoteId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExportRecord_pkey" PRIMARY KEY ("shop","target","segmentId","customerId")
);

-- CreateTable
CREATE TABLE "ContactDeletion" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "contact" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "ContactDeletion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PrivacyReport" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT,
    "requestId" TEXT,
    "report" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PrivacyReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ExportJob_shop_createdAt_idx" ON "ExportJob"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "ExportJob_status_lockedUntil_idx" ON "ExportJob"("status", "lockedUntil");

-- CreateIndex
CREATE INDEX "ExportRecord_shop_customerId_idx" ON "ExportRecord"("shop", "customerId");

-- CreateIndex
CREATE INDEX "ContactDeletion_status_nextAttemptAt_idx" ON "ContactDeletion"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "PrivacyReport_shop_createdAt_idx" ON "PrivacyReport"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "PrivacyReport_shop_customerId_idx" ON "PrivacyReport"("shop", "customerId");

