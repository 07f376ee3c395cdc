// The home page's series: revenue and orders week by week, new and returning customers per week, and
// the sizes of the shop's largest segments over the last 30 days. Weeks start on Monday, in UTC days
// (as CustomerFacts counts days).
import { epochDayExpr, type Db } from "~/db/database.server";
import { bigint, decoder, int, raw, sql, text } from "~/db/sql";

const DAY_MS = 86_400_000;

export type WeekPoint = {
  week: string;
  revenueMinor: string;
  orders: number;
  newCustomers: number;
  returningCustomers: number;
};
export type SegmentSeries = { id: number; name: string; query: string; sizes: { day: string; size: number }[] };

/** Monday-based week number: 1970-01-01 was a Thursday, so day + 3 puts Mondays at multiples of 7. */
const weekOf = (day: number) => Math.floor((day + 3) / 7);
const weekStart = (week: number) => new Date((week * 7 - 3) * DAY_MS).toISOString().slice(0, 10);

export async function weeklySeries(
  db: Db,
  { shop, now, weeks = 26 }: { shop: string; now: Date; weeks?: number },
): Promise<WeekPoint[]> {
  const lastWeek = weekOf(Math.floor(now.getTime() / DAY_MS));
  const firstWeek = lastWeek - weeks + 1;
  const since = new Date((firstWeek * 7 - 3) * DAY_MS);
  const at = db.dialect === "sqlite" ? since.getTime() : since;
  const day = raw(epochDayExpr(db.dialect, `o."processedAt"`));
  const firstDay = raw(epochDayExpr(db.dialect, `f."firstOrderAt"`));
  // Per day: revenue and orders; customers who ordered that day, and of them those whose first order
  // day it was. A customer ordering on several days of one week is counted once per day here and
  // once per week below (distinct per week).
  const rows = await db.all(
    sql`SELECT ${day} AS "day", o."customerId" AS "customerId",
         SUM(o."totalMinor" - o."refundedMinor") AS "revenue", COUNT(*) AS "orders",
         MAX(CASE WHEN ${firstDay} = ${day} THEN 1 ELSE 0 END) AS "first"
       FROM "Order" o LEFT JOIN "CustomerFacts" f ON f."shop" = o."shop" AND f."customerId" = o."customerId"
       WHERE o."shop" = ${shop} AND o."test" = false AND o."cancelledAt" IS NULL AND o."processedAt" >= ${at}
       GROUP BY ${day}, o."customerId"`,
    decoder({ day: int, customerId: text, revenue: bigint, orders: int, first: int }),
  );
  const points = new Map<number, { revenue: bigint; orders: number; fresh: Set<string>; back: Set<string> }>();
  for (let w = firstWeek; w <= lastWeek; w++)
    points.set(w, { revenue: 0n, orders: 0, fresh: new Set(), back: new Set() });
  for (const r of rows) {
    const p = points.get(weekOf(r.day));
    if (!p) continue;
    p.revenue += r.revenue;
    p.orders += r.orders;
    if (!r.customerId) continue;
    if (r.first) p.fresh.add(r.customerId);
    else p.back.add(r.customerId);
  }
  return [...points].map(([w, p]) => ({
    week: weekStart(w),
    revenueMinor: p.revenue.toString(),
    orders: p.orders,
    newCustomers: p.fresh.size,
    returningCustomers: [...p.back].filter((id) => !p.fresh.has(id)).length,
  }));
}

/** The largest active segments' sizes at the end of each of the last `days` days. */
export async function segmentSizes(
  db: Db,
  { shop, now, days = 30, limit = 5 }: { shop: string; now: Date; days?: number; limit?: number },
): Promise<SegmentSeries[]> {
  const segments = await db.prisma.segment.findMany({
    where: { shop, active: true },
    orderBy: [{ memberCount: "desc" }, { id: "asc" }],
    take: limit,
    select: { id: true, name: true, query: true, memberCount: true },
  });
  const today = Math.floor(now.getTime() / DAY_MS);
  const since = new Date((today - days + 1) * DAY_MS);
  const day = raw(epochDayExpr(db.dialect, `"at"`));
  const out: SegmentSeries[] = [];
  for (const s of segments) {
    const changes = await db.all(
      sql`SELECT ${day} AS d, SUM(CASE WHEN "entered" = ${true} THEN 1 ELSE -1 END) AS net FROM "SegmentEvent"
         WHERE "shop" = ${shop} AND "segmentId" = ${s.id} AND "at" >= ${since} GROUP BY ${day}`,
      decoder({ d: int, net: int }),
    );
    const net = new Map(changes.map((r) => [r.d, r.net]));
    const sizes: { day: string; size: number }[] = [];
    let size = s.memberCount;
    for (let d = today; d > today - days; d--) {
      sizes.push({ day: new Date(d * DAY_MS).toISOString().slice(0, 10), size });
      size -= net.get(d) ?? 0;
    }
    out.push({ id: s.id, name: s.name, query: s.query, sizes: sizes.reverse() });
  }
  return out;
}
