-- Order lines carry a copy of their order's customer, time, test flag and cancellation, so purchase rules
-- read the lines alone (decision 039). The table is rebuilt (SQLite cannot add a NOT NULL column without a
-- default), each line filled from its order.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    "processedAt" DATETIME NOT NULL,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "cancelledAt" DATETIME,

    PRIMARY KEY ("shop", "id"),
    CONSTRAINT "OrderLine_shop_orderId_fkey" FOREIGN KEY ("shop", "orderId") REFERENCES "Order" ("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Each line takes its order's customer, time, test flag and cancellation (decision 039).
INSERT INTO "new_OrderLine" ("id", "orderId", "priceMinor", "productId", "productType", "quantity", "shop", "sku", "title", "variantId", "vendor",
    "customerId", "processedAt", "test", "cancelledAt")
  SELECT l."id", l."orderId", l."priceMinor", l."productId", l."productType", l."quantity", l."shop", l."sku", l."title", l."variantId", l."vendor",
    o."customerId", o."processedAt", o."test", o."cancelledAt"
  FROM "OrderLine" l JOIN "Order" o ON o."shop" = l."shop" AND o."id" = l."orderId";
DROP TABLE "OrderLine";
ALTER TABLE "new_OrderLine" RENAME TO "OrderLine";
CREATE INDEX "OrderLine_shop_orderId_idx" ON "OrderLine"("shop", "orderId");
CREATE INDEX "OrderLine_shop_productId_idx" ON "OrderLine"("shop", "productId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

