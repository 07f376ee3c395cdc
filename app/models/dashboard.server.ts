// The home page's series: revenue and orders week by week, new and returning customers per week, and
// the sizes of the shop's largest segments over the last 30 days. Weeks (Monday to Sunday) and days are
// the shop's own, in its time zone (app/domain/buckets.ts), as the segment engine counts dates: each
// week's customers are exactly those its link's segment query selects (first_order_date and
// orders_placed over the same local dates).
import type { Db } from "~/db/database.server";
import { bigint, decoder, int, join, nullable, sql, type SqlQuery } from "~/db/sql";
import { localDays, localWeeks, type Bucket } from "~/domain/buckets";
import { shopContext } from "~/models/segments/rules.server";

export type WeekPoint = {
  /** The week's Monday and Sunday, in the shop's zone. */
  week: string;
  last: string;
  revenueMinor: string;
  orders: number;
  /** Customers with a counted order in the week: new (their first) and returning (ordered before). */
  customers: number;
  newCustomers: number;
  returningCustomers: number;
};
export type SegmentSeries = {
  id: number;
  name: string;
  query: string;
  /** Members at the end of each day; null for the days before the segment was made. */
  sizes: { day: string; size: number | null }[];
};

/**
 * Which bucket an instant column falls in: −1 before the first, buckets.length after the last. One
 * CASE over the boundaries, the same on both databases (the zone's offsets are in the boundaries).
 * Grouped on from a subquery: PostgreSQL does not see two copies with their own parameters as one.
 */
function bucketOf(column: SqlQuery, buckets: readonly Bucket[]): SqlQuery {
  const arms = buckets.map((b, i) => sql`WHEN ${column} < ${b.to} THEN ${i}`);
  return sql`CASE WHEN ${column} < ${buckets[0]!.from} THEN -1 ${join(arms, " ")} ELSE ${buckets.length} END`;
}

export async function weeklySeries(
  db: Db,
  { shop, now, weeks = 26 }: { shop: string; now: Date; weeks?: number },
): Promise<WeekPoint[]> {
  const { timeZone } = await shopContext(db, { shop, now });
  const buckets = localWeeks(now, timeZone, weeks);
  const since = buckets[0]!.from;
  const until = buckets.at(-1)!.to;
  const week = bucketOf(sql`o."processedAt"`, buckets);
  // Revenue and orders: every counted order (not cancelled, not a test), a customer's or a guest's.
  const totals = await db.all(
    sql`SELECT t."w" AS "w", SUM(t."amount") AS "revenue", COUNT(*) AS "orders"
       FROM (SELECT ${week} AS "w", o."totalMinor" - o."refundedMinor" AS "amount" FROM "Order" o
             WHERE o."shop" = ${shop} AND o."test" = false AND o."cancelledAt" IS NULL
               AND o."processedAt" >= ${since} AND o."processedAt" < ${until}) t
       GROUP BY t."w"`,
    decoder({ w: int, revenue: nullable(bigint), orders: int }),
  );
  // Customers who ordered in each week (those the shop has: CustomerFacts is kept per customer), new
  // when their first counted order falls in that same week.
  const firstWeek = bucketOf(sql`f."firstOrderAt"`, buckets);
  const people = await db.all(
    sql`SELECT t."w" AS "w", COUNT(*) AS "customers", SUM(CASE WHEN t."fw" = t."w" THEN 1 ELSE 0 END) AS "fresh"
       FROM (SELECT DISTINCT ${week} AS "w", o."customerId" AS "customerId", ${firstWeek} AS "fw"
             FROM "Order" o JOIN "CustomerFacts" f ON f."shop" = o."shop" AND f."customerId" = o."customerId"
             WHERE o."shop" = ${shop} AND o."test" = false AND o."cancelledAt" IS NULL
               AND o."processedAt" >= ${since} AND o."processedAt" < ${until}) t
       GROUP BY t."w"`,
    decoder({ w: int, customers: int, fresh: int }),
  );
  const byWeek = new Map(totals.map((r) => [r.w, r]));
  const peopleByWeek = new Map(people.map((r) => [r.w, r]));
  return buckets.map((b, i) => {
    const t = byWeek.get(i);
    const p = peopleByWeek.get(i);
    return {
      week: b.first,
      last: b.last,
      revenueMinor: (t?.revenue ?? 0n).toString(),
      orders: t?.orders ?? 0,
      customers: p?.customers ?? 0,
      newCustomers: p?.fresh ?? 0,
      returningCustomers: (p?.customers ?? 0) - (p?.fresh ?? 0),
    };
  });
}

/** The largest active segments' sizes at the end of each of the shop's last `days` days. */
export async function segmentSizes(
  db: Db,
  { shop, now, days = 30, limit = 5 }: { shop: string; now: Date; days?: number; limit?: number },
): Promise<SegmentSeries[]> {
  const segments = await db.prisma.segment.findMany({
    where: { shop, active: true },
    orderBy: [{ memberCount: "desc" }, { id: "asc" }],
    take: limit,
    select: { id: true, name: true, query: true, memberCount: true, createdAt: true },
  });
  if (segments.length === 0) return [];
  const { timeZone } = await shopContext(db, { shop, now });
  const buckets = localDays(now, timeZone, days);
  const day = bucketOf(sql`"at"`, buckets);
  const out: SegmentSeries[] = [];
  for (const s of segments) {
    const changes = await db.all(
      sql`SELECT t."d" AS "d", SUM(t."change") AS "net"
         FROM (SELECT ${day} AS "d", CASE WHEN "entered" = ${true} THEN 1 ELSE -1 END AS "change" FROM "SegmentEvent"
               WHERE "shop" = ${shop} AND "segmentId" = ${s.id} AND "at" >= ${buckets[0]!.from}) t
         GROUP BY t."d"`,
      decoder({ d: int, net: int }),
    );
    const net = new Map(changes.map((r) => [r.d, r.net]));
    // Back from today's count: the size at the end of a day is the size now less what changed after it.
    // Events after today (a clock ahead of `now`) fall in bucket `days` and are taken off first.
    let size = s.memberCount - (net.get(days) ?? 0);
    const sizes: { day: string; size: number | null }[] = [];
    for (let d = days - 1; d >= 0; d--) {
      // A day that ended before the segment was made has no size: nothing is drawn for it.
      sizes.push({ day: buckets[d]!.first, size: buckets[d]!.to <= s.createdAt ? null : size });
      size -= net.get(d) ?? 0;
    }
    out.push({ id: s.id, name: s.name, query: s.query, sizes: sizes.reverse() });
  }
  return out;
}
