// Streams a CDNOW file into a shop through the same upserts as every other source.
import fs from "node:fs";
import readline from "node:readline";
import type { Db } from "~/db/database.server";
import { refreshRfm } from "~/models/rfm.server";
import type { OrderRow } from "~/domain/rows";
import {
  recomputeFacts,
  refreshPlannerStatistics,
  upsertCustomers,
  upsertOrders,
  upsertShop,
} from "~/models/store.server";
import { cdnowCustomer, cdnowOrder, parseCdnowLine } from "~/sync/cdnow";

export type CdnowImportResult = { rows: number; customers: number; errors: string[] };

const BATCH = 2_000;

export async function importCdnow(
  db: Db,
  { file, shop, now }: { file: string; shop: string; now: Date },
): Promise<CdnowImportResult> {
  await upsertShop(db, { domain: shop, name: "CDNOW", currencyCode: "USD", ianaTimezone: "UTC" });
  // First and last purchase per customer: small (two dates a customer), and it makes the customer rows
  // right whatever order the file is in.
  const seen = new Map<string, { first: Date; last: Date }>();
  const errors: string[] = [];
  let batch: OrderRow[] = [];
  let rows = 0;
  const input = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of input) {
    lineNumber += 1;
    const parsed = parseCdnowLine(text, lineNumber);
    if (parsed === null) continue;
    if ("error" in parsed) {
      errors.push(parsed.error);
      continue;
    }
    const { record } = parsed;
    rows += 1;
    const span = seen.get(record.customerId);
    if (!span) seen.set(record.customerId, { first: record.date, last: record.date });
    else {
      if (record.date < span.first) span.first = record.date;
      if (record.date > span.last) span.last = record.date;
    }
    batch.push(cdnowOrder(record));
    if (batch.length >= BATCH) {
      await upsertOrders(db, { shop, rows: batch, now });
      batch = [];
    }
  }
  await upsertOrders(db, { shop, rows: batch, now });
  const customers = [...seen].map(([id, span]) => cdnowCustomer(id, span.first, span.last));
  for (let i = 0; i < customers.length; i += BATCH) {
    await upsertCustomers(db, { shop, rows: customers.slice(i, i + BATCH), now });
  }
  await recomputeFacts(db, { shop, now });
  await refreshRfm(db, { shop });
  await refreshPlannerStatistics(db);
  return { rows, customers: customers.length, errors };
}
