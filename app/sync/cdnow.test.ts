import { describe, expect, it } from "vitest";
import { cdnowOrder, parseCdnowLine } from "./cdnow";

describe("parseCdnowLine", () => {
  it.each([
    [" 00001 19970101  1   11.77", { customerId: "1", date: "1997-01-01", cds: 1, amountMinor: 1177n }],
    [" 00002 19970112  5   77.00", { customerId: "2", date: "1997-01-12", cds: 5, amountMinor: 7700n }],
    // the 1/10 sample: master id first, sample id second
    [" 00004 00001 19970101  2   29.33", { customerId: "4", date: "1997-01-01", cds: 2, amountMinor: 2933n }],
    [" 23570 19980326  1    0.00", { customerId: "23570", date: "1998-03-26", cds: 1, amountMinor: 0n }],
  ])("%j", (line, expected) => {
    const parsed = parseCdnowLine(line, 7);
    expect(parsed && "record" in parsed).toBe(true);
    if (!parsed || !("record" in parsed)) return;
    expect(parsed.record).toMatchObject({ ...expected, line: 7, date: new Date(`${expected.date}T00:00:00Z`) });
  });

  it.each([" customer_id  date number_of_cds  dollar_value", "", "   \r"])("skips %j", (line) => {
    expect(parseCdnowLine(line, 1)).toBeNull();
  });

  it.each([
    [" 00001 19970101 1", "line 3: expected 4 or 5 columns, found 3"],
    [" 00001 19971301  1   11.77", "line 3: no such date 19971301"],
    [" 0000x 19970101  1   11.77", 'line 3: cannot read "0000x 19970101  1   11.77"'],
    [" 00001 19970231  1   11.77", "line 3: no such date 19970231"],
    [" 00001 19970101  1   11,77", 'line 3: "11,77" is not an amount'],
  ])("reports %j", (line, error) => {
    expect(parseCdnowLine(line, 3)).toEqual({ error });
  });
});

describe("cdnowOrder", () => {
  it("keeps the recorded total exactly, one line per order", () => {
    const order = cdnowOrder({
      line: 12,
      customerId: "3",
      date: new Date("1997-03-02T00:00:00Z"),
      cds: 3,
      amountMinor: 1000n,
    });
    expect(order).toMatchObject({
      id: "12",
      customerId: "3",
      totalMinor: 1000n,
      cancelledAt: null,
      currencyCode: "USD",
    });
    expect(order.lines).toEqual([expect.objectContaining({ quantity: 3, priceMinor: 333n })]);
  });
});
