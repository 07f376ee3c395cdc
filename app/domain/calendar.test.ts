import { describe, expect, it } from "vitest";
import { addToYmd, dayStart, isValidYmd, localDate } from "./calendar";

describe("calendar", () => {
  it.each([
    ["2025-03-10", "UTC", "2025-03-10T00:00:00.000Z"],
    ["2025-03-10", "America/New_York", "2025-03-10T04:00:00.000Z"], // after the spring change: EDT
    ["2025-03-09", "America/New_York", "2025-03-09T05:00:00.000Z"], // the change happens at 2:00
    ["2025-11-02", "America/New_York", "2025-11-02T04:00:00.000Z"],
    ["2025-06-01", "Asia/Kolkata", "2025-05-31T18:30:00.000Z"],
    ["2025-01-01", "Pacific/Kiritimati", "2024-12-31T10:00:00.000Z"],
  ])("day %s in %s starts at %s", (ymd, zone, iso) => {
    expect(dayStart(ymd, zone).toISOString()).toBe(iso);
    expect(localDate(dayStart(ymd, zone), zone)).toBe(ymd);
  });

  it.each([
    ["2025-03-31", -1, "m", "2025-02-28"],
    ["2024-03-31", -1, "m", "2024-02-29"],
    ["2025-01-31", 1, "m", "2025-02-28"],
    ["2025-01-01", -90, "d", "2024-10-03"],
    ["2025-01-01", -4, "w", "2024-12-04"],
    ["2024-02-29", -1, "y", "2023-02-28"],
  ] as const)("%s %s%s = %s", (ymd, amount, unit, expected) => {
    expect(addToYmd(ymd, amount, unit)).toBe(expected);
  });

  it.each([
    ["2025-02-29", false],
    ["2024-02-29", true],
    ["2025-13-01", false],
    ["25-01-01", false],
  ])("%s valid: %s", (ymd, ok) => {
    expect(isValidYmd(ymd)).toBe(ok);
  });
});
