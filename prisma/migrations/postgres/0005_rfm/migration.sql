-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "rfmCuts" TEXT;

-- AlterTable
ALTER TABLE "CustomerFacts" ADD COLUMN     "rfmF" INTEGER,
ADD COLUMN     "rfmGroup" TEXT,
ADD COLUMN     "rfmM" INTEGER,
ADD COLUMN     "rfmR" INTEGER;

