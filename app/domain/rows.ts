// The rows Tailored keeps of a shop, as plain data: what mappers (webhooks, bulk backfill, CDNOW, the
// demo generator) produce and what app/models/store.server.ts writes. Money is integer minor units in
// the shop's currency; ids are Shopify's numeric ids as strings; times are UTC Dates.

export type MarketingState = "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING" | "REDACTED" | "INVALID";

export type CustomerRow = {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  countryCode: string | null;
  provinceCode: string | null;
  city: string | null;
  tags: string[];
  emailMarketingState: MarketingState;
  smsMarketingState: MarketingState;
  createdAt: Date;
  updatedAt: Date;
};

export type OrderLineRow = {
  id: string;
  productId: string | null;
  variantId: string | null;
  title: string | null;
  sku: string | null;
  productType: string | null;
  vendor: string | null;
  quantity: number;
  priceMinor: bigint; // unit price
};

export type FinancialStatus =
  "PENDING" | "AUTHORIZED" | "PAID" | "PARTIALLY_PAID" | "PARTIALLY_REFUNDED" | "REFUNDED" | "VOIDED" | "EXPIRED";

export type OrderRow = {
  id: string;
  name: string | null;
  customerId: string | null;
  email: string | null;
  createdAt: Date;
  processedAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  currencyCode: string;
  totalMinor: bigint;
  refundedMinor: bigint;
  financialStatus: FinancialStatus | null;
  test: boolean;
  lines: OrderLineRow[];
};

export type ProductStatus = "ACTIVE" | "ARCHIVED" | "DRAFT";

export type ProductRow = {
  id: string;
  handle: string;
  title: string;
  productType: string | null;
  vendor: string | null;
  tags: string[];
  status: ProductStatus;
  imageUrl: string | null;
  priceMinor: bigint | null;
  createdAt: Date;
  updatedAt: Date;
};

export type ShopRow = {
  domain: string;
  name: string | null;
  currencyCode: string;
  ianaTimezone: string;
};

/** Shopify tags arrive as "a, b ,c"; we keep them trimmed, non-empty and unique, in arrival order. */
export function normalizeTags(tags: string | readonly string[]): string[] {
  const list = typeof tags === "string" ? tags.split(",") : tags;
  const seen = new Set<string>();
  for (const tag of list) {
    const t = tag.trim();
    if (t !== "" && !seen.has(t)) seen.add(t);
  }
  return [...seen];
}
