// customers/data_request: a report of everything Tailored stores about one customer — their row,
// facts, orders and lines, segment memberships and history, export records and where they were sent,
// deliveries in the inbox that still hold a payload naming them, and the export jobs' errors about
// them — kept as a PrivacyReport for the merchant (Privacy page, `tailored privacy report`), who
// passes it on. Built in the processor's transaction when the request is applied.
import type { Executor, Row } from "~/db/database.server";
import { join, raw, sql, sqlIn, text } from "~/db/sql";

export type DataRequest = {
  customerId: string | null;
  email: string | null;
  phone: string | null;
  orderIds: string[];
  requestId: string | null;
};

/** Rows as plain JSON: bigint as text, dates as ISO. */
function plain(rows: Row[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v,
      ]),
    ),
  );
}

/** SQLite keeps DateTime as integer ms: the report names which columns are times, and writes them as ISO. */
function times(rows: Record<string, unknown>[], columns: readonly string[]): Record<string, unknown>[] {
  for (const row of rows) {
    for (const c of columns) {
      const v = row[c];
      if (v !== null && v !== undefined && !(typeof v === "string" && v.includes("T")))
        row[c] = new Date(Number(v)).toISOString();
    }
  }
  return rows;
}

export async function buildReport(
  tx: Executor,
  { shop, request, now }: { shop: string; request: DataRequest; now: Date },
) {
  const ids = new Set(request.customerId ? [request.customerId] : []);
  if (request.email) {
    const byEmail = await tx.all(
      sql`SELECT "id" FROM "Customer" WHERE "shop" = ${shop} AND lower("email") = ${request.email.toLowerCase()}`,
    );
    for (const r of byEmail) ids.add(text(r.id));
  }
  const customerIds = [...ids];
  const customers = times(
    plain(
      await tx.all(
        sql`SELECT "id", "email", "firstName", "lastName", "countryCode", "provinceCode", "city", "tags",
           "emailMarketingState", "smsMarketingState", "emailConsentAt", "smsConsentAt", "createdAt", "updatedAt"
         FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, customerIds)}`,
      ),
    ),
    ["emailConsentAt", "smsConsentAt", "createdAt", "updatedAt"],
  );
  const facts = times(
    plain(
      await tx.all(
        sql`SELECT "customerId", "ordersCount", "amountSpentMinor", "aovMinor", "firstOrderAt", "lastOrderAt", "rfmGroup", "computedAt"
         FROM "CustomerFacts" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`,
      ),
    ),
    ["firstOrderAt", "lastOrderAt", "computedAt"],
  );
  const orderRows = await tx.all(
    sql`SELECT "id" FROM "Order" WHERE "shop" = ${shop} AND (${sqlIn(`"customerId"`, customerIds)} OR ${sqlIn(`"id"`, request.orderIds)}
      ${request.email ? sql`OR lower("email") = ${request.email.toLowerCase()}` : raw("")})`,
  );
  const orderIds = orderRows.map((r) => text(r.id));
  const orders = times(
    plain(
      await tx.all(
        sql`SELECT "id", "name", "customerId", "email", "processedAt", "cancelledAt", "currencyCode", "totalMinor", "refundedMinor", "financialStatus"
         FROM "Order" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, orderIds)} ORDER BY "processedAt"`,
      ),
    ),
    ["processedAt", "cancelledAt"],
  );
  const lines = plain(
    await tx.all(
      sql`SELECT "orderId", "title", "sku", "quantity", "priceMinor" FROM "OrderLine" WHERE "shop" = ${shop} AND ${sqlIn(`"orderId"`, orderIds)}`,
    ),
  );
  const memberships = times(
    plain(
      await tx.all(
        sql`SELECT m."customerId", s."name" AS "segment", m."since" FROM "SegmentMember" m JOIN "Segment" s ON s."shop" = m."shop" AND s."id" = m."segmentId"
         WHERE m."shop" = ${shop} AND ${sqlIn(`m."customerId"`, customerIds)}`,
      ),
    ),
    ["since"],
  );
  const history = times(
    plain(
      await tx.all(
        sql`SELECT e."customerId", s."name" AS "segment", e."entered", e."at" FROM "SegmentEvent" e LEFT JOIN "Segment" s ON s."shop" = e."shop" AND s."id" = e."segmentId"
         WHERE e."shop" = ${shop} AND ${sqlIn(`e."customerId"`, customerIds)} ORDER BY e."id"`,
      ),
    ),
    ["at"],
  );
  const exports = times(
    plain(
      await tx.all(
        sql`SELECT r."customerId", r."target", s."name" AS "segment", r."inList", r."at" FROM "ExportRecord" r LEFT JOIN "Segment" s ON s."shop" = r."shop" AND s."id" = r."segmentId"
         WHERE r."shop" = ${shop} AND ${sqlIn(`r."customerId"`, customerIds)}`,
      ),
    ),
    ["at"],
  );
  // Derived and behavioural data held about them too: predictions, their recommendation list, the
  // storefront campaigns that reached them, and their browsing (the Web Pixel's events, those of the
  // browsers linked to them included).
  const predictions = times(
    plain(
      await tx.all(
        sql`SELECT "customerId", "pAlive", "expectedOrders90d", "predictedClvMinor", "predictedSpendTier", "churnRisk", "clusterName", "computedAt"
         FROM "CustomerPrediction" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`,
      ),
    ),
    ["computedAt"],
  );
  const recommendations = times(
    plain(
      await tx.all(
        sql`SELECT "key" AS "customerId", "productIds", "excludeIds", "computedAt" FROM "RecommendationList"
         WHERE "shop" = ${shop} AND "kind" = 'customer' AND ${sqlIn(`"key"`, customerIds)}`,
      ),
    ),
    ["computedAt"],
  );
  const campaigns = times(
    plain(
      await tx.all(
        sql`SELECT "customerId", "campaignId", "arm", "firstSeenAt", "lastSeenAt" FROM "CampaignExposure"
         WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`,
      ),
    ),
    ["firstSeenAt", "lastSeenAt"],
  );
  const browsing = times(
    plain(
      await tx.all(
        sql`SELECT e."name", e."at", e."clientId", e."customerId", e."productId", e."variantId", e."collectionId",
           e."productType", e."vendor", e."query", e."valueMinor", e."currencyCode"
         FROM "PixelEvent" e WHERE e."shop" = ${shop} AND (${sqlIn(`e."customerId"`, customerIds)}
           OR e."clientId" IN (SELECT v."clientId" FROM "PixelVisitor" v WHERE v."shop" = ${shop} AND ${sqlIn(`v."customerId"`, customerIds)}))
         ORDER BY e."at"`,
      ),
    ),
    ["at"],
  );
  // What segments read of that browsing, derived from it (PixelActivity): sessions and last seen.
  const browsingActivity = times(
    plain(
      await tx.all(
        sql`SELECT "customerId", "sessions", "lastSeenAt" FROM "PixelActivity"
         WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`,
      ),
    ),
    ["lastSeenAt"],
  );
  const needles = [...customerIds, ...(request.email ? [request.email.toLowerCase()] : [])];
  const position = raw(tx.dialect === "sqlite" ? "instr" : "strpos");
  const inbox =
    needles.length === 0
      ? []
      : times(
          plain(
            await tx.all(
              sql`SELECT "topic", "status", "receivedAt", "payload" FROM "WebhookEvent" WHERE "shop" = ${shop} AND "payload" <> ''
               AND "topic" NOT IN ('customers/data_request', 'customers/redact')
               AND (${join(
                 needles.map((n) => sql`${position}(lower("payload"), ${n}) > 0`),
                 " OR ",
               )})`,
            ),
          ),
          ["receivedAt"],
        );
  return {
    shop,
    generatedAt: now.toISOString(),
    request: {
      customerId: request.customerId,
      email: request.email,
      dataRequestId: request.requestId,
      ordersRequested: request.orderIds,
    },
    customers,
    facts,
    orders: orders.map((o) => ({ ...o, lines: lines.filter((l) => l.orderId === o.id) })),
    segmentMemberships: memberships,
    segmentHistory: history,
    exports,
    predictions,
    recommendations,
    storefrontCampaigns: campaigns,
    browsing,
    browsingActivity,
    inboxPayloads: inbox,
  };
}

export async function savePrivacyReport(
  tx: Executor,
  { shop, request, now }: { shop: string; request: DataRequest; now: Date },
): Promise<number> {
  const report = await buildReport(tx, { shop, request, now });
  const customerId = request.customerId ?? (report.customers[0]?.id as string | undefined) ?? null;
  const [row] = await tx.all(
    sql`INSERT INTO "PrivacyReport" ("shop", "customerId", "requestId", "report", "createdAt")
     VALUES (${shop}, ${customerId}, ${request.requestId}, ${JSON.stringify(report)}, ${now}) RETURNING "id"`,
  );
  return Number(row!.id);
}

export type ReportSummary = { id: number; customerId: string | null; requestId: string | null; createdAt: Date | null };

export async function listReports(
  db: Executor,
  { shop, limit = 50 }: { shop: string; limit?: number },
): Promise<ReportSummary[]> {
  const rows = await db.all(
    sql`SELECT "id", "customerId", "requestId", "createdAt" FROM "PrivacyReport" WHERE "shop" = ${shop} ORDER BY "id" DESC LIMIT ${limit}`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    customerId: r.customerId == null ? null : String(r.customerId),
    requestId: r.requestId == null ? null : String(r.requestId),
    createdAt: r.createdAt == null ? null : r.createdAt instanceof Date ? r.createdAt : new Date(Number(r.createdAt)),
  }));
}

/** The newest report about a customer (or by its id); null when none is kept. */
export async function getReport(
  db: Executor,
  { shop, customerId, id }: { shop: string; customerId?: string; id?: number },
): Promise<unknown> {
  const [row] = await db.all(
    sql`SELECT "report" FROM "PrivacyReport" WHERE "shop" = ${shop}
     ${id !== undefined ? sql`AND "id" = ${id}` : sql`AND "customerId" = ${customerId ?? ""}`} ORDER BY "id" DESC LIMIT 1`,
  );
  return row ? JSON.parse(text(row.report)) : null;
}
