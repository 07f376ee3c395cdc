-- CreateTable
CREATE TABLE "RecommendationList" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "productIds" TEXT NOT NULL DEFAULT '',
    "scores" TEXT,
    "excludeIds" TEXT,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecommendationList_pkey" PRIMARY KEY ("shop","kind","key")
);

