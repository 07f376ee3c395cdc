-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "segmentId" INTEGER,
    "countries" TEXT NOT NULL DEFAULT ',',
    "newVisitorsOnly" BOOLEAN NOT NULL DEFAULT false,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "startsAt" DATETIME,
    "endsAt" DATETIME,
    "holdoutPercent" INTEGER NOT NULL DEFAULT 0,
    "headline" TEXT NOT NULL,
    "bodyHtml" TEXT NOT NULL DEFAULT '',
    "imageUrl" TEXT,
    "buttonLabel" TEXT,
    "buttonLink" TEXT,
    "textColor" TEXT NOT NULL DEFAULT '#1a1a1a',
    "backgroundColor" TEXT NOT NULL DEFAULT '#f4f1ea',
    "strategy" TEXT NOT NULL DEFAULT 'personal',
    "attributionDays" INTEGER NOT NULL DEFAULT 7,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "interestProductType" TEXT,
    "interestViews" INTEGER NOT NULL DEFAULT 3
);
INSERT INTO "new_Campaign" ("attributionDays", "backgroundColor", "bodyHtml", "buttonLabel", "buttonLink", "countries", "createdAt", "endsAt", "headline", "holdoutPercent", "id", "imageUrl", "name", "newVisitorsOnly", "priority", "segmentId", "shop", "startsAt", "status", "strategy", "textColor", "updatedAt") SELECT "attributionDays", "backgroundColor", "bodyHtml", "buttonLabel", "buttonLink", "countries", "createdAt", "endsAt", "headline", "holdoutPercent", "id", "imageUrl", "name", "newVisitorsOnly", "priority", "segmentId", "shop", "startsAt", "status", "strategy", "textColor", "updatedAt" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE INDEX "Campaign_shop_status_idx" ON "Campaign"("shop", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

