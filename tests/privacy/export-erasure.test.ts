// The compliance topics and the export, through the inbox and its processor, on both databases:
// customers/data_request keeps a report of everything held about the customer (rows, facts,
// memberships and history, exports); customers/redact removes their export records, reports and job
// errors (a scan of every table finds neither id, e-mail nor name), and asks Klaviyo and Mailchimp to
// delete the contact, retried until done; shop/redact forgets the shop's credentials.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { decoder, int, raw, sql, text } from "~/db/sql";
import { connectDestination } from "~/export/credentials.server";
import { processDeletions } from "~/export/deletions.server";
import { subscriberHash } from "~/export/mailchimp.server";
import { pruneExportData, MEMBERSHIP_HISTORY_DAYS } from "~/export/erasure.server";
import { queueJob } from "~/export/jobs.server";
import { getReport, listReports } from "~/export/privacy-report.server";
import { newEncryptionKey } from "~/export/secrets.server";
import { adapterFactory, drainJobs } from "~/export/worker.server";
import { createSegment } from "~/models/segments/definitions.server";
import { recomputeFacts, upsertCustomers, upsertShop } from "~/models/store.server";
import { refreshActivity } from "~/pixel/activity.server";
import { storeEvent } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { FakeKlaviyo } from "../helpers/fake-klaviyo";
import { FakeMailchimp } from "../helpers/fake-mailchimp";
import { payloads, scanTables, type Person } from "../helpers/privacy";
import { customer } from "../helpers/rows";

const SHOP = "export-privacy.myshopify.com";
const KLAVIYO_KEY = "pk_privacy_0123456789abcdef";
const MAILCHIMP_KEY = "abcdefabcdefabcdefabcdefabcdefab-us9";
const now = new Date("2026-06-02T00:00:00Z");
const P: Person = {
  id: "7391846209901",
  email: "perpetua.winterbourne@example.net",
  firstName: "Perpetua",
  lastName: "Winterbourne",
  phone: "+17785550901",
};
const Q: Person = {
  id: "7391846209902",
  email: "quentin.ashgrove@example.net",
  firstName: "Quentin",
  lastName: "Ashgrove",
  phone: "+17785550902",
};
const needles = (p: Person) => [p.id, p.email, p.firstName, p.lastName];
const row = (p: Person) =>
  customer({ id: p.id, email: p.email, firstName: p.firstName, lastName: p.lastName, tags: ["vip"] });

describe.each(DIALECTS)("export data and the compliance topics on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let klaviyo: FakeKlaviyo;
  let mailchimp: FakeMailchimp;
  let n = 0;
  const key = newEncryptionKey();
  const options = () => ({ sleep: async () => undefined, pollMs: 0 });
  const deliver = async (topic: string, body: string) => {
    await storeEvent(
      db,
      {
        shop: SHOP,
        topic,
        eventId: `p-${++n}`,
        webhookId: null,
        apiVersion: "2025-07",
        triggeredAt: null,
        payload: body,
      },
      now,
    );
    await new InboxProcessor(db, { now: () => now }).drain();
  };

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    klaviyo = await new FakeKlaviyo(KLAVIYO_KEY).start();
    mailchimp = await new FakeMailchimp(MAILCHIMP_KEY).start();
    vi.stubEnv("TAILORED_ENCRYPTION_KEY", key);
    vi.stubEnv("KLAVIYO_API_ORIGIN", klaviyo.url);
    vi.stubEnv("MAILCHIMP_API_ORIGIN", mailchimp.url);
    await upsertShop(db, { domain: SHOP, name: "Privacy", currencyCode: "USD", ianaTimezone: "UTC" });
    await upsertCustomers(db, { shop: SHOP, rows: [row(P), row(Q)], now });
    await recomputeFacts(db, { shop: SHOP, now });
    await connectDestination(db, { shop: SHOP, service: "klaviyo", apiKey: KLAVIYO_KEY, now, options: options() });
    await connectDestination(db, { shop: SHOP, service: "mailchimp", apiKey: MAILCHIMP_KEY, now, options: options() });
    const segmentId = await createSegment(db, { shop: SHOP, name: "VIP", query: "customer_tags CONTAINS 'vip'", now });
    // Klaviyo refuses P: that job's errors then name P's id.
    klaviyo.refuse.add(P.email);
    for (const target of ["klaviyo", "mailchimp"] as const)
      await queueJob(db, { shop: SHOP, segmentId, target, mode: "full", now });
    await drainJobs(db, {
      adapters: adapterFactory(db, { clientOptions: options(), adminClient: () => Promise.reject(new Error("no")) }),
    });
    klaviyo.refuse.clear();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await klaviyo.close();
    await mailchimp.close();
    await close();
  });

  it("customers/data_request keeps a report of everything held about the customer", async () => {
    // Derived and behavioural rows about P: a prediction, a recommendation list, a campaign exposure and
    // browsing, one event under P's id and one from a browser linked to P before they logged in.
    const at = new Date("2026-05-01T10:00:00Z");
    await db.prisma.customerPrediction.create({
      data: { shop: SHOP, customerId: P.id, pAlive: 0.8, expectedOrders90d: 1.2, churnRisk: "LOW", computedAt: at },
    });
    await db.prisma.recommendationList.create({
      data: { shop: SHOP, kind: "customer", key: P.id, productIds: "111,222", computedAt: at },
    });
    await db.prisma.pixelVisitor.create({
      data: { shop: SHOP, clientId: "browser-p", customerId: P.id, linkedAt: at },
    });
    for (const [eventId, customerId] of [
      ["ev-p-1", P.id],
      ["ev-p-2", null],
    ] as const) {
      await db.prisma.pixelEvent.create({
        data: {
          shop: SHOP,
          eventId,
          name: "product_viewed",
          at,
          clientId: "browser-p",
          customerId,
          productId: "111",
          receivedAt: at,
        },
      });
    }
    await refreshActivity(db, { shop: SHOP, customerIds: [P.id] });
    await deliver("customers/data_request", payloads.dataRequest(SHOP, P));
    const [summary] = await listReports(db, { shop: SHOP });
    expect(summary).toMatchObject({ customerId: P.id, requestId: "9012345" });
    const report = (await getReport(db, { shop: SHOP, customerId: P.id })) as Record<string, unknown[]>;
    expect(report.customers).toEqual([expect.objectContaining({ id: P.id, email: P.email, firstName: P.firstName })]);
    expect(report.segmentMemberships).toEqual([expect.objectContaining({ segment: "VIP" })]);
    expect(report.segmentHistory).toEqual([expect.objectContaining({ segment: "VIP" })]);
    expect(report.exports).toEqual([expect.objectContaining({ target: "mailchimp", segment: "VIP" })]);
    expect(report.facts).toHaveLength(1);
    expect(report.predictions).toEqual([expect.objectContaining({ customerId: P.id, churnRisk: "LOW" })]);
    expect(report.recommendations).toEqual([expect.objectContaining({ customerId: P.id, productIds: "111,222" })]);
    expect(report.browsing).toHaveLength(2);
    expect(report.browsing).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "product_viewed", clientId: "browser-p", productId: "111" }),
      ]),
    );
    // What segments read of it: one event under P's id, without a session.
    const [activity] = report.browsingActivity as Record<string, unknown>[];
    expect(report.browsingActivity).toHaveLength(1);
    expect([activity!.customerId, Number(activity!.sessions), activity!.lastSeenAt]).toEqual([
      P.id,
      0,
      at.toISOString(),
    ]);
    // Before the redact, P is all over the export's tables: the scan below is not vacuous.
    const before = await scanTables(db, needles(P));
    expect(before.some((f) => f.where.endsWith("PixelActivity"))).toBe(true);
    expect(before.some((f) => f.where.endsWith("ExportRecord"))).toBe(true);
    expect(before.some((f) => f.where.endsWith("ExportJob"))).toBe(true);
    expect(before.some((f) => f.where.endsWith("PrivacyReport"))).toBe(true);
  });

  it("customers/redact leaves nothing of the customer in any table, and queues a deletion per email tool", async () => {
    await deliver("customers/redact", payloads.customerRedact(SHOP, P, []));
    expect(await scanTables(db, needles(P))).toEqual([]);
    // Q is untouched.
    expect((await scanTables(db, needles(Q))).some((f) => f.where.endsWith("ExportRecord"))).toBe(true);
    const rows = await db.all(
      sql`SELECT "service", "status", "contact" FROM "ContactDeletion" WHERE "shop" = ${SHOP} ORDER BY "service"`,
      decoder({ service: text, status: text, contact: text }),
    );
    expect(rows.map((r) => [r.service, r.status])).toEqual([
      ["klaviyo", "pending"],
      ["mailchimp", "pending"],
    ]);
    for (const r of rows) expect(r.contact).toMatch(/^v1:/);
  });

  it("asks Klaviyo and Mailchimp to delete the contact, retrying a failure until done; the sealed e-mail goes", async () => {
    klaviyo.fail({ status: 503, times: 100, path: /data-privacy-deletion-jobs/ });
    mailchimp.fail({ status: 503, times: 100, path: /delete-permanent/ });
    const first = await processDeletions(db, { now: () => now, options: { ...options(), maxAttempts: 1 } });
    expect(first).toEqual({ done: 0, retrying: 2, failed: 0 });
    // The failures are recorded without anything that identifies the person: Mailchimp's request path
    // holds md5(e-mail), the subscriber hash, which must not be kept.
    const errors = await db.all(
      sql`SELECT "service", "lastError" FROM "ContactDeletion" WHERE "shop" = ${SHOP} ORDER BY "service"`,
      decoder({ service: text, lastError: text }),
    );
    expect(errors).toEqual([
      { service: "klaviyo", lastError: "Klaviyo: HTTP 503 (will be tried again)" },
      { service: "mailchimp", lastError: "Mailchimp: HTTP 503 (will be tried again)" },
    ]);
    expect(await scanTables(db, [...needles(P), subscriberHash(P.email)])).toEqual([]);
    klaviyo.clearFaults();
    mailchimp.clearFaults();
    // Not before its next attempt is due.
    expect(await processDeletions(db, { now: () => now, options: options() })).toEqual({
      done: 0,
      retrying: 0,
      failed: 0,
    });
    const later = new Date(now.getTime() + 10 * 60_000);
    expect(await processDeletions(db, { now: () => later, options: options() })).toEqual({
      done: 2,
      retrying: 0,
      failed: 0,
    });
    expect(klaviyo.deletions).toEqual([P.email]);
    expect(mailchimp.deleted).toEqual([P.email]);
    const rows = await db.all(
      sql`SELECT "status", "contact", "attempts" FROM "ContactDeletion" WHERE "shop" = ${SHOP} ORDER BY "service"`,
      decoder({ status: text, contact: text, attempts: int }),
    );
    expect(rows).toEqual([
      { status: "done", contact: "", attempts: 2 },
      { status: "done", contact: "", attempts: 2 },
    ]);
  });

  it("prunes membership history past its retention, keeping what a sync has yet to push", async () => {
    const old = new Date(now.getTime() - (MEMBERSHIP_HISTORY_DAYS + 1) * 86_400_000);
    await db.run(sql`UPDATE "SegmentEvent" SET "at" = ${old} WHERE "shop" = ${SHOP}`);
    await db.run(sql`UPDATE "SegmentSync" SET "eventCursor" = 0 WHERE "shop" = ${SHOP} AND "target" = 'mailchimp'`);
    expect((await pruneExportData(db, { now })).SegmentEvent).toBe(0);
    await db.run(sql`UPDATE "SegmentSync" SET "eventCursor" = 1000000 WHERE "shop" = ${SHOP}`);
    expect((await pruneExportData(db, { now })).SegmentEvent).toBeGreaterThan(0);
  });

  it("shop/redact forgets the credentials and every export row of the shop", async () => {
    await deliver("shop/redact", payloads.shopRedact(SHOP));
    for (const table of [
      "Destination",
      "ExportJob",
      "ExportRecord",
      "SegmentSync",
      "ContactDeletion",
      "PrivacyReport",
      "ConsentEvent",
    ]) {
      const [count] = await db.all(
        sql`SELECT COUNT(*) AS n FROM ${raw(`"${table}"`)} WHERE "shop" = ${SHOP}`,
        decoder({ n: int }),
      );
      expect([table, count!.n]).toEqual([table, 0]);
    }
    expect(await scanTables(db, [SHOP, KLAVIYO_KEY, MAILCHIMP_KEY])).toEqual([]);
  });
});
