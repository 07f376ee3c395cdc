import { describe, expect, it } from "vitest";
import { enumLabel } from "./format";

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
