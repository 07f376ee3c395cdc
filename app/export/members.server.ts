// A segment's members for the exporters, paged in keyset order (the SegmentMember primary key:
// shop, segmentId, customerId), so that memory stays one page whatever the segment's size and a job
// can resume after the last customer it sent. Every query scoped by shop.
import type { Executor } from "~/db/database.server";
import {
  bigint,
  date,
  decoder,
  int,
  nullable,
  raw,
  real,
  sql,
  sqlIn,
  text,
  type Decode,
  type SqlQuery,
} from "~/db/sql";
import type { ExportMember, MemberColumn, MemberPredictions } from "./csv";

// Each member column: where it is read from (c: Customer, f: CustomerFacts, a LEFT JOIN), how its
// value is decoded, and what it holds when a caller did not ask for it.
type Column = { from: string; decode: Decode<unknown>; unread: unknown };

const COLUMNS: { [K in MemberColumn]: Column & { unread: ExportMember[K] } } = {
  email: { from: `c."email"`, decode: nullable(text), unread: null },
  firstName: { from: `c."firstName"`, decode: nullable(text), unread: null },
  lastName: { from: `c."lastName"`, decode: nullable(text), unread: null },
  countryCode: { from: `c."countryCode"`, decode: nullable(text), unread: null },
  provinceCode: { from: `c."provinceCode"`, decode: nullable(text), unread: null },
  city: { from: `c."city"`, decode: nullable(text), unread: null },
  tags: { from: `c."tags"`, decode: text, unread: "" },
  emailMarketingState: { from: `c."emailMarketingState"`, decode: text, unread: "" },
  smsMarketingState: { from: `c."smsMarketingState"`, decode: text, unread: "" },
  emailConsentAt: { from: `c."emailConsentAt"`, decode: date, unread: null },
  createdAt: { from: `c."createdAt"`, decode: date, unread: null },
  ordersCount: { from: `f."ordersCount"`, decode: int, unread: 0 },
  amountSpentMinor: { from: `f."amountSpentMinor"`, decode: bigint, unread: 0n },
  aovMinor: { from: `f."aovMinor"`, decode: nullable(bigint), unread: null },
  firstOrderAt: { from: `f."firstOrderAt"`, decode: date, unread: null },
  lastOrderAt: { from: `f."lastOrderAt"`, decode: date, unread: null },
  rfmGroup: { from: `f."rfmGroup"`, decode: nullable(text), unread: null },
};

export const MEMBER_COLUMNS = Object.keys(COLUMNS) as MemberColumn[];

/** What each column holds when it was not read (tests hold csv.ts's fields to their column lists with it). */
export const UNREAD = Object.fromEntries(MEMBER_COLUMNS.map((c) => [c, COLUMNS[c].unread])) as {
  [K in MemberColumn]: ExportMember[K];
};

// Predictions (CustomerPrediction) are joined only when a prediction field is asked for: most exports
// do not need them, and the join is one more index lookup per member.
const PREDICTION_COLUMNS = [
  "pAlive",
  "expectedOrders90d",
  "predictedClvMinor",
  "predictedSpendTier",
  "churnRisk",
  "clusterName",
] as const satisfies readonly (keyof MemberPredictions)[];

const nullableReal = nullable(real);
const nullableBigint = nullable(bigint);
const nullableText = nullable(text);

/**
 * The select list and row decoder of a set of columns (made once per set). A column not read holds
 * its `unread` value: the CSV export reads only what its fields show (csv.ts columnsFor), and a
 * million rows of columns nobody writes out cost the database, the driver and the heap. Rows come as
 * arrays (Executor.tuples): the customer id, the columns read in MEMBER_COLUMNS order, then the
 * predictions' when they are read.
 */
type Reader = { select: SqlQuery; decode: (row: unknown[]) => ExportMember };

const readers = new Map<string, Reader>();

type Getters = { [K in MemberColumn]: (row: unknown[]) => ExportMember[K] };

function reader(columns: readonly MemberColumn[], predictions: boolean): Reader {
  // Keyed by the columns in MEMBER_COLUMNS order: the same set asked in another order is one reader.
  const read = MEMBER_COLUMNS.filter((c) => columns.includes(c));
  const key = `${read.join(",")}|${predictions}`;
  let found = readers.get(key);
  if (found) return found;
  const getter = (name: MemberColumn) => {
    const at = read.indexOf(name) + 1;
    const { decode, unread } = COLUMNS[name];
    return at === 0 ? () => unread : (row: unknown[]) => decode(row[at]);
  };
  const g = Object.fromEntries(MEMBER_COLUMNS.map((c) => [c, getter(c)])) as Getters;
  const p = read.length + 1;
  // One object literal: every member of every export has the same shape.
  const member = (row: unknown[]): ExportMember => ({
    id: text(row[0]),
    email: g.email(row),
    firstName: g.firstName(row),
    lastName: g.lastName(row),
    countryCode: g.countryCode(row),
    provinceCode: g.provinceCode(row),
    city: g.city(row),
    tags: g.tags(row),
    emailMarketingState: g.emailMarketingState(row),
    smsMarketingState: g.smsMarketingState(row),
    emailConsentAt: g.emailConsentAt(row),
    createdAt: g.createdAt(row),
    ordersCount: g.ordersCount(row),
    amountSpentMinor: g.amountSpentMinor(row),
    aovMinor: g.aovMinor(row),
    firstOrderAt: g.firstOrderAt(row),
    lastOrderAt: g.lastOrderAt(row),
    rfmGroup: g.rfmGroup(row),
  });
  found = {
    select: raw(
      [
        `c."id"`,
        ...read.map((c) => COLUMNS[c].from),
        ...(predictions ? PREDICTION_COLUMNS.map((c) => `p."${c}"`) : []),
      ].join(", "),
    ),
    decode: predictions
      ? (row) => {
          const m = member(row);
          m.predictions = {
            pAlive: nullableReal(row[p]),
            expectedOrders90d: nullableReal(row[p + 1]),
            predictedClvMinor: nullableBigint(row[p + 2]),
            predictedSpendTier: nullableText(row[p + 3]),
            churnRisk: nullableText(row[p + 4]),
            clusterName: nullableText(row[p + 5]),
          };
          return m;
        }
      : member,
  };
  readers.set(key, found);
  return found;
}

export type PageOptions = {
  shop: string;
  segmentId: number;
  /** The columns to read (all unless given); the others hold their `unread` values. */
  columns?: readonly MemberColumn[];
  predictions?: boolean;
};

/**
 * Up to `limit` members whose customer id sorts after `after` ("" for the first page).
 *
 * The cursor is repeated on every joined table. PostgreSQL does not carry an inequality across an
 * equality join: given it on SegmentMember alone, the merge join it picks with statistics for much of
 * a large export read the shop's Customer rows from the first one on every page (page k walked k ×
 * 5,000 rows: 270–300 ms a page in the middle of 1M members, against 15–20 ms with the bound). On the
 * joined tables' own keys every index scan starts at the cursor. The facts' and predictions' bound is
 * in their ON clause, where a LEFT JOIN's condition belongs (in WHERE it would drop members without).
 */
export async function memberPage(
  db: Executor,
  {
    shop,
    segmentId,
    after,
    limit,
    columns = MEMBER_COLUMNS,
    predictions = false,
  }: PageOptions & {
    after: string;
    limit: number;
  },
): Promise<ExportMember[]> {
  const read = reader(columns, predictions);
  const rows = await db.tuples(
    sql`SELECT ${read.select}
     FROM "SegmentMember" m JOIN "Customer" c ON c."shop" = m."shop" AND c."id" = m."customerId"
     LEFT JOIN "CustomerFacts" f ON f."shop" = m."shop" AND f."customerId" = m."customerId" AND f."customerId" > ${after}${
       predictions
         ? sql` LEFT JOIN "CustomerPrediction" p ON p."shop" = m."shop" AND p."customerId" = m."customerId" AND p."customerId" > ${after}`
         : raw("")
     }
     WHERE m."shop" = ${shop} AND m."segmentId" = ${segmentId} AND m."customerId" > ${after} AND c."id" > ${after}
     ORDER BY m."customerId" LIMIT ${limit}`,
  );
  return rows.map(read.decode);
}

/** Customers by id (a delta's entering members), whether or not they are members now. */
export async function customersById(
  db: Executor,
  { shop, ids }: { shop: string; ids: readonly string[] },
): Promise<ExportMember[]> {
  if (ids.length === 0) return [];
  const read = reader(MEMBER_COLUMNS, false);
  const rows = await db.tuples(
    sql`SELECT ${read.select}
     FROM "Customer" c LEFT JOIN "CustomerFacts" f ON f."shop" = c."shop" AND f."customerId" = c."id"
     WHERE c."shop" = ${shop} AND ${sqlIn(`c."id"`, ids)} ORDER BY c."id"`,
  );
  return rows.map(read.decode);
}

/**
 * Every member, page by page (`pageSize` rows held at a time, and the next page on its way). The next
 * page is asked for as soon as this one's last id is known, before the caller works on this one: on
 * PostgreSQL the database reads it while this process turns the page into CSV or requests.
 */
export async function* members(
  db: Executor,
  { after = "", pageSize = 5_000, ...options }: PageOptions & { after?: string; pageSize?: number },
): AsyncGenerator<ExportMember[]> {
  const read = (cursor: string) => memberPage(db, { ...options, after: cursor, limit: pageSize });
  let next: Promise<ExportMember[]> | null = read(after);
  try {
    while (next) {
      const page: ExportMember[] = await next;
      if (page.length === 0) return;
      next = page.length < pageSize ? null : read(page[page.length - 1]!.id);
      yield page;
      // SQLite's driver is synchronous: without a turn of the event loop between pages, a long export
      // would hold the server's thread (other requests, timers) until its last page.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    // A caller that stops early (an aborted download) leaves no read unawaited.
    await next?.catch(() => undefined);
  }
}

export type SegmentRef = { id: number; name: string; query: string; memberCount: number };

export async function segmentRef(db: Executor, { shop, id }: { shop: string; id: number }): Promise<SegmentRef | null> {
  const [row] = await db.all(
    sql`SELECT "id", "name", "query", "memberCount" FROM "Segment" WHERE "shop" = ${shop} AND "id" = ${id}`,
    decoder({ id: int, name: text, query: text, memberCount: int }),
  );
  return row ?? null;
}
