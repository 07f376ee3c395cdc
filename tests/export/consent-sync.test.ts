// Consent-only changes reach the email tools a segment is kept in sync with (decision 024): consent
// webhooks go through the inbox and the processor, which note the change (ConsentEvent); the scheduler
// queues a sync run; the Klaviyo and Mailchimp stand-ins then hold the newly SUBSCRIBED member (with
// consent) and no longer hold the one who unsubscribed (off the list, off the tag, and unsubscribed in
// Klaviyo and in the Mailchimp audience). Membership did not move. Both databases.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { decoder, int, sql } from "~/db/sql";
import { connectDestination } from "~/export/credentials.server";
import { drainJobs, adapterFactory, queueDueSyncs } from "~/export/worker.server";
import { queueJob, getJob } from "~/export/jobs.server";
import { newEncryptionKey } from "~/export/secrets.server";
import { createSegment } from "~/models/segments/definitions.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { storeEvent } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { FakeKlaviyo } from "../helpers/fake-klaviyo";
import { FakeMailchimp } from "../helpers/fake-mailchimp";
import { customer } from "../helpers/rows";

const SHOP = "consent-sync.myshopify.com";
const KLAVIYO_KEY = "pk_test_0123456789abcdef0123456789abcdef";
const MAILCHIMP_KEY = "0123456789abcdef0123456789abcdef-us6";
const now = new Date("2026-06-02T00:00:00Z");

const people = [
  customer({ id: "701", email: "joins@example.com", tags: ["vip"], emailMarketingState: "NOT_SUBSCRIBED" }),
  customer({ id: "702", email: "leaves@example.com", tags: ["vip"], emailMarketingState: "SUBSCRIBED" }),
  customer({ id: "703", email: "stays@example.com", tags: ["vip"], emailMarketingState: "SUBSCRIBED" }),
  customer({ id: "704", email: "outsider@example.com", tags: ["other"], emailMarketingState: "NOT_SUBSCRIBED" }),
];

describe.each(DIALECTS)("consent-only changes kept in sync on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let klaviyo: FakeKlaviyo;
  let mailchimp: FakeMailchimp;
  let segmentId: number;
  let n = 0;
  const key = newEncryptionKey();
  const options = () => ({
    env: { TAILORED_ENCRYPTION_KEY: key, KLAVIYO_API_ORIGIN: klaviyo.url, MAILCHIMP_API_ORIGIN: mailchimp.url },
    sleep: async () => undefined,
    pollMs: 0,
  });
  const adapters = () =>
    adapterFactory(db, { clientOptions: options(), adminClient: () => Promise.reject(new Error("no Shopify here")) });
  const consent = (id: string, state: string, at: string) =>
    storeEvent(
      db,
      {
        shop: SHOP,
        topic: "customers_email_marketing_consent/update",
        eventId: `consent-${dialect}-${++n}`,
        webhookId: null,
        apiVersion: "2025-07",
        triggeredAt: null,
        payload: JSON.stringify({
          customer_id: Number(id),
          email_address: `${id}@example.com`,
          email_marketing_consent: { state, opt_in_level: "single_opt_in", consent_updated_at: at },
        }),
      },
      new Date(),
    );
  const consentEvents = async () =>
    (await db.all(sql`SELECT COUNT(*) AS n FROM "ConsentEvent" WHERE "shop" = ${SHOP}`, decoder({ n: int })))[0]!.n;

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    klaviyo = await new FakeKlaviyo(KLAVIYO_KEY).start();
    mailchimp = await new FakeMailchimp(MAILCHIMP_KEY).start();
    vi.stubEnv("TAILORED_ENCRYPTION_KEY", key);
    await upsertShop(db, { domain: SHOP, name: "Consent", currencyCode: "USD", ianaTimezone: "UTC" });
    await upsertCustomers(db, { shop: SHOP, rows: people, now });
    segmentId = await createSegment(db, { shop: SHOP, name: "VIP", query: "customer_tags CONTAINS 'vip'", now });
    await connectDestination(db, { shop: SHOP, service: "klaviyo", apiKey: KLAVIYO_KEY, now, options: options() });
    await connectDestination(db, { shop: SHOP, service: "mailchimp", apiKey: MAILCHIMP_KEY, now, options: options() });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await klaviyo.close();
    await mailchimp.close();
    await close();
  });

  it("notes nothing while no segment is kept in sync with an email tool", async () => {
    await consent("704", "subscribed", "2026-01-01T00:00:00Z");
    await new InboxProcessor(db).drain();
    expect(await consentEvents()).toBe(0);
  });

  it("a member who subscribes is sent with consent; one who unsubscribes is taken off; membership unchanged", async () => {
    for (const target of ["klaviyo", "mailchimp"] as const) {
      const { job } = await queueJob(db, { shop: SHOP, segmentId, target, mode: "full", now, keepInSync: true });
      await drainJobs(db, { adapters: adapters(), shop: SHOP });
      expect(await getJob(db, { shop: SHOP, id: job.id })).toMatchObject({ status: "done", sent: 2, skipped: 1 });
    }
    const [listId] = [...klaviyo.lists.keys()];
    expect(klaviyo.listEmails(listId!)).toEqual(["leaves@example.com", "stays@example.com"]);
    expect(mailchimp.tagged("tailored: VIP")).toEqual(["leaves@example.com", "stays@example.com"]);
    // Nothing is due before consent moves.
    expect(await queueDueSyncs(db, new Date())).toBe(0);
    klaviyo.imported.length = 0;
    mailchimp.upserted.length = 0;
    const membershipEvents = async () =>
      (
        await db.all(
          sql`SELECT COUNT(*) AS n FROM "SegmentEvent" WHERE "shop" = ${SHOP} AND "segmentId" = ${segmentId}`,
          decoder({ n: int }),
        )
      )[0]!.n;
    const before = await membershipEvents();

    await consent("701", "subscribed", "2026-06-03T00:00:00Z");
    await consent("702", "unsubscribed", "2026-06-03T00:00:00Z");
    await consent("704", "unsubscribed", "2026-06-03T00:00:00Z"); // not a member: nothing to send
    await new InboxProcessor(db).drain();
    expect(await consentEvents()).toBe(3);
    expect(await membershipEvents()).toBe(before);

    expect(await queueDueSyncs(db, new Date())).toBe(2);
    const ended = await drainJobs(db, { adapters: adapters(), shop: SHOP });
    expect(ended.map((j) => [j.target, j.mode, j.status]).sort()).toEqual([
      ["klaviyo", "sync", "done"],
      ["mailchimp", "sync", "done"],
    ]);
    for (const j of ended) expect(await getJob(db, { shop: SHOP, id: j.id })).toMatchObject({ sent: 2, failed: 0 });

    // Klaviyo: the new subscriber imported (only them) with consent, on the list; the other one off it.
    expect(klaviyo.imported).toEqual(["joins@example.com"]);
    expect(klaviyo.profiles.get("joins@example.com")).toMatchObject({ consent: "SUBSCRIBED" });
    expect(klaviyo.listEmails(listId!)).toEqual(["joins@example.com", "stays@example.com"]);
    // …and unsubscribed in Klaviyo itself (only the one who was on the list).
    expect(klaviyo.unsubscribed).toEqual(["leaves@example.com"]);
    expect(klaviyo.profiles.get("leaves@example.com")).toMatchObject({ consent: "UNSUBSCRIBED" });
    // Mailchimp: tagged / untagged, and the one who withdrew is unsubscribed in the audience.
    expect(mailchimp.tagged("tailored: VIP")).toEqual(["joins@example.com", "stays@example.com"]);
    const leaving = [...mailchimp.audiences.get("aud001")!.members.values()].find(
      (m) => m.email === "leaves@example.com",
    );
    expect(leaving?.status).toBe("unsubscribed");
    expect(mailchimp.upserted).not.toContain("outsider@example.com");
    expect(mailchimp.upserted).not.toContain("stays@example.com");

    // Read once: nothing more is due, and a replayed (stale) consent event changes nothing.
    expect(await queueDueSyncs(db, new Date())).toBe(0);
    await consent("702", "subscribed", "2026-05-01T00:00:00Z");
    await new InboxProcessor(db).drain();
    expect(await consentEvents()).toBe(3);
  });

  it("customers/update carrying a changed email consent is noted too", async () => {
    const body = {
      id: 703,
      email: "stays@example.com",
      first_name: "S",
      last_name: "T",
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2026-06-04T00:00:00Z",
      tags: "vip",
      email_marketing_consent: {
        state: "unsubscribed",
        opt_in_level: "single_opt_in",
        consent_updated_at: "2026-06-04T00:00:00Z",
      },
    };
    await storeEvent(
      db,
      {
        shop: SHOP,
        topic: "customers/update",
        eventId: `update-${dialect}`,
        webhookId: null,
        apiVersion: "2024-10",
        triggeredAt: null,
        payload: JSON.stringify(body),
      },
      new Date(),
    );
    await new InboxProcessor(db).drain();
    expect(await consentEvents()).toBe(4);
    expect(await queueDueSyncs(db, new Date())).toBe(2);
    await drainJobs(db, { adapters: adapters(), shop: SHOP });
    const [listId] = [...klaviyo.lists.keys()];
    expect(klaviyo.listEmails(listId!)).toEqual(["joins@example.com"]);
    expect(mailchimp.tagged("tailored: VIP")).toEqual(["joins@example.com"]);
  });
});
