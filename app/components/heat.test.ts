import { describe, expect, it } from "vitest";
import { contrast, heatColors } from "./heat";

describe("heatColors", () => {
  it("gives every strength a text colour at 4.5:1 or better", () => {
    for (let i = 0; i <= 100; i++) expect(heatColors(i / 100).contrast).toBeGreaterThanOrEqual(4.5);
  });
  it.each([
    [0, "rgb(26, 26, 26)"],
    [1, "rgb(255, 255, 255)"],
  ])("uses dark text on a pale cell and white on a deep one (heat %d)", (heat, color) => {
    expect(heatColors(heat).color).toBe(color);
  });
  it("computes WCAG contrast (black on white is 21:1)", () => {
    expect(contrast([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
  });
});
