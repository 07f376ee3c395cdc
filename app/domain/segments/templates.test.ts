import { describe, expect, it } from "vitest";
import { prepare } from "./engine";
import { parse, print } from "./query-language";
import { TEMPLATES } from "./templates";

const ctx = {
  now: new Date("2026-01-15T12:00:00Z"),
  timeZone: "UTC",
  currencyCode: "USD",
  shop: "templates.myshopify.com",
};

describe("segment templates", () => {
  it("has at least twelve, with unique keys", () => {
    expect(TEMPLATES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(TEMPLATES.map((t) => t.key)).size).toBe(TEMPLATES.length);
  });

  it.each(TEMPLATES.map((t) => [t.key, t] as const))(
    "%s is a query merchants can read and the engines can run",
    (_key, template) => {
      const parsed = parse(template.query);
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      if (!parsed.ok) return;
      expect(parse(print(parsed.rule))).toEqual(parsed);
      expect(prepare(parsed.rule, ctx).ok).toBe(template.unavailable === undefined);
    },
  );
});
