// CDNOW purchase records (the customer-base analysis literature's standard data set) as a shop's
// customers and orders: one order per input row, so that the published figures can be reproduced
// through the same tables and upserts a real shop uses. Pure: text in, rows out.
//
// CDNOW_master.txt: " 00001 19970101  1   11.77" (customer, date, number of CDs, dollars), with a header.
// CDNOW_sample.txt: " 00001 00001 19970101  1   11.77" (master id, sample id, date, CDs, dollars).
import { parseMinor } from "~/domain/money";
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

export function cdnowOrder(record: CdnowRecord): OrderRow {
  const id = String(record.line);
  // One line per order; its unit price is the total spread over the CDs (rounded down), while the
  // order total stays exactly the recorded dollar value.
  const unit = record.cds > 0 ? record.amountMinor / BigInt(record.cds) : record.amountMinor;
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
        priceMinor: unit,
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
