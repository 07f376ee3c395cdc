-- CreateTable
CREATE TABLE "Segment" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "template" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "lastComputedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Segment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SegmentMember" (
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SegmentMember_pkey" PRIMARY KEY ("shop","segmentId","customerId")
);

-- CreateTable
CREATE TABLE "SegmentEvent" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "entered" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SegmentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Segment_shop_idx" ON "Segment"("shop");

-- CreateIndex
CREATE INDEX "SegmentMember_shop_customerId_idx" ON "SegmentMember"("shop", "customerId");

-- CreateIndex
CREATE INDEX "SegmentEvent_shop_segmentId_at_idx" ON "SegmentEvent"("shop", "segmentId", "at");

