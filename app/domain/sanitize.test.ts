// The banner sanitizer against an XSS list (OWASP's filter-evasion cheat sheet, the classic vectors):
// nothing that runs script, loads a resource or carries an event handler comes out.
/* eslint-disable no-script-url -- the script URLs are the test's input */
import { describe, expect, it } from "vitest";
import { parseCampaignForm } from "./campaign-form";
import { plainText, safeColour, safeUrl, sanitizeBannerHtml } from "./sanitize";
import { XSS_VECTORS } from "./xss-vectors.testing";

/** What must never come out: script, handlers, dangerous schemes, elements that load or run things. */
const DANGER = [
  /<\s*script/i,
  /<\s*(iframe|object|embed|svg|math|img|style|link|meta|base|form|input|body|table|div|details|template|noscript)\b/i,
  /\son[a-z]+\s*=/i,
  /javascript\s*:/i,
  /vbscript\s*:/i,
  /data\s*:/i,
  /href\s*=\s*"\/\//i,
  /style\s*=/i,
];

describe("sanitizeBannerHtml", () => {
  it.each(XSS_VECTORS)("neutralises %s", (vector) => {
    const out = sanitizeBannerHtml(vector);
    for (const pattern of DANGER) expect(out).not.toMatch(pattern);
  });

  it("keeps the allowed formatting and safe links", () => {
    expect(
      sanitizeBannerHtml(
        `<p>Hello <strong>VIP</strong>, <em>thanks</em>!<br>See <a href="/collections/sale">the sale</a></p>`,
      ),
    ).toBe(
      `<p>Hello <strong>VIP</strong>, <em>thanks</em>!<br />See <a href="/collections/sale" rel="noopener">the sale</a></p>`,
    );
    expect(sanitizeBannerHtml(`<ul><li>one</li></ul>`)).toBe(`<ul><li>one</li></ul>`);
  });
});

describe("plain text, URLs, colours", () => {
  it("plain text drops tags and scripts", () => {
    expect(plainText(`Hi <b>there</b><script>alert(1)</script>`)).toBe("Hi there");
    expect(plainText(`Fish & chips <3`)).toBe("Fish & chips <3");
  });
  it.each([
    ["/collections/sale", "/collections/sale"],
    ["https://shop.example/x?y=1", "https://shop.example/x?y=1"],
    ["javascript:alert(1)", null],
    ["JAVASCRIPT:alert(1)", null],
    ["data:text/html,x", null],
    ["//evil.example", null],
    ["/a\nb", null],
    ['/x" onmouseover="y', null],
    ["", null],
  ])("safeUrl(%j)", (input, out) => expect(safeUrl(input)).toBe(out));
  it.each([
    ["#FFF", "#fff"],
    ["#1a2b3c", "#1a2b3c"],
    ["red", null],
    ["#12345", null],
    ["#fff;background:url(x)", null],
  ])("safeColour(%j)", (input, out) => expect(safeColour(input)).toBe(out));
});

describe("parseCampaignForm", () => {
  const base = { name: "VIP welcome", headline: "Hello", segmentId: "3" };

  it("sanitizes every merchant field on the way in", () => {
    const parsed = parseCampaignForm({
      ...base,
      name: `<img src=x onerror=alert(1)>VIP`,
      headline: `<script>alert(1)</script>Welcome <b>back</b>`,
      bodyHtml: `<p onclick="x()">Thanks</p><script>alert(1)</script>`,
      buttonLabel: `<i>Shop</i>`,
      buttonLink: "/collections/vip",
    });
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        name: "VIP",
        headline: "Welcome back",
        bodyHtml: "<p>Thanks</p>",
        buttonLabel: "Shop",
        buttonLink: "/collections/vip",
      },
    });
  });

  it.each([
    [{ name: "" }, "name"],
    [{ headline: "" }, "headline"],
    [{ buttonLink: "javascript:alert(1)", buttonLabel: "x" }, "buttonLink"],
    [{ buttonLabel: "Go" }, "buttonLink"],
    [{ imageUrl: "/relative.png" }, "imageUrl"],
    [{ textColor: "red" }, "textColor"],
    [{ holdoutPercent: "60" }, "holdoutPercent"],
    [{ holdoutPercent: "1.5" }, "holdoutPercent"],
    [{ priority: "-1" }, "priority"],
    [{ startsAt: "2026-13-01" }, "startsAt"],
    [{ startsAt: "2026-12-10", endsAt: "2026-12-01" }, "endsAt"],
    [{ countries: "US, Canada" }, "countries"],
    [{ status: "live" }, "status"],
    [{ strategy: "magic" }, "strategy"],
    [{ strategy: "segment", segmentId: "" }, "strategy"],
    [{ segmentId: "abc" }, "segmentId"],
  ])("refuses %j with an error on %s", (over, field) => {
    const parsed = parseCampaignForm({ ...base, ...over });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[field]).toBeTruthy();
  });

  it("reads countries, dates and defaults", () => {
    const parsed = parseCampaignForm({ ...base, segmentId: "", countries: "us ca,US", startsAt: "2026-12-01" });
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        segmentId: null,
        countries: ["US", "CA"],
        startsAt: new Date("2026-12-01T00:00:00Z"),
        endsAt: null,
        holdoutPercent: 10,
        status: "draft",
        strategy: "personal",
        attributionDays: 7,
      },
    });
  });

  it("takes the form's days in the shop's time zone (midnight there), through a DST change", () => {
    const parsed = parseCampaignForm(
      { ...base, startsAt: "2026-03-01", endsAt: "2026-03-09" },
      { timeZone: "America/New_York" },
    );
    expect(parsed).toMatchObject({
      ok: true,
      value: { startsAt: new Date("2026-03-01T05:00:00Z"), endsAt: new Date("2026-03-09T04:00:00Z") },
    });
    // A full instant is taken as it is; an impossible day is refused.
    expect(parseCampaignForm({ ...base, startsAt: "2026-03-01T10:00:00Z" }, { timeZone: "Asia/Tokyo" })).toMatchObject({
      ok: true,
      value: { startsAt: new Date("2026-03-01T10:00:00Z") },
    });
    expect(parseCampaignForm({ ...base, startsAt: "2026-02-31" }, { timeZone: "Asia/Tokyo" })).toMatchObject({
      ok: false,
      errors: { startsAt: "must be a date such as 2026-12-24" },
    });
  });
});
