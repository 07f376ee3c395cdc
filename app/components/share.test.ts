import { describe, expect, it } from "vitest";
import { shareOfCustomers } from "./share";

describe("shareOfCustomers", () => {
  it.each([
    [0, 0, "—"],
    [5, 0, "—"],
    [0, 100, "0%"],
    [1, 1000, "<1%"],
    [10, 1000, "1%"],
    [314, 1000, "31%"],
    [1000, 1000, "100%"],
  ])("%i of %i is %s", (members, customers, expected) => {
    expect(shareOfCustomers(members, customers)).toBe(expected);
  });
});
