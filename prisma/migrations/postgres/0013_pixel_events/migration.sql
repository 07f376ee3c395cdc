-- CreateTable
CREATE TABLE "PixelShop" (
    "shop" TEXT NOT NULL,
    "ingestKey" TEXT NOT NULL,
    "webPixelId" TEXT,
    "origins" TEXT,
    "activatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PixelShop_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "PixelEvent" (
    "shop" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
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
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PixelEvent_pkey" PRIMARY KEY ("shop","eventId")
);

-- CreateTable
CREATE TABLE "PixelVisitor" (
    "shop" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PixelVisitor_pkey" PRIMARY KEY ("shop","clientId")
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

