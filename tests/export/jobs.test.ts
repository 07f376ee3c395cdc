// Export jobs against the Klaviyo and Mailchimp stand-ins, on both databases: consent gating, partial
// failures recorded, deltas on enter and leave (only the changes are sent), leaving members taken off,
// a second full run sending nothing twice, and credentials nowhere but sealed in their row.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { decoder, int, sql, text } from "~/db/sql";
import {
  chooseMailchimpAudience,
  connectDestination,
  CredentialsError,
  listDestinations,
} from "~/export/credentials.server";
import { getJob, queueJob, type Target } from "~/export/jobs.server";
import { newEncryptionKey } from "~/export/secrets.server";
import { adapterFactory, drainJobs } from "~/export/worker.server";
import { createSegment } from "~/models/segments/definitions.server";
import { writeMembershipChanges } from "~/models/segments/memberships.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { FakeKlaviyo } from "../helpers/fake-klaviyo";
import { FakeMailchimp } from "../helpers/fake-mailchimp";
import { customer } from "../helpers/rows";

const SHOP = "export-jobs.myshopify.com";
const KLAVIYO_KEY = "pk_test_0123456789abcdef0123456789abcdef";
const MAILCHIMP_KEY = "0123456789abcdef0123456789abcdef-us6";
const now = new Date("2026-06-02T00:00:00Z");

// 12 VIP customers: even ids SUBSCRIBED, odd ones not (3 kinds of "not"), one without an e-mail.
const people = Array.from({ length: 12 }, (_, i) =>
  customer({
    id: String(5000 + i),
    email: i === 10 ? null : `vip${i}@example.com`,
    tags: ["vip"],
    emailMarketingState: i % 2 === 0 ? "SUBSCRIBED" : (["UNSUBSCRIBED", "NOT_SUBSCRIBED", "PENDING"] as const)[i % 3]!,
  }),
);
const consenting = people.filter((p) => p.emailMarketingState === "SUBSCRIBED" && p.email).map((p) => p.email!);
const notConsenting = people.filter((p) => p.emailMarketingState !== "SUBSCRIBED" && p.email).map((p) => p.email!);

describe.each(DIALECTS)("export jobs on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let klaviyo: FakeKlaviyo;
  let mailchimp: FakeMailchimp;
  let segmentId: number;
  const env = () => ({
    TAILORED_ENCRYPTION_KEY: key,
    KLAVIYO_API_ORIGIN: klaviyo.url,
    MAILCHIMP_API_ORIGIN: mailchimp.url,
  });
  const key = newEncryptionKey();
  const options = () => ({ env: env(), sleep: async () => undefined, pollMs: 0 });
  const adapters = () =>
    adapterFactory(db, {
      clientOptions: options(),
      adminClient: () => Promise.reject(new Error("no Shopify here")),
    });
  const run = async (target: Target, mode: "full" | "sync") => {
    const { job } = await queueJob(db, { shop: SHOP, segmentId, target, mode, now: new Date() });
    await drainJobs(db, { adapters: adapters(), shop: SHOP });
    return (await getJob(db, { shop: SHOP, id: job.id }))!;
  };

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    klaviyo = await new FakeKlaviyo(KLAVIYO_KEY).start();
    mailchimp = await new FakeMailchimp(MAILCHIMP_KEY).start();
    await upsertShop(db, { domain: SHOP, name: "Export", currencyCode: "USD", ianaTimezone: "UTC" });
    await upsertCustomers(db, { shop: SHOP, rows: people, now });
    segmentId = await createSegment(db, { shop: SHOP, name: "VIP", query: "customer_tags CONTAINS 'vip'", now });
    vi.stubEnv("TAILORED_ENCRYPTION_KEY", key);
    vi.stubEnv("KLAVIYO_API_ORIGIN", klaviyo.url);
    vi.stubEnv("MAILCHIMP_API_ORIGIN", mailchimp.url);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await klaviyo.close();
    await mailchimp.close();
    await close();
  });
  beforeEach(() => klaviyo.refuse.clear());

  it("refuses a key the service refuses, stores none, and says nothing of the key", async () => {
    const error = await connectDestination(db, {
      shop: SHOP,
      service: "klaviyo",
      apiKey: "pk_wrong_key_123",
      now,
      options: options(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect(String((error as Error).message)).not.toContain("pk_wrong_key_123");
    expect(await listDestinations(db, { shop: SHOP })).toEqual([]);
    await expect(
      connectDestination(db, { shop: SHOP, service: "mailchimp", apiKey: "no-data-centre", now, options: options() }),
    ).rejects.toThrow(/data centre/);
  });

  it("connects both services with valid keys; the keys are stored sealed, never in the clear", async () => {
    await connectDestination(db, { shop: SHOP, service: "klaviyo", apiKey: KLAVIYO_KEY, now, options: options() });
    await connectDestination(db, { shop: SHOP, service: "mailchimp", apiKey: MAILCHIMP_KEY, now, options: options() });
    expect(await listDestinations(db, { shop: SHOP })).toEqual([
      { service: "klaviyo", account: "Stand-in Store", connectedAt: now, listId: null },
      { service: "mailchimp", account: "Stand-in Chimp", connectedAt: now, listId: null },
    ]);
    const rows = await db.all(
      sql`SELECT "secret" FROM "Destination" WHERE "shop" = ${SHOP}`,
      decoder({ secret: text }),
    );
    for (const { secret } of rows) {
      expect(secret).toMatch(/^v1:/);
      expect(secret).not.toContain(KLAVIYO_KEY);
      expect(secret).not.toContain(MAILCHIMP_KEY);
    }
  });

  it("Klaviyo, in full: only SUBSCRIBED customers are sent, once each; a refused profile is recorded without its e-mail", async () => {
    klaviyo.refuse.add("vip4@example.com");
    const job = await run("klaviyo", "full");
    expect(job).toMatchObject({
      status: "done",
      sent: consenting.length - 1,
      failed: 1,
      skipped: people.length - consenting.length,
    });
    expect(job.errors).toEqual([expect.objectContaining({ customerId: "5004", code: "invalid" })]);
    expect(JSON.stringify(job.errors)).not.toContain("vip4@example.com");
    const imported = [...klaviyo.imported].sort();
    expect(imported).toEqual(consenting.filter((e) => e !== "vip4@example.com").sort());
    for (const email of notConsenting) {
      expect(klaviyo.imported).not.toContain(email);
      expect(klaviyo.subscribed).not.toContain(email);
    }
    expect(klaviyo.lists.size).toBe(1);
    const [listId] = [...klaviyo.lists.keys()];
    expect(klaviyo.listEmails(listId!)).toEqual(imported);
    expect(klaviyo.profiles.get("vip0@example.com")).toMatchObject({
      consent: "SUBSCRIBED",
      attributes: expect.objectContaining({ external_id: "5000" }),
    });
  });

  it("Klaviyo, in sync: deltas only; entering members added, leaving members taken off the list", async () => {
    klaviyo.imported.length = 0;
    const entering = customer({ id: "5100", email: "newvip@example.com", tags: ["vip"] });
    await upsertCustomers(db, { shop: SHOP, rows: [entering], now });
    await db.transaction((tx) =>
      writeMembershipChanges(tx, {
        shop: SHOP,
        at: new Date(),
        changes: [
          { segmentId, customerId: "5100", entered: true },
          { segmentId, customerId: "5002", entered: false },
          { segmentId, customerId: "5001", entered: false }, // never sent (no consent): nothing to do
        ],
      }),
    );
    const job = await run("klaviyo", "sync");
    expect(job).toMatchObject({ status: "done", mode: "sync", sent: 2, failed: 0 });
    expect(klaviyo.imported).toEqual(["newvip@example.com"]);
    const [listId] = [...klaviyo.lists.keys()];
    expect(klaviyo.listEmails(listId!)).toContain("newvip@example.com");
    expect(klaviyo.listEmails(listId!)).not.toContain("vip2@example.com");
    // Nothing new since: a sync run sends nothing.
    const again = await run("klaviyo", "sync");
    expect(again).toMatchObject({ status: "done", sent: 0 });
    expect(klaviyo.imported).toEqual(["newvip@example.com"]);
  });

  it("Mailchimp: consenting members upserted and tagged; a refused one recorded; at most 10 connections", async () => {
    mailchimp.refuse.add("vip6@example.com");
    mailchimp.delayMs = 20;
    const job = await run("mailchimp", "full");
    mailchimp.delayMs = 0;
    const members = people
      .filter((p) => p.id !== "5002" && p.id !== "5001")
      .filter((p) => p.emailMarketingState === "SUBSCRIBED" && p.email);
    const expected = [...members.map((p) => p.email!), "newvip@example.com"]
      .filter((e) => e !== "vip6@example.com")
      .sort();
    expect(job).toMatchObject({ status: "done", failed: 1 });
    expect(JSON.stringify(job.errors)).not.toContain("vip6@example.com");
    expect(mailchimp.tagged("tailored: VIP")).toEqual(expected);
    for (const email of notConsenting) expect(mailchimp.upserted).not.toContain(email);
    expect(mailchimp.maxInFlight).toBeLessThanOrEqual(10);
    // The member who left is off the tag (Mailchimp's "removal" from the segment's static segment).
    await db.transaction((tx) =>
      writeMembershipChanges(tx, {
        shop: SHOP,
        at: new Date(),
        changes: [{ segmentId, customerId: "5100", entered: false }],
      }),
    );
    const sync = await run("mailchimp", "sync");
    expect(sync).toMatchObject({ status: "done", sent: 1 });
    expect(mailchimp.tagged("tailored: VIP")).not.toContain("newvip@example.com");
  });

  it("Mailchimp: a full run follows the audience the merchant chose; an audience the account lacks is refused", async () => {
    mailchimp.refuse.clear();
    mailchimp.audiences.set("aud002", { name: "Newsletter", members: new Map() });
    await expect(
      chooseMailchimpAudience(db, { shop: SHOP, audienceId: "nope", now, options: options() }),
    ).rejects.toBeInstanceOf(CredentialsError);
    expect(await chooseMailchimpAudience(db, { shop: SHOP, audienceId: "aud002", now, options: options() })).toBe(
      "Newsletter",
    );
    const job = await run("mailchimp", "full");
    expect(job).toMatchObject({ status: "done", failed: 0 });
    expect(mailchimp.tagged("tailored: VIP", "aud002")).toEqual(
      people
        .filter((p) => p.id !== "5002" && p.id !== "5001" && p.emailMarketingState === "SUBSCRIBED" && p.email)
        .map((p) => p.email!)
        .sort(),
    );
    const [sync] = await db.all(
      sql`SELECT "remoteId" FROM "SegmentSync" WHERE "shop" = ${SHOP} AND "target" = 'mailchimp'`,
      decoder({ remoteId: text }),
    );
    expect(JSON.parse(sync!.remoteId)).toMatchObject({ list: "aud002" });
  });

  it("records each sent customer once per destination, with what the destination calls them", async () => {
    const rows = await db.all(
      sql`SELECT "target", COUNT(*) AS n FROM "ExportRecord" WHERE "shop" = ${SHOP} GROUP BY "target" ORDER BY "target"`,
      decoder({ target: text, n: int }),
    );
    expect(rows.map((r) => r.target)).toEqual(["klaviyo", "mailchimp"]);
  });
});
