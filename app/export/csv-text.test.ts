import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvField, csvRecords, UTF8_BOM } from "./csv-text";

// The reference: csv-stringify, with the options the export used before it wrote its own text
// (docs/decisions/022 and 038), and the library's own option for the same rule.
const before = { record_delimiter: "windows", quoted_match: /[\r\n]/ } as const;
const option = { record_delimiter: "windows", quote_record_delimiter: true } as const;

// Text made mostly of the characters that matter to CSV, so that the property meets them often.
const cell = fc.stringOf(
  fc.oneof(
    fc.constantFrom(",", '"', "\r", "\n", "\r\n", "'", "=", " ", "\t", ";", "a", "Z", "0", "é", "日", "\uFEFF", "😀"),
    fc.fullUnicode(),
  ),
  { maxLength: 12 },
);
const records = fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 8 });

describe("CSV text", () => {
  it("is csv-stringify's text for any records of strings (property)", () => {
    fc.assert(
      fc.property(records, (rs) => {
        const text = csvRecords(rs);
        return text === stringify(rs, before) && text === stringify(rs, option);
      }),
      { numRuns: 5_000 },
    );
  });

  it("with a BOM is csv-stringify's with its `bom` option", () => {
    const rs = [
      ["a", "b,c"],
      ["", '"'],
    ];
    expect(UTF8_BOM + csvRecords(rs)).toBe(stringify(rs, { ...before, bom: true }));
    expect(Buffer.from(UTF8_BOM + csvRecords(rs)).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it("reads back as written (property)", () => {
    fc.assert(
      fc.property(records, (rs) => {
        const nonEmpty = rs.filter((r) => r.length > 1 || r[0] !== "");
        if (nonEmpty.length === 0) return true;
        expect(parse(csvRecords(nonEmpty), { relax_column_count: true })).toEqual(nonEmpty);
        return true;
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ["plain", "plain"],
    ["", ""],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["carriage\rreturn", '"carriage\rreturn"'],
    ["crlf\r\n", '"crlf\r\n"'],
    ["'=SUM(A1)", "'=SUM(A1)"],
  ])("%j is written %j", (value, written) => expect(csvField(value)).toBe(written));

  it("ends every record with CRLF, and writes nothing for no records", () => {
    expect(csvRecords([["a", "b"], ["c"]])).toBe("a,b\r\nc\r\n");
    expect(csvRecords([])).toBe("");
  });
});
