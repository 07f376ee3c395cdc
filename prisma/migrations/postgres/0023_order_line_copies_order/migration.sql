-- Order lines carry a copy of their order's customer, time, test flag and cancellation, so purchase rules
-- read the lines alone instead of joining millions of orders (decision 039). The table is rebuilt, each
-- line filled from its order: an UPDATE of every line would leave the table twice its size until a
-- VACUUM FULL, and purchase rules read it whole.
CREATE TABLE "new_OrderLine" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "productId" TEXT,
    "variantId" TEXT,
    "title" TEXT,
    "sku" TEXT,
    "productType" TEXT,
    "vendor" TEXT,
    "quantity" INTEGER NOT NULL,
    "priceMinor" BIGINT NOT NULL,
    "customerId" TEXT,
    "processedAt" TIMESTAMP(3) NOT NULL,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "cancelledAt" TIMESTAMP(3)
);

INSERT INTO "new_OrderLine" ("shop", "id", "orderId", "productId", "variantId", "title", "sku", "productType", "vendor",
    "quantity", "priceMinor", "customerId", "processedAt", "test", "cancelledAt")
  SELECT l."shop", l."id", l."orderId", l."productId", l."variantId", l."title", l."sku", l."productType", l."vendor",
    l."quantity", l."priceMinor", o."customerId", o."processedAt", o."test", o."cancelledAt"
  FROM "OrderLine" l JOIN "Order" o ON o."shop" = l."shop" AND o."id" = l."orderId";

DROP TABLE "OrderLine";
ALTER TABLE "new_OrderLine" RENAME TO "OrderLine";
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("shop", "id");
CREATE INDEX "OrderLine_shop_orderId_idx" ON "OrderLine"("shop", "orderId");
CREATE INDEX "OrderLine_shop_productId_idx" ON "OrderLine"("shop", "productId");
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_shop_orderId_fkey" FOREIGN KEY ("shop", "orderId") REFERENCES "Order"("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE;
-- Dropped with the old table (0020).
CREATE STATISTICS IF NOT EXISTS "OrderLine_productType_folded" ON (LOWER(("productType") COLLATE "C")) FROM "OrderLine";
CREATE STATISTICS IF NOT EXISTS "OrderLine_vendor_folded" ON (LOWER(("vendor") COLLATE "C")) FROM "OrderLine";
