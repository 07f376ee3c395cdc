-- CreateTable
CREATE TABLE "PixelActivity" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "sessions" INTEGER NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "customerId")
);

-- CreateIndex
CREATE INDEX "PixelActivity_shop_lastSeenAt_idx" ON "PixelActivity"("shop", "lastSeenAt");

-- CreateIndex
CREATE INDEX "PixelActivity_shop_sessions_idx" ON "PixelActivity"("shop", "sessions");


-- The customers' rows from the events already stored, as app/pixel/activity.server.ts computes them
-- (rebuildActivity): from here on every change to the events keeps them equal.
INSERT INTO "PixelActivity" ("shop", "customerId", "sessions", "lastSeenAt")
SELECT "shop", "customerId", COUNT(DISTINCT "sessionId"), MAX("at") FROM "PixelEvent"
WHERE "customerId" IS NOT NULL GROUP BY "shop", "customerId";
