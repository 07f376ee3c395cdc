-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "clvDiscountRatePercent" DOUBLE PRECISION NOT NULL DEFAULT 10;

