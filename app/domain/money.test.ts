import { describe, expect, it } from "vitest";
import { currencyExponent, displayMoney, formatMinor, MoneyFormatError, parseMinor } from "./money";

describe("parseMinor", () => {
  it.each([
    ["12.30", "USD", 1230n],
    ["12.3", "USD", 1230n],
    ["12", "USD", 1200n],
    ["0.01", "USD", 1n],
    [".5", "USD", 50n],
    ["-4.20", "USD", -420n],
    ["2500315.63", "USD", 250031563n],
    ["1500", "JPY", 1500n],
    ["1.234", "KWD", 1234n],
    ["10.005", "USD", 1001n], // more decimals than the currency has: half away from zero
    ["10.004", "USD", 1000n],
    ["-10.005", "USD", -1001n],
    ["99999999999999999.99", "USD", 9999999999999999999n], // beyond 2^53: still exact
  ])("%s %s -> %s", (text, currency, minor) => {
    expect(parseMinor(text, currency)).toBe(minor);
  });

  it.each(["", ".", "abc", "1,000.00", "1e5", "12.3.4", "--1", " "])("rejects %j", (text) => {
    expect(() => parseMinor(text, "USD")).toThrow(MoneyFormatError);
  });
});

describe("formatMinor", () => {
  it.each([
    [1230n, "USD", "12.30"],
    [5n, "USD", "0.05"],
    [-5n, "USD", "-0.05"],
    [0n, "USD", "0.00"],
    [1500n, "JPY", "1500"],
    [1234n, "KWD", "1.234"],
    [250031563n, "USD", "2500315.63"],
  ])("%s %s -> %s", (minor, currency, text) => {
    expect(formatMinor(minor, currency)).toBe(text);
    expect(parseMinor(text, currency)).toBe(minor);
  });
});

describe("currency", () => {
  it.each([
    ["USD", 2],
    ["usd", 2],
    ["JPY", 0],
    ["KWD", 3],
    ["EUR", 2],
  ])("%s has %d decimals", (code, exp) => expect(currencyExponent(code)).toBe(exp));

  it("displays in the merchant's format", () => {
    expect(displayMoney(250031563n, "USD")).toBe("$2,500,315.63");
    expect(displayMoney(1500n, "JPY")).toBe("¥1,500");
  });
});
