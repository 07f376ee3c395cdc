import { describe, expect, it } from "vitest";
import { enumLabel, formatDate, formatDateTime, formatDay, formatMoney, formatWholeMoney } from "./format";

describe("enumLabel", () => {
  it.each([
    ["NEEDS_ATTENTION", "Needs attention"],
    ["PREVIOUSLY_LOYAL", "Previously loyal"],
    ["CHAMPIONS", "Champions"],
    ["NOT_SUBSCRIBED", "Not subscribed"],
    ["HIGH", "High"],
    ["vip", "vip"],
    ["Coffee Beans", "Coffee Beans"],
    ["", ""],
  ])("%s reads %s", (value, words) => {
    expect(enumLabel(value)).toBe(words);
  });
});

describe("dates and money in the shop's terms", () => {
  it.each([
    ["2026-03-08T15:30:00Z", "America/New_York", "Mar 8, 2026, 11:30 AM EDT"],
    ["2026-03-08T03:30:00Z", "America/New_York", "Mar 7, 2026, 10:30 PM EST"],
    ["2026-03-08T03:30:00Z", "Asia/Tokyo", "Mar 8, 2026, 12:30 PM GMT+9"],
    ["2026-03-08T03:30:00Z", "UTC", "Mar 8, 2026, 3:30 AM UTC"],
  ])("%s in %s reads %s", (iso, zone, text) => {
    expect(formatDateTime(iso, zone)).toBe(text);
  });

  it("gives an instant's calendar date in the shop's zone, and a day as the day it is", () => {
    expect(formatDate("2026-03-08T03:30:00Z", "America/New_York")).toBe("Mar 7, 2026");
    expect(formatDate("2026-03-08T03:30:00Z", "Europe/Berlin")).toBe("Mar 8, 2026");
    expect(formatDay("2026-03-08")).toBe("Mar 8, 2026");
  });

  it.each([
    [123456789n, "USD", "$1,234,567.89"],
    ["-1050", "EUR", "-€10.50"],
    [1234567n, "JPY", "¥1,234,567"],
    [1234567n, "KWD", "KWD 1,234.567"],
    [99.6, "USD", "$1.00"],
  ])("%s minor %s reads %s", (minor, currency, text) => {
    expect(formatMoney(minor, currency).replace(/\u00a0/g, " ")).toBe(text);
  });

  it.each([
    [500, "USD", "$500"],
    [1500, "EUR", "€1,500"],
    [500, "JPY", "¥500"],
    [500, "KWD", "KWD 500"],
  ])("a whole %s %s reads %s", (amount, currency, text) => {
    expect(formatWholeMoney(amount, currency).replace(/\u00a0/g, " ")).toBe(text);
  });
});
