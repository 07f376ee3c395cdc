-- Written by hand (docs/decisions/007-segment-recompute-at-scale.md): Prisma's schema language cannot say
-- WITHOUT ROWID. Customer, CustomerFacts and SegmentMember are read by shop in key order (segment
-- counts, full recomputes); stored in their primary key's order, such a read is one sequential pass
-- instead of an index walk with a random row fetch per customer. tests/db/migrate.test.ts checks that
-- the three stay clustered, so a later table rebuild by `prisma migrate diff` cannot undo this quietly.

CREATE TABLE "new_Customer" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "countryCode" TEXT,
    "provinceCode" TEXT,
    "city" TEXT,
    "tags" TEXT NOT NULL DEFAULT '',
    "emailMarketingState" TEXT NOT NULL DEFAULT 'NOT_SUBSCRIBED',
    "smsMarketingState" TEXT NOT NULL DEFAULT 'NOT_SUBSCRIBED',
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "syncedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "id")
) WITHOUT ROWID;
INSERT INTO "new_Customer" ("shop", "id", "email", "firstName", "lastName", "countryCode", "provinceCode", "city", "tags",
    "emailMarketingState", "smsMarketingState", "createdAt", "updatedAt", "syncedAt")
  SELECT "shop", "id", "email", "firstName", "lastName", "countryCode", "provinceCode", "city", "tags",
    "emailMarketingState", "smsMarketingState", "createdAt", "updatedAt", "syncedAt" FROM "Customer" ORDER BY "shop", "id";
DROP TABLE "Customer";
ALTER TABLE "new_Customer" RENAME TO "Customer";
CREATE INDEX "Customer_shop_email_idx" ON "Customer"("shop", "email");

CREATE TABLE "new_CustomerFacts" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "ordersCount" INTEGER NOT NULL,
    "cancelledCount" INTEGER NOT NULL DEFAULT 0,
    "amountSpentMinor" BIGINT NOT NULL,
    "refundedMinor" BIGINT NOT NULL DEFAULT 0,
    "aovMinor" BIGINT,
    "firstOrderAt" DATETIME,
    "lastOrderAt" DATETIME,
    "orderDays" INTEGER NOT NULL DEFAULT 0,
    "computedAt" DATETIME NOT NULL,
    "rfmF" INTEGER,
    "rfmGroup" TEXT,
    "rfmM" INTEGER,
    "rfmR" INTEGER,

    PRIMARY KEY ("shop", "customerId")
) WITHOUT ROWID;
INSERT INTO "new_CustomerFacts" ("shop", "customerId", "ordersCount", "cancelledCount", "amountSpentMinor", "refundedMinor",
    "aovMinor", "firstOrderAt", "lastOrderAt", "orderDays", "computedAt", "rfmF", "rfmGroup", "rfmM", "rfmR")
  SELECT "shop", "customerId", "ordersCount", "cancelledCount", "amountSpentMinor", "refundedMinor",
    "aovMinor", "firstOrderAt", "lastOrderAt", "orderDays", "computedAt", "rfmF", "rfmGroup", "rfmM", "rfmR"
  FROM "CustomerFacts" ORDER BY "shop", "customerId";
DROP TABLE "CustomerFacts";
ALTER TABLE "new_CustomerFacts" RENAME TO "CustomerFacts";
CREATE INDEX "CustomerFacts_shop_lastOrderAt_idx" ON "CustomerFacts"("shop", "lastOrderAt");

CREATE TABLE "new_SegmentMember" (
    "shop" TEXT NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "customerId" TEXT NOT NULL,
    "since" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "segmentId", "customerId")
) WITHOUT ROWID;
INSERT INTO "new_SegmentMember" ("shop", "segmentId", "customerId", "since")
  SELECT "shop", "segmentId", "customerId", "since" FROM "SegmentMember" ORDER BY "shop", "segmentId", "customerId";
DROP TABLE "SegmentMember";
ALTER TABLE "new_SegmentMember" RENAME TO "SegmentMember";
CREATE INDEX "SegmentMember_shop_customerId_idx" ON "SegmentMember"("shop", "customerId");

-- The customers' keys alone, in key order: a segment over facts only (amount_spent, rfm_group…) reads
-- this narrow index and looks facts up in the same order, instead of reading every customer's row.
CREATE INDEX "Customer_shop_id_idx" ON "Customer"("shop", "id");
