// RFC 4180 text: fields separated by commas, every record ended by CRLF, and a field that holds a
// comma, a double quote, a CR or an LF between double quotes, its own double quotes doubled. A lone CR
// or LF is quoted too: a spreadsheet would otherwise read it as the end of a record.
//
// Ours rather than csv-stringify's (docs/decisions/038-export-throughput.md): csv-stringify makes
// several arrays and objects for every field it writes (a cast result, a context, the separators it
// looks for), about 3.7 µs and most of the garbage of a CSV row of eleven fields; at a million rows
// that alone was a third of the 10 s the export may take. This writes the same bytes as csv-stringify
// with `record_delimiter: "windows"` and `quote_record_delimiter: true` for records of strings, which
// a property test holds it to (csv-text.test.ts), with csv-stringify as the reference.

const NEEDS_QUOTES = /[",\r\n]/;

/** One field as written. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The records as CSV text, each ended by CRLF. */
export function csvRecords(records: readonly (readonly string[])[]): string {
  let out = "";
  for (const record of records) {
    for (let i = 0; i < record.length; i++) {
      if (i > 0) out += ",";
      out += csvField(record[i]!);
    }
    out += "\r\n";
  }
  return out;
}

/** U+FEFF, so that spreadsheets (Excel) read the file as UTF-8. */
export const UTF8_BOM = "\uFEFF";
