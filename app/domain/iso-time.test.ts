import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoTimestamp } from "./iso-time";

const iso = (ms: number) => new Date(ms).toISOString();

describe("isoTimestamp is toISOString", () => {
  it.each([
    "1970-01-01T00:00:00.000Z",
    "1969-12-31T23:59:59.999Z",
    "0000-01-01T00:00:00.000Z",
    "0000-02-29T12:00:00.000Z", // year 0 is a leap year (divisible by 400)
    "0999-12-31T23:59:59.999Z",
    "1600-02-29T00:00:00.000Z",
    "1900-02-28T23:59:59.999Z",
    "1900-03-01T00:00:00.000Z", // 1900 is not a leap year
    "2000-02-29T00:00:00.000Z",
    "2000-03-01T00:00:00.000Z",
    "2024-02-29T23:59:59.999Z",
    "2024-12-31T23:59:59.999Z",
    "2025-03-09T07:00:00.001Z",
    "2100-02-28T00:00:00.000Z",
    "2100-03-01T00:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
  ])("%s", (text) => {
    const ms = Date.parse(text);
    expect(isoTimestamp(ms)).toBe(text);
    expect(isoTimestamp(ms)).toBe(iso(ms));
  });

  it("on every instant of years 0 to 9999 (property)", () => {
    const instant = fc.bigInt({
      min: BigInt(Date.parse("0000-01-01T00:00:00Z")),
      max: BigInt(Date.parse("9999-12-31T23:59:59.999Z")),
    });
    fc.assert(
      fc.property(instant, (ms) => isoTimestamp(Number(ms)) === iso(Number(ms))),
      { numRuns: 20_000 },
    );
  });

  it("on every day's first and last millisecond from 1900 to 2200", () => {
    const bad: string[] = [];
    for (let day = Date.parse("1900-01-01T00:00:00Z"); day < Date.parse("2200-01-01T00:00:00Z"); day += 86_400_000)
      for (const ms of [day, day + 86_399_999]) if (isoTimestamp(ms) !== iso(ms)) bad.push(iso(ms));
    expect(bad).toEqual([]);
  });

  it("outside years 0 to 9999 it is toISOString's own six-digit form, and an invalid time throws as it does", () => {
    for (const text of ["-000001-12-31T23:59:59.999Z", "+010000-01-01T00:00:00.000Z", "+275760-09-13T00:00:00.000Z"])
      expect(isoTimestamp(Date.parse(text))).toBe(text);
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError);
    expect(() => isoTimestamp(8.64e15 + 1)).toThrow(RangeError);
  });
});
