// The columns each of the store's upserts writes (store.server.ts): a table's column, its PostgreSQL
// type (the unnest arrays are cast to it) and how a row gives its value. Order lines take four of
// theirs from their order (decision 039).
import type { CustomerRow, OrderLineRow, OrderRow, ProductRow } from "~/domain/rows";

export type PgType = "text" | "int" | "bigint" | "boolean" | "timestamp";
export type Column<R> = { type: PgType; get: (row: R) => unknown };
export type LineWithOrder = OrderLineRow & { orderId: string; order: OrderRow };
export const col = <R>(type: PgType, get: (row: R) => unknown): Column<R> => ({ type, get });

export const CUSTOMER_COLUMNS: Record<string, Column<CustomerRow>> = {
  id: col<CustomerRow>("text", (c) => c.id),
  email: col<CustomerRow>("text", (c) => c.email),
  firstName: col<CustomerRow>("text", (c) => c.firstName),
  lastName: col<CustomerRow>("text", (c) => c.lastName),
  countryCode: col<CustomerRow>("text", (c) => c.countryCode),
  provinceCode: col<CustomerRow>("text", (c) => c.provinceCode),
  city: col<CustomerRow>("text", (c) => c.city),
  tags: col<CustomerRow>("text", (c) => c.tags.join(",")),
  emailMarketingState: col<CustomerRow>("text", (c) => c.emailMarketingState),
  smsMarketingState: col<CustomerRow>("text", (c) => c.smsMarketingState),
  createdAt: col<CustomerRow>("timestamp", (c) => c.createdAt),
  updatedAt: col<CustomerRow>("timestamp", (c) => c.updatedAt),
};

export const ORDER_COLUMNS: Record<string, Column<OrderRow>> = {
  id: col<OrderRow>("text", (o) => o.id),
  name: col<OrderRow>("text", (o) => o.name),
  customerId: col<OrderRow>("text", (o) => o.customerId),
  email: col<OrderRow>("text", (o) => o.email),
  createdAt: col<OrderRow>("timestamp", (o) => o.createdAt),
  processedAt: col<OrderRow>("timestamp", (o) => o.processedAt),
  updatedAt: col<OrderRow>("timestamp", (o) => o.updatedAt),
  cancelledAt: col<OrderRow>("timestamp", (o) => o.cancelledAt),
  currencyCode: col<OrderRow>("text", (o) => o.currencyCode),
  totalMinor: col<OrderRow>("bigint", (o) => o.totalMinor),
  refundedMinor: col<OrderRow>("bigint", (o) => o.refundedMinor),
  financialStatus: col<OrderRow>("text", (o) => o.financialStatus),
  test: col<OrderRow>("boolean", (o) => o.test),
};

export const LINE_COLUMNS: Record<string, Column<LineWithOrder>> = {
  id: col<LineWithOrder>("text", (l) => l.id),
  orderId: col<LineWithOrder>("text", (l) => l.orderId),
  productId: col<LineWithOrder>("text", (l) => l.productId),
  variantId: col<LineWithOrder>("text", (l) => l.variantId),
  title: col<LineWithOrder>("text", (l) => l.title),
  sku: col<LineWithOrder>("text", (l) => l.sku),
  productType: col<LineWithOrder>("text", (l) => l.productType),
  vendor: col<LineWithOrder>("text", (l) => l.vendor),
  quantity: col<LineWithOrder>("int", (l) => l.quantity),
  priceMinor: col<LineWithOrder>("bigint", (l) => l.priceMinor),
  // The order's, copied (decision 039): purchase rules read the lines alone.
  customerId: col<LineWithOrder>("text", (l) => l.order.customerId),
  processedAt: col<LineWithOrder>("timestamp", (l) => l.order.processedAt),
  test: col<LineWithOrder>("boolean", (l) => l.order.test),
  cancelledAt: col<LineWithOrder>("timestamp", (l) => l.order.cancelledAt),
};

export const PRODUCT_COLUMNS: Record<string, Column<ProductRow>> = {
  id: col<ProductRow>("text", (p) => p.id),
  handle: col<ProductRow>("text", (p) => p.handle),
  title: col<ProductRow>("text", (p) => p.title),
  productType: col<ProductRow>("text", (p) => p.productType),
  vendor: col<ProductRow>("text", (p) => p.vendor),
  tags: col<ProductRow>("text", (p) => p.tags.join(",")),
  status: col<ProductRow>("text", (p) => p.status),
  imageUrl: col<ProductRow>("text", (p) => p.imageUrl),
  priceMinor: col<ProductRow>("bigint", (p) => p.priceMinor),
  createdAt: col<ProductRow>("timestamp", (p) => p.createdAt),
  updatedAt: col<ProductRow>("timestamp", (p) => p.updatedAt),
};
