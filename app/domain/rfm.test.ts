import { describe, expect, it } from "vitest";
import { cutPoints, rfmGroup, scoreAgainst } from "./rfm";

describe("RFM", () => {
  it("cuts a population into quintiles and scores against the cuts", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const cuts = cutPoints(values);
    expect(cuts).toEqual([21, 41, 61, 81]);
    const scores = values.map((v) => scoreAgainst(v, cuts));
    for (let s = 1; s <= 5; s++) expect(scores.filter((x) => x === s)).toHaveLength(20);
  });

  it("keeps ties together", () => {
    const values = [1, 1, 1, 1, 1, 1, 1, 1, 2, 3];
    const cuts = cutPoints(values);
    expect(new Set(values.filter((v) => v === 1).map((v) => scoreAgainst(v, cuts))).size).toBe(1);
  });

  it.each([
    [5, 5, 5, "CHAMPIONS"],
    [5, 1, 1, "NEW"],
    [4, 5, 4, "LOYAL"],
    [3, 3, 3, "NEEDS_ATTENTION"],
    [2, 4, 3, "AT_RISK"],
    [1, 5, 5, "PREVIOUSLY_LOYAL"],
    [1, 1, 2, "DORMANT"],
    [2, 1, 1, "ALMOST_LOST"],
    [4, 3, 2, "ACTIVE"], // FM = round((3 + 2) / 2) = 3
  ])("R=%i F=%i M=%i is %s", (r, f, m, group) => {
    expect(rfmGroup(r, f, m)).toBe(group);
  });
});
