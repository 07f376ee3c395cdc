-- CreateTable
CREATE TABLE "WebhookEvent" (
    "seq" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "webhookId" TEXT,
    "topic" TEXT NOT NULL,
    "apiVersion" TEXT,
    "payload" TEXT NOT NULL,
    "triggeredAt" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "Tombstone" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "deletedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tombstone_pkey" PRIMARY KEY ("shop","kind","id")
);

-- CreateTable
CREATE TABLE "BulkJob" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "operationId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "rowsDone" INTEGER NOT NULL DEFAULT 0,
    "rowsEstimate" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BulkJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncCursor" (
    "shop" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "syncedUntil" TIMESTAMP(3) NOT NULL,
    "lastRunAt" TIMESTAMP(3) NOT NULL,
    "lastRunFound" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SyncCursor_pkey" PRIMARY KEY ("shop","resource")
);

-- CreateIndex
CREATE INDEX "WebhookEvent_status_seq_idx" ON "WebhookEvent"("status", "seq");

-- CreateIndex
CREATE INDEX "WebhookEvent_shop_topic_receivedAt_idx" ON "WebhookEvent"("shop", "topic", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEvent_shop_eventId_key" ON "WebhookEvent"("shop", "eventId");

-- CreateIndex
CREATE INDEX "BulkJob_shop_status_idx" ON "BulkJob"("shop", "status");

