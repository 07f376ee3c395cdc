-- CreateTable
CREATE TABLE "WebhookEvent" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "webhookId" TEXT,
    "topic" TEXT NOT NULL,
    "apiVersion" TEXT,
    "payload" TEXT NOT NULL,
    "triggeredAt" DATETIME,
    "receivedAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "lockedUntil" DATETIME,
    "processedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Tombstone" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "deletedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "kind", "id")
);

-- CreateTable
CREATE TABLE "BulkJob" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "operationId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "rowsDone" INTEGER NOT NULL DEFAULT 0,
    "rowsEstimate" INTEGER,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SyncCursor" (
    "shop" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "syncedUntil" DATETIME NOT NULL,
    "lastRunAt" DATETIME NOT NULL,
    "lastRunFound" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "resource")
);

-- CreateIndex
CREATE INDEX "WebhookEvent_status_seq_idx" ON "WebhookEvent"("status", "seq");

-- CreateIndex
CREATE INDEX "WebhookEvent_shop_topic_receivedAt_idx" ON "WebhookEvent"("shop", "topic", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEvent_shop_eventId_key" ON "WebhookEvent"("shop", "eventId");

-- CreateIndex
CREATE INDEX "BulkJob_shop_status_idx" ON "BulkJob"("shop", "status");

