-- AlterTable
ALTER TABLE "Destination" ADD COLUMN     "listId" TEXT;

-- AlterTable
ALTER TABLE "ExportJob" ADD COLUMN     "untilConsent" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "SegmentSync" ADD COLUMN     "consentCursor" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ConsentEvent" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConsentEvent_shop_id_idx" ON "ConsentEvent"("shop", "id");

-- CreateIndex
CREATE INDEX "ConsentEvent_shop_customerId_idx" ON "ConsentEvent"("shop", "customerId");

