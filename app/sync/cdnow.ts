// CDNOW purchase records (the customer-base analysis literature's standard data set) as a shop's
// customers and orders: one order per input row, so that the published figures can be reproduced
// through the same tables and upserts a real shop uses. Pure: text in, rows out.
//
// CDNOW_master.txt: " 00001 19970101  1   11.77" (customer, date, number of CDs, dollars), with a header.
// CDNOW_sample.txt: " 00001 00001 19970101  1   11.77" (master id, sample id, date, CDs, dollars).
import { formatMinor, parseMinor } from "~/domain/money";
import type { CustomerRow, OrderRow } from "~/domain/rows";

export type CdnowRecord = { line: number; customerId: string; date: Date; cds: number; amountMinor: bigint };

export type CdnowParseResult = { record: CdnowRecord } | { error: string } | null;

/**
 * One line of either file. The order id is the line number, which makes a re-import of the same file
 * land on the same rows. Returns null for blank and header lines.
 */
export function parseCdnowLine(text: string, line: number): CdnowParseResult {
  const fields = text.trim().split(/\s+/);
  if (fields.length === 1 && fields[0] === "") return null;
  if (!/^\d/.test(fields[0] ?? "")) return null; // header
  let customer: string, date: string, cds: string, dollars: string;
  if (fields.length === 4) [customer, date, cds, dollars] = fields as [string, string, string, string];
  else if (fields.length === 5) [customer, , date, cds, dollars] = fields as [string, string, string, string, string];
  else return { error: `line ${line}: expected 4 or 5 columns, found ${fields.length}` };
  const ymd = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (!/^\d+$/.test(customer) || !ymd || !/^\d+$/.test(cds)) {
    return { error: `line ${line}: cannot read "${text.trim()}"` };
  }
  const when = new Date(Date.UTC(Number(ymd[1]), Number(ymd[2]) - 1, Number(ymd[3])));
  if (when.getUTCMonth() !== Number(ymd[2]) - 1 || when.getUTCDate() !== Number(ymd[3])) {
    return { error: `line ${line}: no such date ${date}` };
  }
  let amountMinor: bigint;
  try {
    amountMinor = parseMinor(dollars, "USD");
  } catch {
    return { error: `line ${line}: "${dollars}" is not an amount` };
  }
  return {
    record: { line, customerId: String(Number(customer)), date: when, cds: Number(cds), amountMinor },
  };
}

/**
 * One line per order; its unit price is the total spread over the CDs (rounded down), while the
 * order total stays exactly the recorded dollar value.
 */
function unitPrice(record: CdnowRecord): bigint {
  return record.cds > 0 ? record.amountMinor / BigInt(record.cds) : record.amountMinor;
}

export function cdnowOrder(record: CdnowRecord): OrderRow {
  const id = String(record.line);
  return {
    id,
    name: `#${id}`,
    customerId: record.customerId,
    email: null,
    createdAt: record.date,
    processedAt: record.date,
    updatedAt: record.date,
    cancelledAt: null,
    currencyCode: "USD",
    totalMinor: record.amountMinor,
    refundedMinor: 0n,
    financialStatus: "PAID",
    test: false,
    lines: [
      {
        id,
        productId: null,
        variantId: null,
        title: "CD",
        sku: null,
        productType: "Music",
        vendor: "CDNOW",
        quantity: record.cds,
        priceMinor: unitPrice(record),
      },
    ],
  };
}

/** A customer as first seen (first purchase) and last seen (last purchase). */
export function cdnowCustomer(id: string, first: Date, last: Date): CustomerRow {
  return {
    id,
    email: null,
    firstName: null,
    lastName: null,
    countryCode: "US",
    provinceCode: null,
    city: null,
    tags: ["cdnow"],
    emailMarketingState: "NOT_SUBSCRIBED",
    smsMarketingState: "NOT_SUBSCRIBED",
    createdAt: first,
    updatedAt: last,
  };
}

/**
 * A CDNOW row as the orders/create webhook Shopify would send for it (REST shape, API 2025-07), so that
 * the data set can be replayed through the real webhook path. The embedded customer carries the
 * customer's first purchase as created_at and this order's date as updated_at, which leaves the same
 * customer rows as the CLI import whatever order the deliveries arrive in.
 */
export function cdnowOrderPayload(record: CdnowRecord, customerFirstPurchase: Date): Record<string, unknown> {
  const amount = formatMinor(record.amountMinor, "USD");
  const money = { amount, currency_code: "USD" };
  const when = record.date.toISOString();
  const id = record.line;
  const customerId = Number(record.customerId);
  const unit = { amount: formatMinor(unitPrice(record), "USD"), currency_code: "USD" };
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    email: null,
    created_at: when,
    processed_at: when,
    updated_at: when,
    cancelled_at: null,
    cancel_reason: null,
    currency: "USD",
    presentment_currency: "USD",
    financial_status: "paid",
    test: false,
    total_price: amount,
    subtotal_price: amount,
    total_price_set: { shop_money: money, presentment_money: money },
    customer: {
      id: customerId,
      admin_graphql_api_id: `gid://shopify/Customer/${customerId}`,
      email: null,
      first_name: null,
      last_name: null,
      created_at: customerFirstPurchase.toISOString(),
      updated_at: when,
      tags: "cdnow",
      default_address: { country_code: "US", province_code: null, city: null },
      email_marketing_consent: { state: "not_subscribed", opt_in_level: null, consent_updated_at: null },
      sms_marketing_consent: null,
    },
    line_items: [
      {
        id,
        admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
        product_id: null,
        variant_id: null,
        title: "CD",
        sku: null,
        vendor: "CDNOW",
        quantity: record.cds,
        price: unit.amount,
        price_set: { shop_money: unit, presentment_money: unit },
      },
    ],
    refunds: [],
  };
}
