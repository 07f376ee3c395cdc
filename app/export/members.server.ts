// A segment's members for the exporters, paged in keyset order (the SegmentMember primary key:
// shop, segmentId, customerId), so that memory stays one page whatever the segment's size and a job
// can resume after the last customer it sent. Every query scoped by shop.
import type { Executor } from "~/db/database.server";
import { bigint, date, decoder, int, nullable, raw, real, sql, sqlIn, text, type SqlQuery } from "~/db/sql";
import type { ExportMember } from "./csv";

const MEMBER_COLUMNS = raw(`c."id", c."email", c."firstName", c."lastName", c."countryCode", c."provinceCode", c."city",
  c."tags", c."emailMarketingState", c."smsMarketingState", c."emailConsentAt", c."createdAt",
  f."ordersCount", f."amountSpentMinor", f."aovMinor", f."firstOrderAt", f."lastOrderAt", f."rfmGroup"`);

const memberDecoder = decoder({
  id: text,
  email: nullable(text),
  firstName: nullable(text),
  lastName: nullable(text),
  countryCode: nullable(text),
  provinceCode: nullable(text),
  city: nullable(text),
  tags: text,
  emailMarketingState: text,
  smsMarketingState: text,
  emailConsentAt: date,
  createdAt: date,
  ordersCount: int,
  amountSpentMinor: bigint,
  aovMinor: nullable(bigint),
  firstOrderAt: date,
  lastOrderAt: date,
  rfmGroup: nullable(text),
});

// Predictions (CustomerPrediction) are joined only when a prediction field is asked for: most exports
// do not need them, and the join is one more index lookup per member.
const PREDICTION_COLUMNS = raw(`, p."pAlive", p."expectedOrders90d", p."predictedClvMinor", p."predictedSpendTier",
  p."churnRisk", p."clusterName"`);

const predictionDecoder = decoder({
  pAlive: nullable(real),
  expectedOrders90d: nullable(real),
  predictedClvMinor: nullable(bigint),
  predictedSpendTier: nullable(text),
  churnRisk: nullable(text),
  clusterName: nullable(text),
});

function predictionJoin(on: boolean, alias: string): SqlQuery {
  return raw(
    on
      ? ` LEFT JOIN "CustomerPrediction" p ON p."shop" = ${alias}."shop" AND p."customerId" = ${alias}."customerId"`
      : "",
  );
}

/** The rows' members, with their predictions when they were read. */
function decodeMembers(rows: Record<string, unknown>[], predictions: boolean): ExportMember[] {
  return rows.map((row) => {
    const member: ExportMember = memberDecoder(row);
    if (predictions) member.predictions = predictionDecoder(row);
    return member;
  });
}

/** Up to `limit` members whose customer id sorts after `after` ("" for the first page). */
export async function memberPage(
  db: Executor,
  {
    shop,
    segmentId,
    after,
    limit,
    predictions = false,
  }: { shop: string; segmentId: number; after: string; limit: number; predictions?: boolean },
): Promise<ExportMember[]> {
  const rows = await db.all(
    sql`SELECT ${MEMBER_COLUMNS}${predictions ? PREDICTION_COLUMNS : raw("")}
     FROM "SegmentMember" m JOIN "Customer" c ON c."shop" = m."shop" AND c."id" = m."customerId"
     LEFT JOIN "CustomerFacts" f ON f."shop" = m."shop" AND f."customerId" = m."customerId"${predictionJoin(predictions, "m")}
     WHERE m."shop" = ${shop} AND m."segmentId" = ${segmentId} AND m."customerId" > ${after}
     ORDER BY m."customerId" LIMIT ${limit}`,
  );
  return decodeMembers(rows, predictions);
}

/** Customers by id (a delta's entering members), whether or not they are members now. */
export async function customersById(
  db: Executor,
  { shop, ids }: { shop: string; ids: readonly string[] },
): Promise<ExportMember[]> {
  if (ids.length === 0) return [];
  return db.all(
    sql`SELECT ${MEMBER_COLUMNS}
     FROM "Customer" c LEFT JOIN "CustomerFacts" f ON f."shop" = c."shop" AND f."customerId" = c."id"
     WHERE c."shop" = ${shop} AND ${sqlIn(`c."id"`, ids)} ORDER BY c."id"`,
    memberDecoder,
  );
}

/**
 * Every member, page by page (`pageSize` rows held at a time, and the next page on its way). The next
 * page is asked for as soon as this one's last id is known, before the caller works on this one: on
 * PostgreSQL the database reads it while this process turns the page into CSV or requests.
 */
export async function* members(
  db: Executor,
  {
    shop,
    segmentId,
    after = "",
    pageSize = 5_000,
    predictions = false,
  }: { shop: string; segmentId: number; after?: string; pageSize?: number; predictions?: boolean },
): AsyncGenerator<ExportMember[]> {
  const read = (cursor: string) => memberPage(db, { shop, segmentId, after: cursor, limit: pageSize, predictions });
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
