-- CreateTable
CREATE TABLE "Destination" (
    "shop" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "account" TEXT,
    "connectedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "service")
);

-- CreateTable
CREATE TABLE "ExportJob" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "lockedUntil" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SegmentSync" (
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "target" TEXT NOT NULL,
    "remoteId" TEXT,
    "eventCursor" INTEGER NOT NULL DEFAULT 0,
    "keepInSync" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "segmentId", "target")
);

-- CreateTable
CREATE TABLE "ExportRecord" (
    "shop" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "inList" BOOLEAN NOT NULL,
    "remoteId" TEXT,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "target", "segmentId", "customerId")
);

-- CreateTable
CREATE TABLE "ContactDeletion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "contact" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "doneAt" DATETIME
);

-- CreateTable
CREATE TABLE "PrivacyReport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" TEXT,
    "requestId" TEXT,
    "report" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
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

