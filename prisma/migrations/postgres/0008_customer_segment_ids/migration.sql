-- Each customer's segments beside the customer (see prisma/schema.prisma, Customer.segmentIds).
ALTER TABLE "Customer" ADD COLUMN "segmentIds" TEXT NOT NULL DEFAULT ',';

-- The memberships already held, carried over.
UPDATE "Customer" c SET "segmentIds" = ',' || h."ids" || ','
FROM (
  SELECT m."shop", m."customerId", string_agg(m."segmentId"::text, ',') AS "ids" FROM "SegmentMember" m GROUP BY m."shop", m."customerId"
) h
WHERE c."shop" = h."shop" AND c."id" = h."customerId";
