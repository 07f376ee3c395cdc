-- AlterTable
ALTER TABLE "Segment" ADD COLUMN     "computeError" TEXT;

