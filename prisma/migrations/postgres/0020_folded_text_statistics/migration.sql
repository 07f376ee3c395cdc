-- Planner statistics on the case-folded product type and vendor of order lines and pixel events, the
-- expressions segment rules compare (products_purchased / products_viewed with product_type or vendor,
-- app/models/segments/compile-sql.ts). Without them PostgreSQL guessed 0.5 % of the lines for any
-- type and joined orders line by line: 288,000 index lookups where a hash join reads the orders once.
-- Statistics only: nothing is stored per row, and ANALYZE (autovacuum, or the recompute's) fills them.
CREATE STATISTICS IF NOT EXISTS "OrderLine_productType_folded" ON (LOWER(("productType") COLLATE "C")) FROM "OrderLine";
CREATE STATISTICS IF NOT EXISTS "OrderLine_vendor_folded" ON (LOWER(("vendor") COLLATE "C")) FROM "OrderLine";
CREATE STATISTICS IF NOT EXISTS "PixelEvent_productType_folded" ON (LOWER(("productType") COLLATE "C")) FROM "PixelEvent";
CREATE STATISTICS IF NOT EXISTS "PixelEvent_vendor_folded" ON (LOWER(("vendor") COLLATE "C")) FROM "PixelEvent";
