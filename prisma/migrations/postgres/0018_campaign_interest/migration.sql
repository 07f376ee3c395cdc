-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "interestProductType" TEXT,
ADD COLUMN     "interestViews" INTEGER NOT NULL DEFAULT 3;

