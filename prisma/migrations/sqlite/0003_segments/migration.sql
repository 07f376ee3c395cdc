-- CreateTable
CREATE TABLE "Segment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "template" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "lastComputedAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SegmentMember" (
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "since" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "segmentId", "customerId")
);

-- CreateTable
CREATE TABLE "SegmentEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "entered" BOOLEAN NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Segment_shop_idx" ON "Segment"("shop");

-- CreateIndex
CREATE INDEX "SegmentMember_shop_customerId_idx" ON "SegmentMember"("shop", "customerId");

-- CreateIndex
CREATE INDEX "SegmentEvent_shop_segmentId_at_idx" ON "SegmentEvent"("shop", "segmentId", "at");

