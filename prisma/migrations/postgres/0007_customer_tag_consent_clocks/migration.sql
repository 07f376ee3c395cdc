-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "emailConsentAt" TIMESTAMP(3),
ADD COLUMN     "smsConsentAt" TIMESTAMP(3),
ADD COLUMN     "tagClock" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "tagsAsOf" TIMESTAMP(3);

