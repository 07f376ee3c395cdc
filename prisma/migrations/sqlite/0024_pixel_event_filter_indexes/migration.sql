-- Indexes the browsing rules' filters can use (decision 037, amended): written here only, as Prisma's
-- schema language has neither expression nor partial indexes.
-- products_viewed by product type: the rule's folded type (the compiler's LOWER("productType")) is an
-- index condition, and the customer is in the index, so the scan reads no table row.
CREATE INDEX "PixelEvent_shop_name_type_at_idx" ON "PixelEvent" ("shop", "name", LOWER("productType"), "at", "customerId");
-- searched: the search events alone, with their customer and text.
CREATE INDEX "PixelEvent_search_idx" ON "PixelEvent" ("shop", "at", "customerId", "query")
  WHERE "name" = 'search_submitted';
