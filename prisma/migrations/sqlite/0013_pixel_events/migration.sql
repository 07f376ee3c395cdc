-- CreateTable
CREATE TABLE "PixelShop" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "ingestKey" TEXT NOT NULL,
    "webPixelId" TEXT,
    "origins" TEXT,
    "activatedAt" DATETIME,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PixelEvent" (
    "shop" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "clientId" TEXT NOT NULL,
    "sessionId" TEXT,
    "customerId" TEXT,
    "productId" TEXT,
    "variantId" TEXT,
    "collectionId" TEXT,
    "productType" TEXT,
    "vendor" TEXT,
    "query" TEXT,
    "valueMinor" BIGINT,
    "currencyCode" TEXT,
    "receivedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "eventId")
);

-- CreateTable
CREATE TABLE "PixelVisitor" (
    "shop" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "linkedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "clientId")
);

-- CreateIndex
CREATE INDEX "PixelEvent_shop_clientId_idx" ON "PixelEvent"("shop", "clientId");

-- CreateIndex
CREATE INDEX "PixelEvent_shop_customerId_name_at_idx" ON "PixelEvent"("shop", "customerId", "name", "at");

-- CreateIndex
CREATE INDEX "PixelEvent_shop_name_at_idx" ON "PixelEvent"("shop", "name", "at");

-- CreateIndex
CREATE INDEX "PixelEvent_shop_at_idx" ON "PixelEvent"("shop", "at");

-- CreateIndex
CREATE INDEX "PixelVisitor_shop_customerId_idx" ON "PixelVisitor"("shop", "customerId");

