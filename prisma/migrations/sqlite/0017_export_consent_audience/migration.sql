-- AlterTable
ALTER TABLE "Destination" ADD COLUMN "listId" TEXT;

-- CreateTable
CREATE TABLE "ConsentEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ExportJob" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "target" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "cursor" TEXT NOT NULL DEFAULT '',
    "untilEvent" INTEGER NOT NULL DEFAULT 0,
    "untilConsent" INTEGER NOT NULL DEFAULT 0,
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
INSERT INTO "new_ExportJob" ("attempts", "createdAt", "cursor", "errors", "failed", "finishedAt", "id", "lockedUntil", "mode", "segmentId", "sent", "shop", "skipped", "startedAt", "status", "target", "total", "untilEvent", "updatedAt") SELECT "attempts", "createdAt", "cursor", "errors", "failed", "finishedAt", "id", "lockedUntil", "mode", "segmentId", "sent", "shop", "skipped", "startedAt", "status", "target", "total", "untilEvent", "updatedAt" FROM "ExportJob";
DROP TABLE "ExportJob";
ALTER TABLE "new_ExportJob" RENAME TO "ExportJob";
CREATE INDEX "ExportJob_shop_createdAt_idx" ON "ExportJob"("shop", "createdAt");
CREATE INDEX "ExportJob_status_lockedUntil_idx" ON "ExportJob"("status", "lockedUntil");
CREATE TABLE "new_SegmentSync" (
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "target" TEXT NOT NULL,
    "remoteId" TEXT,
    "eventCursor" INTEGER NOT NULL DEFAULT 0,
    "consentCursor" INTEGER NOT NULL DEFAULT 0,
    "keepInSync" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "segmentId", "target")
);
INSERT INTO "new_SegmentSync" ("createdAt", "eventCursor", "keepInSync", "remoteId", "segmentId", "shop", "target", "updatedAt") SELECT "createdAt", "eventCursor", "keepInSync", "remoteId", "segmentId", "shop", "target", "updatedAt" FROM "SegmentSync";
DROP TABLE "SegmentSync";
ALTER TABLE "new_SegmentSync" RENAME TO "SegmentSync";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ConsentEvent_shop_id_idx" ON "ConsentEvent"("shop", "id");

-- CreateIndex
CREATE INDEX "ConsentEvent_shop_customerId_idx" ON "ConsentEvent"("shop", "customerId");

