import { describe, expect, it } from "vitest";
import { isSegmentId, parseSegmentId } from "./segment-id";

describe("segment ids from URLs", () => {
  it.each([
    ["1", 1],
    ["42", 42],
    ["2147483647", 2147483647],
    ["2147483648", null],
    ["99999999999999999999", null],
    ["9007199254740993", null],
    ["0", null],
    ["-1", null],
    ["07", null],
    ["1e3", null],
    ["0x10", null],
    ["1.5", null],
    [" 7", null],
    ["abc", null],
    ["", null],
    [undefined, null],
  ])("%j -> %j", (text, id) => {
    expect(parseSegmentId(text)).toBe(id);
    if (id !== null) expect(isSegmentId(id)).toBe(true);
  });

  it.each([0, -1, 1.5, 2 ** 31, Number.NaN, Number.POSITIVE_INFINITY])("%d is no segment id", (n) => {
    expect(isSegmentId(n)).toBe(false);
  });
});
