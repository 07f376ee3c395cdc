-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "rfmCuts" TEXT;

-- AlterTable
ALTER TABLE "CustomerFacts" ADD COLUMN "rfmF" INTEGER;
ALTER TABLE "CustomerFacts" ADD COLUMN "rfmGroup" TEXT;
ALTER TABLE "CustomerFacts" ADD COLUMN "rfmM" INTEGER;
ALTER TABLE "CustomerFacts" ADD COLUMN "rfmR" INTEGER;

