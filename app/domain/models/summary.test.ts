import { describe, expect, it } from "vitest";
import { cdnowSampleTransactions, cdnowSummary } from "../../../tests/helpers/cdnow";
import { dayNumber, purchaseDaysBetween, summarize } from "./summary";

describe("summary: (x, t_x, T) from purchase days", () => {
  it.each([
    ["one purchase", [10], 20, { x: 0, tx: 0, T: 10, m: 0 }],
    ["two days", [10, 13], 20, { x: 1, tx: 3, T: 10, m: 0 }],
    ["same day counts once", [10, 10, 13, 13, 13], 20, { x: 1, tx: 3, T: 10, m: 0 }],
    ["after the end ignored", [10, 13, 21], 20, { x: 1, tx: 3, T: 10, m: 0 }],
    ["unsorted", [17, 10, 13], 20, { x: 2, tx: 7, T: 10, m: 0 }],
  ])("%s (days)", (_, days, end, expected) => {
    expect(summarize(days, end, "days")).toMatchObject(expected);
  });

  it("sums a day's values and averages the repeat days'; weeks divide by 7", () => {
    const s = summarize(
      [
        { day: 0, value: 100 },
        { day: 7, value: 10 },
        { day: 7, value: 5 },
        { day: 14, value: 25 },
      ],
      21,
      "weeks",
    );
    expect(s).toEqual({ x: 2, tx: 2, T: 3, m: 20, firstDay: 0 });
  });

  it("is null for a customer who had not bought by the end", () => {
    expect(summarize([30], 20)).toBeNull();
    expect(summarize([], 20)).toBeNull();
  });

  it("day numbers and holdout days", () => {
    expect(dayNumber("1970-01-02")).toBe(1);
    expect(dayNumber("1997-09-30") - dayNumber("1997-01-01")).toBe(272);
    expect(dayNumber("nope")).toBeNaN();
    expect(purchaseDaysBetween([5, 6, 6, 9, 12], 5, 9)).toEqual([6, 9]);
  });

  it("CDNOW_sample.txt summarized at 1997-09-30 equals cdnow_customers_summary_with_transactions.csv", () => {
    const byCustomer = new Map<number, { day: number; value: number }[]>();
    for (const t of cdnowSampleTransactions()) {
      const list = byCustomer.get(t.customer) ?? [];
      list.push({ day: dayNumber(t.day), value: t.dollars });
      byCustomer.set(t.customer, list);
    }
    const csv = cdnowSummary();
    expect(csv).toHaveLength(2357);
    expect(byCustomer.size).toBe(2357);
    const end = dayNumber("1997-09-30");
    const round2 = (v: number) => Math.round(v * 100) / 100;
    const mismatches = csv.filter((row) => {
      const s = summarize(byCustomer.get(row.id)!, end, "weeks");
      // zbar is printed to cents; a mean ending in half a cent may round either way
      return (
        !s ||
        s.x !== row.x ||
        round2(s.tx) !== row.tx ||
        round2(s.T) !== row.T ||
        Math.abs(s.m - row.zbar) > 0.005 + 1e-9
      );
    });
    expect(mismatches).toEqual([]);
  });
});
