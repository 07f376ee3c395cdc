-- CreateTable
CREATE TABLE "RecommendationList" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "productIds" TEXT NOT NULL DEFAULT '',
    "scores" TEXT,
    "excludeIds" TEXT,
    "computedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "kind", "key")
);

