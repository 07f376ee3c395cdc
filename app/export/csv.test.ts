import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  columnsFor,
  csvFileName,
  DEFAULT_FIELDS,
  FIELD_NAMES,
  guardCell,
  headerRow,
  lifecycleOf,
  memberRow,
  parseFields,
  type ExportContext,
  type ExportMember,
  type MemberColumn,
} from "./csv";
import { csvRecords } from "./csv-text";
import { UNREAD } from "./members.server";

const ctx: ExportContext = {
  currencyCode: "USD",
  timeZone: "America/New_York",
  now: new Date("2026-06-15T12:00:00Z"),
  lifecycle: { lapsingDays: 90, lapsedDays: 180, loyalOrders: 4 },
};

const member = (over: Partial<ExportMember> = {}): ExportMember => ({
  id: "1001",
  email: "ada@example.com",
  firstName: "Ada",
  lastName: "Lovelace",
  countryCode: "GB",
  provinceCode: null,
  city: "London",
  tags: "vip,newsletter",
  emailMarketingState: "SUBSCRIBED",
  smsMarketingState: "NOT_SUBSCRIBED",
  emailConsentAt: null,
  createdAt: new Date("2024-01-02T03:04:05Z"),
  ordersCount: 3,
  amountSpentMinor: 12345n,
  aovMinor: 4115n,
  firstOrderAt: new Date("2025-01-01T00:00:00Z"),
  lastOrderAt: new Date("2026-06-01T00:00:00Z"),
  rfmGroup: "LOYAL",
  ...over,
});

describe("formula injection guard", () => {
  it.each(["=SUM(A1:A2)", "+1", "-1+2", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")'])(
    "%j starts with an apostrophe",
    (value) => expect(guardCell(value)).toBe(`'${value}`),
  );
  it.each(["plain", "a=b", " =x", "'quoted", "", "1-2"])("%j is left alone", (value) =>
    expect(guardCell(value)).toBe(value),
  );

  it("guards exactly the text that begins with = + - @ tab or CR (property)", () => {
    const start = fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", " ", "'", "a", "＝", "");
    fc.assert(
      fc.property(start, fc.string({ maxLength: 5 }), (first, rest) => {
        const value = first + rest;
        return guardCell(value) === (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
      }),
      { numRuns: 2_000 },
    );
  });

  it("guards every text field a shopper or merchant can type, never our own numbers", () => {
    const evil = member({
      firstName: "=cmd|' /C calc'!A0",
      lastName: "+1",
      city: "@SUM(1)",
      tags: "-2,vip",
      email: "=x@example.com",
    });
    const row = memberRow(
      evil,
      ["first_name", "last_name", "city", "tags", "email", "number_of_orders", "amount_spent"],
      ctx,
    );
    expect(row).toEqual(["'=cmd|' /C calc'!A0", "'+1", "'@SUM(1)", "'-2,vip", "'=x@example.com", "3", "123.45"]);
  });
});

describe("RFC 4180 quoting", () => {
  it("round-trips commas, quotes, newlines and non-ASCII names", () => {
    const tricky = member({ firstName: 'Zoë "Z"', lastName: "O'Brien, Jr.", city: "Line1\nLine2", tags: "a,b" });
    const fields = ["first_name", "last_name", "city", "tags"] as const;
    const text = csvRecords([headerRow(fields), memberRow(tricky, fields, ctx)]);
    expect(text).toBe('First name,Last name,City,Tags\r\n"Zoë ""Z""","O\'Brien, Jr.","Line1\nLine2","a,b"\r\n');
    expect(parse(text)).toEqual([
      ["First name", "Last name", "City", "Tags"],
      ['Zoë "Z"', "O'Brien, Jr.", "Line1\nLine2", "a,b"],
    ]);
  });
});

describe("fields", () => {
  it("defaults, keeps the order given, and refuses unknown names", () => {
    expect(parseFields("")).toEqual({ ok: true, fields: DEFAULT_FIELDS });
    expect(parseFields("tags, email,tags")).toEqual({ ok: true, fields: ["tags", "email"] });
    const bad = parseFields("email,password,<script>");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/unknown fields "password", "<script>"/);
  });

  it("writes every field of a member without facts", () => {
    const row = memberRow(
      member({
        ordersCount: 0,
        amountSpentMinor: 0n,
        aovMinor: null,
        firstOrderAt: null,
        lastOrderAt: null,
        rfmGroup: null,
        email: null,
      }),
      FIELD_NAMES,
      ctx,
    );
    expect(row).toHaveLength(FIELD_NAMES.length);
    expect(row[FIELD_NAMES.indexOf("lifecycle_stage")]).toBe("PROSPECT");
    expect(row[FIELD_NAMES.indexOf("email")]).toBe("");
    expect(row[FIELD_NAMES.indexOf("average_order_value")]).toBe("");
  });
});

describe("the columns a field reads", () => {
  // A column not read holds its UNREAD value (members.server.ts): the CSV selects only columnsFor(fields).
  const readOnly = (m: ExportMember, columns: readonly MemberColumn[]): ExportMember => {
    const out: ExportMember = { ...m, ...UNREAD };
    for (const c of columns) (out as Record<string, unknown>)[c] = m[c];
    return out;
  };
  const members = [
    member(),
    member({ ordersCount: 1, lastOrderAt: new Date("2026-06-14T00:00:00Z"), aovMinor: null, provinceCode: "ON" }),
    member({
      ordersCount: 0,
      amountSpentMinor: 0n,
      lastOrderAt: null,
      email: "=x@example.com",
      smsMarketingState: "SUBSCRIBED",
    }),
  ];

  it.each(FIELD_NAMES)("%s is written the same from only the columns it names", (field) => {
    for (const m of members)
      expect(memberRow(readOnly(m, columnsFor([field])), [field], ctx)).toEqual(memberRow(m, [field], ctx));
  });

  it("unions the fields' columns, once each", () => {
    expect(columnsFor(["lifecycle_stage", "number_of_orders", "email", "p_alive"])).toEqual([
      "ordersCount",
      "lastOrderAt",
      "email",
    ]);
    expect(columnsFor(["customer_id"])).toEqual([]);
  });
});

describe("lifecycle stage", () => {
  it.each([
    [0, null, "PROSPECT"],
    [1, "2026-06-01T00:00:00Z", "NEW"],
    [2, "2026-06-01T00:00:00Z", "REPEAT"],
    [4, "2026-06-01T00:00:00Z", "LOYAL"],
    [5, "2026-02-01T00:00:00Z", "LAPSING"],
    [5, "2025-06-01T00:00:00Z", "LAPSED"],
  ])("%i orders, last %s: %s", (ordersCount, last, stage) => {
    expect(lifecycleOf({ ordersCount, lastOrderAt: last ? new Date(last) : null }, ctx)).toBe(stage);
  });
});

it("names the file after the segment, safely", () => {
  expect(csvFileName('VIP "spenders" / ../etc', new Date("2026-06-15T00:00:00Z"))).toBe(
    "VIP-spenders-etc-2026-06-15.csv",
  );
  expect(csvFileName("???", new Date("2026-06-15T00:00:00Z"))).toBe("segment-2026-06-15.csv");
});
