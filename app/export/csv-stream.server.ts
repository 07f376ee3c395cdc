// A segment's members as a CSV byte stream: pages from the database (members.server.ts, keyset order)
// -> rows (csv.ts: fields and the formula guard) -> csv-stringify (RFC 4180 quoting, CRLF). Piped with
// back-pressure, so a slow reader holds the database reads back and memory stays about one page.
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import type { Executor } from "~/db/database.server";
import { shopContext } from "~/models/segments/rules.server";
import { csvOptions, headerRow, memberRow, needsPredictions, type ExportContext, type FieldName } from "./csv";
import { members } from "./members.server";

export type CsvOptions = {
  shop: string;
  segmentId: number;
  fields: readonly FieldName[];
  /** A UTF-8 byte-order mark first, for spreadsheets. */
  bom?: boolean;
  now: Date;
  pageSize?: number;
};

export async function exportContext(db: Executor, { shop, now }: { shop: string; now: Date }): Promise<ExportContext> {
  const ctx = await shopContext(db, { shop, now });
  return {
    now,
    currencyCode: ctx.currencyCode,
    timeZone: ctx.timeZone,
    lifecycle: ctx.lifecycle ?? { lapsingDays: 90, lapsedDays: 180, loyalOrders: 4 },
  };
}

/** The CSV as a Node stream of bytes; the caller pipes it (to a response, a file). */
export function csvNodeStream(db: Executor, options: CsvOptions): Readable {
  const { shop, segmentId, fields, now, pageSize } = options;
  async function* rows(): AsyncGenerator<string[]> {
    const ctx = await exportContext(db, { shop, now });
    yield headerRow(fields);
    const predictions = needsPredictions(fields);
    for await (const page of members(db, { shop, segmentId, pageSize, predictions })) {
      for (const member of page) yield memberRow(member, fields, ctx);
    }
  }
  const source = Readable.from(rows(), { objectMode: true, highWaterMark: 256 });
  const csv = stringify({ ...csvOptions(), bom: options.bom === true });
  source.on("error", (error) => csv.destroy(error));
  return source.pipe(csv);
}

/** The same as a web ReadableStream, for a Remix response. */
export function csvWebStream(db: Executor, options: CsvOptions): ReadableStream<Uint8Array> {
  return Readable.toWeb(csvNodeStream(db, options)) as unknown as ReadableStream<Uint8Array>;
}
