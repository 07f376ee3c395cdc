-- AlterTable (SQLite adds a NOT NULL column with a constant default in place; no table rebuild)
ALTER TABLE "Shop" ADD COLUMN "clvDiscountRatePercent" REAL NOT NULL DEFAULT 10;
