-- CreateTable
CREATE TABLE "Campaign" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "segmentId" INTEGER,
    "countries" TEXT NOT NULL DEFAULT ',',
    "newVisitorsOnly" BOOLEAN NOT NULL DEFAULT false,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
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
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignImpression" (
    "shop" TEXT NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "arm" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "impressions" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CampaignImpression_pkey" PRIMARY KEY ("shop","campaignId","arm","day")
);

-- CreateTable
CREATE TABLE "CampaignExposure" (
    "shop" TEXT NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CampaignExposure_pkey" PRIMARY KEY ("shop","campaignId","customerId")
);

-- CreateIndex
CREATE INDEX "Campaign_shop_status_idx" ON "Campaign"("shop", "status");

-- CreateIndex
CREATE INDEX "CampaignExposure_shop_customerId_idx" ON "CampaignExposure"("shop", "customerId");

