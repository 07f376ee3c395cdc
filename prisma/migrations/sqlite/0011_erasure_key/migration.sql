-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "erasureKey" TEXT;

