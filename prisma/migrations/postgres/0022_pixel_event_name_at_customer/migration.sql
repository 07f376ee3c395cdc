-- DropIndex
DROP INDEX "PixelEvent_shop_name_at_idx";

-- CreateIndex
CREATE INDEX "PixelEvent_shop_name_at_customerId_idx" ON "PixelEvent"("shop", "name", "at", "customerId");

