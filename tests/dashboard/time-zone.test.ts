// The dashboard counts in the shop's own calendar: a shop at UTC+14 (Kiritimati) whose orders fall near
// local midnight, where UTC would put them in the week before. Each week's figures equal what the
// segment queries behind its links select (counted by the segment engine's own SQL), and a segment's
// sizes start on the day it was made. On both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { weekQueries } from "~/models/dashboard";
import { segmentSizes, weeklySeries } from "~/models/dashboard.server";
import { countQueries } from "~/models/insights.server";
import { createSegment } from "~/models/segments/definitions.server";
import { shopContext } from "~/models/segments/rules.server";
import { recomputeFacts, upsertCustomers, upsertOrders, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { customer, order, t } from "../helpers/rows";

const SHOP = "far-east.myshopify.com";
const ZONE = "Pacific/Kiritimati"; // UTC+14 all year
// Tuesday 30 June 2026 12:00 UTC = Wednesday 1 July 02:00 in Kiritimati: the shop's week began Monday 29 June.
const NOW = t("2026-06-30T12:00:00Z");

describe.each(DIALECTS)("the dashboard in the shop's time zone on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Far East", currencyCode: "USD", ianaTimezone: ZONE });
    await upsertCustomers(db, {
      shop: SHOP,
      rows: ["a", "b", "c", "d"].map((id) => customer({ id })),
      now: NOW,
    });
    await upsertOrders(db, {
      shop: SHOP,
      now: NOW,
      rows: [
        // a: first order Monday 29 June 00:30 local (Sunday 28 June 10:30 UTC, UTC's previous week)
        order({ id: "a1", customerId: "a", processedAt: t("2026-06-28T10:30:00Z"), totalMinor: 1000n }),
        // b: Sunday 28 June 23:30 local: the week before, in both calendars
        order({ id: "b1", customerId: "b", processedAt: t("2026-06-28T09:30:00Z"), totalMinor: 2000n }),
        // c: first in June, back on Monday 29 June 00:15 local
        order({ id: "c1", customerId: "c", processedAt: t("2026-06-10T00:00:00Z"), totalMinor: 500n }),
        order({ id: "c2", customerId: "c", processedAt: t("2026-06-28T10:15:00Z"), totalMinor: 700n }),
        // d: Monday 22 June 00:05 local; a cancelled and a test order this week do not count
        order({ id: "d1", customerId: "d", processedAt: t("2026-06-21T10:05:00Z"), totalMinor: 300n }),
        order({
          id: "d2",
          customerId: "d",
          processedAt: t("2026-06-29T01:00:00Z"),
          cancelledAt: t("2026-06-29T02:00:00Z"),
        }),
        order({ id: "d3", customerId: "d", processedAt: t("2026-06-29T03:00:00Z"), test: true }),
        // a guest's order this week: revenue and orders, no customer
        order({ id: "g1", customerId: null, processedAt: t("2026-06-29T04:00:00Z"), totalMinor: 4000n }),
      ],
    });
    await recomputeFacts(db, { shop: SHOP, now: NOW });
  });
  afterAll(async () => close());

  it("puts orders in the shop's weeks, and each figure's link selects the customers it counted", async () => {
    const weeks = await weeklySeries(db, { shop: SHOP, now: NOW, weeks: 4 });
    expect(weeks.map((w) => [w.week, w.last])).toEqual([
      ["2026-06-08", "2026-06-14"],
      ["2026-06-15", "2026-06-21"],
      ["2026-06-22", "2026-06-28"],
      ["2026-06-29", "2026-07-05"],
    ]);
    const figures = weeks.map(({ revenueMinor, orders, customers, newCustomers, returningCustomers }) => ({
      revenueMinor,
      orders,
      customers,
      newCustomers,
      returningCustomers,
    }));
    expect(figures).toEqual([
      { revenueMinor: "500", orders: 1, customers: 1, newCustomers: 1, returningCustomers: 0 },
      { revenueMinor: "0", orders: 0, customers: 0, newCustomers: 0, returningCustomers: 0 },
      { revenueMinor: "2300", orders: 2, customers: 2, newCustomers: 2, returningCustomers: 0 },
      { revenueMinor: "5700", orders: 3, customers: 2, newCustomers: 1, returningCustomers: 1 },
    ]);

    const ctx = await shopContext(db, { shop: SHOP, now: NOW });
    for (const w of weeks) {
      const q = weekQueries(w);
      const [ordered, fresh, returning] = await countQueries(db, {
        shop: SHOP,
        ctx,
        queries: [q.ordered, q.fresh, q.returning],
      });
      expect({ week: w.week, ordered, fresh, returning }).toEqual({
        week: w.week,
        ordered: w.customers,
        fresh: w.newCustomers,
        returning: w.returningCustomers,
      });
    }
  });

  it("draws a segment's size only from the day it was made, in the shop's days", async () => {
    // Made at 11:00 UTC on 27 June = 01:00 on 28 June local: the 28th is its first day.
    const made = t("2026-06-27T11:00:00Z");
    const id = await createSegment(db, { shop: SHOP, name: "Buyers", query: "number_of_orders >= 1", now: made });
    const [series] = await segmentSizes(db, { shop: SHOP, now: NOW, days: 30 });
    expect(series!.id).toBe(id);
    expect(series!.sizes).toHaveLength(30);
    expect(series!.sizes.at(-1)!.day).toBe("2026-07-01");
    const byDay = new Map(series!.sizes.map((p) => [p.day, p.size]));
    expect(byDay.get("2026-06-27")).toBeNull();
    expect(series!.sizes.slice(0, 26).every((p) => p.size === null)).toBe(true); // 2 to 27 June
    // every customer has a counted order: all four entered as it was made, and stayed
    expect(byDay.get("2026-06-28")).toBe(4);
    expect(byDay.get("2026-07-01")).toBe(4);
  });
});
