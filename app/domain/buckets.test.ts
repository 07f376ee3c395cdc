import { describe, expect, it } from "vitest";
import { localDays, localWeeks, mondayOf } from "./buckets";

describe("calendar buckets in the shop's zone", () => {
  it.each([
    ["2026-06-29", "2026-06-29"], // a Monday
    ["2026-07-05", "2026-06-29"], // the Sunday after
    ["2026-07-01", "2026-06-29"],
    ["2026-01-01", "2025-12-29"], // across a year
  ])("the week of %s starts on %s", (day, monday) => {
    expect(mondayOf(day)).toBe(monday);
  });

  it("puts an instant in the shop's week, not UTC's", () => {
    // Monday 2026-06-29 03:00 UTC is still Sunday evening in Los Angeles, already Monday in Auckland.
    const now = new Date("2026-06-29T03:00:00Z");
    expect(localWeeks(now, "UTC", 1)[0]!.first).toBe("2026-06-29");
    expect(localWeeks(now, "America/Los_Angeles", 1)[0]!.first).toBe("2026-06-22");
    expect(localWeeks(now, "Pacific/Auckland", 1)[0]!.first).toBe("2026-06-29");
    const [la] = localWeeks(now, "America/Los_Angeles", 1);
    expect(la).toEqual({
      first: "2026-06-22",
      last: "2026-06-28",
      from: new Date("2026-06-22T07:00:00Z"),
      to: new Date("2026-06-29T07:00:00Z"),
    });
  });

  it("weeks follow one another without gap or overlap, across a change of clocks", () => {
    const weeks = localWeeks(new Date("2026-11-10T12:00:00Z"), "Europe/Berlin", 12);
    expect(weeks).toHaveLength(12);
    for (let i = 1; i < weeks.length; i++) expect(weeks[i]!.from).toEqual(weeks[i - 1]!.to);
    // the week of 2026-10-25 (clocks back in Berlin) is an hour longer
    const long = weeks.find((w) => w.first === "2026-10-19")!;
    expect(long.to.getTime() - long.from.getTime()).toBe(7 * 86_400_000 + 3_600_000);
  });

  it("days are the shop's days, today last", () => {
    const days = localDays(new Date("2026-03-08T12:00:00Z"), "America/New_York", 3);
    expect(days.map((d) => d.first)).toEqual(["2026-03-06", "2026-03-07", "2026-03-08"]);
    // 8 March 2026: clocks forward in New York, a 23-hour day
    expect(days[2]!.to.getTime() - days[2]!.from.getTime()).toBe(23 * 3_600_000);
    for (let i = 1; i < days.length; i++) expect(days[i]!.from).toEqual(days[i - 1]!.to);
  });
});
