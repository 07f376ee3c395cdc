// What the admin reads about segments without changing them: a query's count and first members (the
// editor's preview, within its time bound and at most two per shop at once), the customers a rule
// selects, and a saved segment's size over time, profile and members (the detail page).
import type { Db, Executor } from "~/db/database.server";
import { bigint, date, decoder, int, join, nullable, raw, sql, text, type SqlQuery } from "~/db/sql";
import { addToYmd, dayStart, localDate } from "~/domain/calendar";
import { displayMoney } from "~/domain/money";
import { prepare, type EngineContext } from "~/domain/segments/engine";
import type { Rule } from "~/domain/segments/rule";
import { isSegmentId } from "~/domain/segments/segment-id";
import { compileSql, CUSTOMERS_FROM } from "./compile-sql";
import { SegmentRuleError } from "./errors";
import { MAX_COMPUTES_PER_SHOP, withComputeSlot } from "./slots.server";
import { parseQuery, shopContext } from "./rules.server";
import { bounded } from "./timeouts.server";

function compiled(db: Executor, rule: Rule, ctx: EngineContext): SqlQuery {
  const prepared = prepare(rule, ctx);
  if (!prepared.ok) throw new SegmentRuleError(prepared.error);
  return compileSql(prepared.prepared, db.dialect);
}

/** How many of the shop's customers the rule selects, counted by the database (within the preview's time bound). */
export async function countMatching(
  db: Executor,
  { shop, rule, ctx }: { shop: string; rule: Rule; ctx: EngineContext },
): Promise<number> {
  return bounded(db, (tx) => count(tx, { shop, rule, ctx }));
}

async function count(
  db: Executor,
  { shop, rule, ctx }: { shop: string; rule: Rule; ctx: EngineContext },
): Promise<number> {
  const [row] = await db.all(
    sql`SELECT COUNT(*) AS n ${CUSTOMERS_FROM} WHERE c."shop" = ${shop} AND ${compiled(db, rule, ctx)}`,
    decoder({ n: int }),
  );
  return row?.n ?? 0;
}

export async function matchingIds(
  db: Executor,
  { shop, rule, ctx }: { shop: string; rule: Rule; ctx: EngineContext },
): Promise<string[]> {
  const where = compiled(db, rule, ctx);
  const rows = await bounded(db, (tx) =>
    tx.all(
      sql`SELECT c."id" ${CUSTOMERS_FROM} WHERE c."shop" = ${shop} AND ${where} ORDER BY c."id"`,
      decoder({ id: text }),
    ),
  );
  return rows.map((r) => r.id);
}

export type PreviewMember = {
  id: string;
  name: string;
  email: string | null;
  orders: number;
  spent: string;
  lastOrderAt: string | null;
};

/** A member as the editor's preview and the detail page list them. */
const MEMBER_COLUMNS = raw(
  `c."id", c."firstName", c."lastName", c."email", f."ordersCount", f."amountSpentMinor", f."lastOrderAt"`,
);

/** Without facts (the LEFT JOIN found none), no orders and nothing spent. */
const memberDecoder = decoder({
  id: text,
  firstName: nullable(text),
  lastName: nullable(text),
  email: nullable(text),
  ordersCount: int,
  amountSpentMinor: bigint,
  lastOrderAt: date,
});

function memberRow(r: ReturnType<typeof memberDecoder>, currencyCode: string): PreviewMember {
  return {
    id: r.id,
    name: [r.firstName, r.lastName].filter((v) => v != null && v !== "").join(" ") || "—",
    email: r.email,
    orders: r.ordersCount,
    spent: displayMoney(r.amountSpentMinor, currencyCode),
    lastOrderAt: r.lastOrderAt?.toISOString() ?? null,
  };
}

/**
 * The editor's live preview: how many, and the first few with their key facts. A query with a mistake
 * answers where it is (no database work); a good one runs within the preview's time bound
 * (SegmentTimeoutError past it) and only in one of the shop's compute slots (SegmentBusyError if none).
 */
export async function previewQuery(
  db: Db,
  { shop, query, now, limit = 10 }: { shop: string; query: string; now: Date; limit?: number },
): Promise<{ ok: true; count: number; members: PreviewMember[] } | { ok: false; error: string }> {
  const ctx = await shopContext(db, { shop, now });
  const checked = parseQuery(query, ctx);
  if (!checked.ok) return checked;
  return withComputeSlot(
    shop,
    `Too many previews at once for this shop (at most ${MAX_COMPUTES_PER_SHOP}): the count follows in a moment`,
    () =>
      bounded(db, async (tx) => {
        const n = await count(tx, { shop, rule: checked.rule, ctx });
        const rows = await tx.all(
          sql`SELECT ${MEMBER_COLUMNS}
         ${CUSTOMERS_FROM} WHERE c."shop" = ${shop} AND ${compiled(tx, checked.rule, ctx)} ORDER BY c."id" LIMIT ${limit}`,
          memberDecoder,
        );
        return { ok: true as const, count: n, members: rows.map((r) => memberRow(r, ctx.currencyCode)) };
      }),
  );
}

export type SegmentDetail = {
  id: number;
  name: string;
  query: string;
  memberCount: number;
  lastComputedAt: Date | null;
  createdAt: Date;
  /** Created within the window: its history starts at its creation, not `days` ago. */
  isNew: boolean;
  /** The shop's customers, for "% of customers". */
  shopCustomers: number;
  /**
   * Members at the end of each of the shop's calendar days, oldest first: the last `days` days, or
   * from the day the segment was created if that is later (before it, it had no size to show).
   */
  sizeOverTime: { day: string; size: number }[];
  profile: {
    averageSpent: string;
    averageOrders: number;
    topCountries: { code: string; customers: number }[];
    topProducts: { title: string; customers: number }[];
  };
  members: PreviewMember[];
  page: number;
  pages: number;
};

const PAGE_SIZE = 25;

/** The shop's customers: what "% of customers" is a share of. */
export async function countCustomers(db: Executor, { shop }: { shop: string }): Promise<number> {
  const [row] = await db.all(sql`SELECT COUNT(*) AS n FROM "Customer" WHERE "shop" = ${shop}`, decoder({ n: int }));
  return row?.n ?? 0;
}

/**
 * Members at the end of each of the shop's calendar days in `dayList` (oldest first, ending today):
 * today's size less the net entries after each day, every day's sum in one pass over the events.
 */
async function sizeByDay(
  db: Executor,
  {
    shop,
    id,
    memberCount,
    dayList,
    timeZone,
  }: { shop: string; id: number; memberCount: number; dayList: string[]; timeZone: string },
): Promise<{ day: string; size: number }[]> {
  const ends = dayList.slice(0, -1).map((d) => dayStart(addToYmd(d, 1, "d"), timeZone));
  let after: (number | null)[] = [];
  if (ends.length > 0) {
    const net = sql`CASE WHEN "entered" = ${true} THEN 1 ELSE -1 END`;
    const sums = join(
      ends.map((end, i) => sql`SUM(CASE WHEN "at" >= ${end} THEN ${net} ELSE 0 END) AS ${raw(`"n${i}"`)}`),
    );
    const [row] = await db.all(
      sql`SELECT ${sums} FROM "SegmentEvent" WHERE "shop" = ${shop} AND "segmentId" = ${id} AND "at" >= ${ends[0]!}`,
    );
    after = ends.map((_, i) => {
      const v = row?.[`n${i}`];
      return v === null || v === undefined ? null : Number(v);
    });
  }
  return dayList.map((day, i) => ({ day, size: memberCount - (i < ends.length ? (after[i] ?? 0) : 0) }));
}

export async function segmentDetail(
  db: Db,
  { shop, id, now, page = 1, days = 30 }: { shop: string; id: number; now: Date; page?: number; days?: number },
): Promise<SegmentDetail | null> {
  if (!isSegmentId(id)) return null;
  const segment = await db.prisma.segment.findFirst({ where: { shop, id } });
  if (!segment) return null;
  const ctx = await shopContext(db, { shop, now });
  // Days are the shop's calendar days: a change at 11 pm in New York belongs to that day there.
  const today = localDate(now, ctx.timeZone);
  const createdDay = localDate(segment.createdAt, ctx.timeZone);
  const windowStart = addToYmd(today, -(days - 1), "d");
  const firstDay = createdDay > windowStart ? (createdDay < today ? createdDay : today) : windowStart;
  const dayList: string[] = [];
  for (let d = firstDay; d <= today; d = addToYmd(d, 1, "d")) dayList.push(d);
  const sizeOverTime = await sizeByDay(db, {
    shop,
    id,
    memberCount: segment.memberCount,
    dayList,
    timeZone: ctx.timeZone,
  });

  const members = raw(`FROM "SegmentMember" m JOIN "Customer" c ON c."shop" = m."shop" AND c."id" = m."customerId"
    LEFT JOIN "CustomerFacts" f ON f."shop" = m."shop" AND f."customerId" = m."customerId"`);
  // AVG is a float on SQLite and numeric (as text) on PostgreSQL; null over no members.
  const [averages] = await db.all(
    sql`SELECT AVG(COALESCE(f."amountSpentMinor", 0)) AS spent, AVG(COALESCE(f."ordersCount", 0)) AS orders ${members}
     WHERE m."shop" = ${shop} AND m."segmentId" = ${id}`,
    decoder({ spent: nullable(Number), orders: nullable(Number) }),
  );
  const countries = await db.all(
    sql`SELECT c."countryCode" AS code, COUNT(*) AS customers ${members}
     WHERE m."shop" = ${shop} AND m."segmentId" = ${id} AND c."countryCode" IS NOT NULL
     GROUP BY c."countryCode" ORDER BY customers DESC, code LIMIT 5`,
    decoder({ code: text, customers: int }),
  );
  const products = await db.all(
    sql`SELECT l."title" AS title, COUNT(DISTINCT o."customerId") AS customers
     FROM "SegmentMember" m JOIN "Order" o ON o."shop" = m."shop" AND o."customerId" = m."customerId"
     JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."id"
     WHERE m."shop" = ${shop} AND m."segmentId" = ${id} AND o."cancelledAt" IS NULL AND l."title" IS NOT NULL
     GROUP BY l."title" ORDER BY customers DESC, title LIMIT 5`,
    decoder({ title: text, customers: int }),
  );
  const pages = Math.max(1, Math.ceil(segment.memberCount / PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const rows = await db.all(
    sql`SELECT ${MEMBER_COLUMNS} ${members}
     WHERE m."shop" = ${shop} AND m."segmentId" = ${id}
     ORDER BY c."id" LIMIT ${PAGE_SIZE} OFFSET ${(current - 1) * PAGE_SIZE}`,
    memberDecoder,
  );
  const spent = averages?.spent == null ? 0n : BigInt(Math.round(averages.spent));
  return {
    id: segment.id,
    name: segment.name,
    query: segment.query,
    memberCount: segment.memberCount,
    lastComputedAt: segment.lastComputedAt,
    createdAt: segment.createdAt,
    isNew: createdDay > addToYmd(today, -days, "d"),
    shopCustomers: await countCustomers(db, { shop }),
    sizeOverTime,
    profile: {
      averageSpent: displayMoney(spent, ctx.currencyCode),
      averageOrders: averages?.orders == null ? 0 : Math.round(averages.orders * 10) / 10,
      topCountries: countries,
      topProducts: products,
    },
    members: rows.map((r) => memberRow(r, ctx.currencyCode)),
    page: current,
    pages,
  };
}
