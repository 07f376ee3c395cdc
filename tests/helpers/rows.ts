// Small row builders for tests: a valid row with the fields a test cares about overridden.
import type { CustomerRow, OrderLineRow, OrderRow } from "~/domain/rows";

export const t = (iso: string) => new Date(iso);

export function customer(overrides: Partial<CustomerRow> & { id: string }): CustomerRow {
  return {
    email: `c${overrides.id}@example.com`,
    firstName: "Ada",
    lastName: "Lovelace",
    countryCode: "GB",
    provinceCode: null,
    city: "London",
    tags: [],
    emailMarketingState: "SUBSCRIBED",
    smsMarketingState: "NOT_SUBSCRIBED",
    createdAt: t("2025-01-01T00:00:00Z"),
    updatedAt: t("2025-01-01T00:00:00Z"),
    ...overrides,
  };
}

export function line(overrides: Partial<OrderLineRow> & { id: string }): OrderLineRow {
  return {
    productId: "p1",
    variantId: "v1",
    title: "Beans",
    sku: null,
    productType: "Coffee",
    vendor: "Roaster",
    quantity: 1,
    priceMinor: 1000n,
    ...overrides,
  };
}

export function order(overrides: Partial<OrderRow> & { id: string }): OrderRow {
  const processedAt = overrides.processedAt ?? t("2025-02-01T12:00:00Z");
  return {
    name: `#${overrides.id}`,
    customerId: "1",
    email: null,
    createdAt: processedAt,
    processedAt,
    updatedAt: processedAt,
    cancelledAt: null,
    currencyCode: "USD",
    totalMinor: 1000n,
    refundedMinor: 0n,
    financialStatus: "PAID",
    test: false,
    lines: [line({ id: `${overrides.id}-1` })],
    ...overrides,
  };
}
