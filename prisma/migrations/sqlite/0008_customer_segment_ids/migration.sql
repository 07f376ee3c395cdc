-- Each customer's segments beside the customer (see prisma/schema.prisma, Customer.segmentIds).
-- Written by hand: Prisma's generated form rebuilds the table, which would drop WITHOUT ROWID
-- (0006_clustered_tables) and copy a million rows; a column added in place costs nothing.
ALTER TABLE "Customer" ADD COLUMN "segmentIds" TEXT NOT NULL DEFAULT ',';

-- The memberships already held, carried over.
UPDATE "Customer" SET "segmentIds" = ',' || (
  SELECT group_concat(m."segmentId", ',') FROM "SegmentMember" m WHERE m."shop" = "Customer"."shop" AND m."customerId" = "Customer"."id"
) || ','
WHERE EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."shop" = "Customer"."shop" AND m."customerId" = "Customer"."id");
