// A segment's members for the exporters, paged in keyset order (the SegmentMember primary key:
// shop, segmentId, customerId), so that memory stays one page whatever the segment's size and a job
// can resume after the last customer it sent. Every query scoped by shop.
import type { Executor } from "~/db/database.server";
import { bigint, date, decoder, int, nullable, raw, sql, sqlIn, text } from "~/db/sql";
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

// Predictions: when CustomerPrediction lands, LEFT JOIN it here and fill `predictions` (csv.ts,
// PREDICTION_FIELDS), keeping the one-page-at-a-time shape.

/** Up to `limit` members whose customer id sorts after `after` ("" for the first page). */
export async function memberPage(
  db: Executor,
  { shop, segmentId, after, limit }: { shop: string; segmentId: number; after: string; limit: number },
): Promise<ExportMember[]> {
  return db.all(
    sql`SELECT ${MEMBER_COLUMNS}
     FROM "SegmentMember" m JOIN "Customer" c ON c."shop" = m."shop" AND c."id" = m."customerId"
     LEFT JOIN "CustomerFacts" f ON f."shop" = m."shop" AND f."customerId" = m."customerId"
     WHERE m."shop" = ${shop} AND m."segmentId" = ${segmentId} AND m."customerId" > ${after}
     ORDER BY m."customerId" LIMIT ${limit}`,
    memberDecoder,
  );
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

/** Every member, page by page (`pageSize` rows held at a time). */
export async function* members(
  db: Executor,
  {
    shop,
    segmentId,
    after = "",
    pageSize = 5_000,
  }: { shop: string; segmentId: number; after?: string; pageSize?: number },
): AsyncGenerator<ExportMember[]> {
  let cursor = after;
  for (;;) {
    const page = await memberPage(db, { shop, segmentId, after: cursor, limit: pageSize });
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    cursor = page[page.length - 1]!.id;
    // SQLite's driver is synchronous: without a turn of the event loop between pages, a long export
    // would hold the server's thread (other requests, timers) until its last page.
    await new Promise((resolve) => setImmediate(resolve));
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
