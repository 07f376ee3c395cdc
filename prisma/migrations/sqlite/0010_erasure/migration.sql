-- CreateIndex
CREATE INDEX "SegmentEvent_shop_customerId_idx" ON "SegmentEvent"("shop", "customerId");


-- Written by hand (docs/decisions/013-erasure.md): an applied event keeps no payload any more; the
-- events applied before this migration let theirs go too.
UPDATE "WebhookEvent" SET "payload" = '' WHERE "status" = 'done';
