import { describe, expect, it } from "vitest";
import { formatRate, parseDiscountRate } from "./settings";

describe("parseDiscountRate", () => {
  it.each([
    ["10", 10],
    [" 7.5 ", 7.5],
    ["12,5", 12.5],
    ["8 %", 8],
    ["8%", 8],
    ["0", 0],
    ["100", 100],
  ])("takes %j as %d %% a year", (input, percent) => {
    expect(parseDiscountRate(input)).toEqual({ ok: true, percent });
  });

  it.each([
    ["", "Enter the discount rate in percent a year, for example 10"],
    ["   ", "Enter the discount rate in percent a year, for example 10"],
    ["ten", "Enter the discount rate as a number of percent a year, for example 10"],
    ["1e2", "Enter the discount rate as a number of percent a year, for example 10"],
    ["0.1.2", "Enter the discount rate as a number of percent a year, for example 10"],
    ["Infinity", "Enter the discount rate as a number of percent a year, for example 10"],
    ["150", "The discount rate must be from 0 to 100 % a year, not 150 %"],
    ["100.01", "The discount rate must be from 0 to 100 % a year, not 100.01 %"],
    ["-5", "The discount rate must be from 0 to 100 % a year, not -5 %"],
  ])("refuses %j: %s", (input, error) => {
    expect(parseDiscountRate(input)).toEqual({ ok: false, error });
  });

  it("refuses what is not text (a missing field, a file)", () => {
    expect(parseDiscountRate(undefined)).toMatchObject({ ok: false });
    expect(parseDiscountRate(new Blob(["10"]))).toMatchObject({ ok: false });
  });

  it("writes rates without float noise", () => {
    expect(formatRate(10)).toBe("10 %");
    expect(formatRate(0.1 * 100 + 0.2 * 100)).toBe("30 %");
    expect(formatRate(7.5)).toBe("7.5 %");
  });
});
