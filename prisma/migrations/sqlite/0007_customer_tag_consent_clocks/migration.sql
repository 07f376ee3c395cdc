-- Tags and consent clocks (see prisma/schema.prisma). Added in place rather than by redefining the
-- table: on a shop of a million customers a copy of the table would take minutes.
ALTER TABLE "Customer" ADD COLUMN "tagsAsOf" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "tagClock" TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "Customer" ADD COLUMN "emailConsentAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "smsConsentAt" DATETIME;
