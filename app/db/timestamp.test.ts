import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTimestamp } from "./timestamp";

// What the parser replaced, and still uses for the unusual forms: the reference.
const general = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const same = (text: string) => {
  const got = parseTimestamp(text).getTime();
  const want = general(text).getTime();
  return Number.isNaN(want) ? Number.isNaN(got) : got === want;
};

describe("parseTimestamp", () => {
  it.each([
    ["2026-01-31 09:05:00", "2026-01-31T09:05:00.000Z"],
    ["2026-01-31 09:05:00.1", "2026-01-31T09:05:00.100Z"],
    ["2026-01-31 09:05:00.12", "2026-01-31T09:05:00.120Z"],
    ["2026-01-31 09:05:00.123", "2026-01-31T09:05:00.123Z"],
    ["2026-01-31 09:05:00.123999", "2026-01-31T09:05:00.123Z"], // microseconds cut, not rounded, as Date does
    ["2024-02-29 23:59:59.999", "2024-02-29T23:59:59.999Z"],
    ["1969-12-31 23:59:59.999", "1969-12-31T23:59:59.999Z"],
    ["0100-01-01 00:00:00", "0100-01-01T00:00:00.000Z"],
    ["0050-06-01 12:00:00", "0050-06-01T12:00:00.000Z"], // before 100: the general way
    ["9999-12-31 23:59:59.999", "9999-12-31T23:59:59.999Z"],
  ])("%s is %s", (text, iso) => {
    expect(parseTimestamp(text).toISOString()).toBe(iso);
    expect(same(text)).toBe(true);
  });

  it.each(["infinity", "-infinity", "2026-01-31 09:05:00 BC", "10000-01-01 00:00:00", "2026-01-31 09:05:00.", "x"])(
    "%j is read the general way",
    (text) => expect(same(text)).toBe(true),
  );

  it("agrees with the general way on PostgreSQL's text of any instant (property)", () => {
    const instant = fc.bigInt({
      min: BigInt(Date.parse("0001-01-01T00:00:00Z")),
      max: BigInt(Date.parse("9999-12-31T23:59:59.999Z")),
    });
    const micros = fc.integer({ min: 0, max: 999_999 });
    fc.assert(
      fc.property(instant, micros, (ms, us) => {
        // As PostgreSQL writes a timestamp: a space, and the fraction's trailing zeros dropped.
        const iso = new Date(Number(ms)).toISOString();
        const fraction = String(us).padStart(6, "0").replace(/0+$/, "");
        const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""}`;
        return same(text);
      }),
      { numRuns: 20_000 },
    );
  });

  it("agrees with the general way on any digits in a timestamp's places (property)", () => {
    const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, "0"));
    const fraction = fc.constantFrom("", ".5", ".05", ".999", ".1234", ".000001");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), two, two, two, two, two, fraction, (y, mo, d, h, mi, s, f) =>
        same(`${String(y).padStart(4, "0")}-${mo}-${d} ${h}:${mi}:${s}${f}`),
      ),
      { numRuns: 20_000 },
    );
  });

  it("agrees with the general way on text that only looks like a timestamp (property)", () => {
    const near = fc.stringOf(fc.constantFrom("0", "1", "2", "9", "-", " ", ":", ".", "a"), {
      minLength: 17,
      maxLength: 28,
    });
    fc.assert(fc.property(near, same), { numRuns: 20_000 });
  });
});
