// Tags and consent webhooks (API 2025-01 on): customer.tags_added / customer.tags_removed,
// customers_email_marketing_consent/update, customers_marketing_consent/update. Each only touches its
// own columns, and a stale event — older than what we hold — changes nothing, whatever the order of
// arrival. First through the production server over HTTP with signed requests, then through the
// inbox and processor on both databases.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "~/db/database.server";
import { decoder, nullable, sql, text } from "~/db/sql";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { cliJson } from "../helpers/cli";
import { storeEvent } from "~/sync/inbox.server";
import { InboxProcessor } from "~/sync/processor.server";
import { fixtureDeliveries, send } from "~/sync/replay.server";
import { webhookHeaders } from "~/sync/signing";
import { createEmptyDatabase, createTestDb, DIALECTS, type TestDatabase } from "../helpers/db";
import { ROOT } from "../helpers/env";
import { buildApp, startServer, type RunningServer } from "../helpers/server";

const FIXTURES = path.join(ROOT, "tests", "fixtures", "webhooks");
const fixture = (topic: string) => fs.readFileSync(path.join(FIXTURES, `${topic.replace("/", "__")}.json`), "utf8");

async function customer(db: Db, shop: string, id: string) {
  const [row] = await db.all(
    sql`SELECT "tags", "emailMarketingState", "smsMarketingState", "email" FROM "Customer" WHERE "shop" = ${shop} AND "id" = ${id}`,
    decoder({ tags: text, emailMarketingState: text, smsMarketingState: text, email: nullable(text) }),
  );
  return row
    ? {
        tags: row.tags,
        email: row.emailMarketingState,
        sms: row.smsMarketingState,
        address: row.email,
      }
    : null;
}

describe("tags and consent webhooks through server.mjs", () => {
  const SECRET = "tags-consent-secret";
  const SHOP = "fixture-shop.myshopify.com";
  let database: TestDatabase;
  let server: RunningServer;
  let db: Db;

  const post = (topic: string, body: string, eventId: string, secret = SECRET) =>
    new Promise<number>((resolve, reject) => {
      const headers = {
        ...webhookHeaders({ topic, shop: SHOP, body, eventId, webhookId: `w-${eventId}` }, secret),
        "content-length": String(Buffer.byteLength(body)),
      };
      const request = http.request(
        `${server.url}/webhooks/${topic.replace(".", "/")}`,
        { method: "POST", headers },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  // Acknowledged is not applied: on SQLite the server journals a delivery and answers before its inbox
  // commit (docs/decisions/012-webhook-journal.md). So this waits for the given events to be applied
  // (or failed), not merely for nothing to be pending.
  const settled = async (...eventIds: string[]) => {
    for (let i = 0; i < 200; i++) {
      const rows = await db.prisma.webhookEvent.findMany({
        where: { shop: SHOP, eventId: { in: eventIds } },
        select: { status: true },
      });
      if (rows.length === eventIds.length && rows.every((r) => r.status !== "pending")) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("events still pending");
  };

  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    buildApp();
    db = openDatabase(database.config);
    await upsertShop(db, { domain: SHOP, name: "Fixture", currencyCode: "USD", ianaTimezone: "UTC" });
    server = await startServer({
      DATABASE_URL: database.url,
      SHOPIFY_API_SECRET: SECRET,
      HOST: "127.0.0.1",
      TAILORED_BACKGROUND_SYNC: "off",
    });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
    await database?.drop();
  });

  it("applies each topic's fixture to its own columns only", async () => {
    expect(await post("customers/create", fixture("customers/create"), "e-create")).toBe(200);
    const topics = [
      "customer.tags_added",
      "customer.tags_removed",
      "customers_email_marketing_consent/update",
      "customers_marketing_consent/update",
    ];
    for (const topic of topics) {
      expect(await post(topic, fixture(topic), `e-${topic}`)).toBe(200);
    }
    await settled("e-create", ...topics.map((t) => `e-${t}`));
    // Added vip and wholesale, then removed wholesale; both consents subscribed; the rest untouched.
    expect(await customer(db, SHOP, "7731250036789")).toEqual({
      tags: "vip",
      email: "SUBSCRIBED",
      sms: "SUBSCRIBED",
      address: "maya.patel@example.com",
    });
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOP, status: { not: "done" } } })).toBe(0);
  });

  it("ignores a redelivery, and a later customers/update (without tags or consent) keeps them", async () => {
    const before = await db.prisma.webhookEvent.count();
    // Same event id: stored once. The tag event it carries is older than the removal anyway.
    expect(await post("customer.tags_added", fixture("customer.tags_added"), "e-customer.tags_added")).toBe(200);
    const update = JSON.parse(fixture("customers/update")) as Record<string, unknown>;
    expect(update.tags).toBeUndefined();
    expect(await post("customers/update", JSON.stringify(update), "e-update")).toBe(200);
    await settled("e-customer.tags_added", "e-update");
    expect(await db.prisma.webhookEvent.count()).toBe(before + 1);
    expect(await customer(db, SHOP, "7731250036789")).toMatchObject({
      tags: "vip",
      email: "SUBSCRIBED",
      sms: "SUBSCRIBED",
    });
  });

  it("answers 401 to a bad signature, and keeps a payload that does not fit with its error", async () => {
    expect(await post("customer.tags_added", fixture("customer.tags_added"), "e-forged", "wrong-secret")).toBe(401);
    expect(await db.prisma.webhookEvent.count({ where: { eventId: "e-forged" } })).toBe(0);
    expect(
      await post("customer.tags_removed", JSON.stringify({ customerId: 7731250036789, tags: ["vip"] }), "e-bad"),
    ).toBe(200);
    await settled("e-bad");
    expect(await db.prisma.webhookEvent.findFirst({ where: { eventId: "e-bad" } })).toMatchObject({
      status: "failed",
      error: expect.stringContaining("payload.customerId: expected a Shopify GID"),
    });
    expect(await customer(db, SHOP, "7731250036789")).toMatchObject({ tags: "vip" });
  });

  it("is reached by the replayer (tailored send-webhooks) at each topic's URL", async () => {
    const deliveries = fixtureDeliveries(FIXTURES, SHOP);
    expect(deliveries.map((d) => d.topic)).toContain("customer.tags_added");
    expect(deliveries.at(-1)?.topic).toBe("app/uninstalled");
    // The uninstall on its own, after the rest: once applied, the shop's other topics are refused.
    const report = await send(deliveries.slice(0, -1), { url: server.url, secret: SECRET, concurrency: 4 });
    expect(report.byStatus).toEqual({ "200": deliveries.length - 1 });
    expect((await send(deliveries.slice(-1), { url: server.url, secret: SECRET })).byStatus).toEqual({ "200": 1 });
  });
});

describe.each(DIALECTS)("tags and consent through the inbox on %s", (dialect) => {
  const SHOP = "clocks.myshopify.com";
  let db: Db;
  let close: () => Promise<void>;
  let n = 0;

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await upsertShop(db, { domain: SHOP, name: "Clocks", currencyCode: "USD", ianaTimezone: "UTC" });
  });
  afterAll(async () => close());

  /** Delivers each event (a new event id unless given) and lets the processor apply them in that order. */
  async function deliver(...events: { topic: string; payload: unknown; triggeredAt?: Date; eventId?: string }[]) {
    for (const e of events) {
      await storeEvent(
        db,
        {
          shop: SHOP,
          topic: e.topic,
          eventId: e.eventId ?? `ev-${++n}`,
          webhookId: null,
          apiVersion: "2025-07",
          triggeredAt: e.triggeredAt ?? null,
          payload: JSON.stringify(e.payload),
        },
        new Date(),
      );
      // One by one, so that the order of arrival is the order of processing.
      await new InboxProcessor(db).drain();
    }
  }
  const tags = (id: string, list: string[], occurredAt?: string, added = true) => ({
    topic: added ? "customer.tags_added" : "customer.tags_removed",
    payload: { customerId: `gid://shopify/Customer/${id}`, tags: list, ...(occurredAt ? { occurredAt } : {}) },
  });
  const email = (id: string, state: string | null, at: string | null, triggeredAt?: Date) => ({
    topic: "customers_email_marketing_consent/update",
    payload: {
      customer_id: Number(id),
      email_address: `c${id}@example.com`,
      email_marketing_consent: { state, opt_in_level: null, consent_updated_at: at },
    },
    triggeredAt,
  });
  const sms = (id: string, state: string | null, at: string | null, triggeredAt?: Date) => ({
    topic: "customers_marketing_consent/update",
    payload: {
      id: Number(id),
      phone: null,
      sms_marketing_consent: { state, opt_in_level: null, consent_updated_at: at, consent_collected_from: "other" },
    },
    triggeredAt,
  });
  const created = (id: string, updatedAt: string) => ({
    topic: "customers/create",
    payload: {
      id: Number(id),
      email: `c${id}@example.com`,
      first_name: "C",
      last_name: String(id),
      created_at: "2025-01-01T00:00:00Z",
      updated_at: updatedAt,
    },
  });

  it("applies tag changes by occurredAt: a late, older event changes nothing", async () => {
    await deliver(created("101", "2025-01-01T00:00:00Z"));
    await deliver(
      tags("101", ["vip", "b2b"], "2025-03-01T00:00:00Z"),
      tags("101", ["b2b"], "2025-03-02T00:00:00Z", false),
    );
    expect((await customer(db, SHOP, "101"))?.tags).toBe("vip");
    // The same addition again under a new delivery id (Shopify's retry after a timeout), then an
    // older removal of vip: neither is newer than what vip and b2b already went through.
    await deliver(
      tags("101", ["vip", "b2b"], "2025-03-01T00:00:00Z"),
      tags("101", ["vip"], "2025-02-28T00:00:00Z", false),
    );
    expect((await customer(db, SHOP, "101"))?.tags).toBe("vip");
    // Out of order: the removal (later) arrives before the addition (earlier) of the same tag.
    await deliver(tags("101", ["gold"], "2025-03-05T00:00:00Z", false), tags("101", ["gold"], "2025-03-04T00:00:00Z"));
    expect((await customer(db, SHOP, "101"))?.tags).toBe("vip");
    await deliver(tags("101", ["gold"], "2025-03-06T00:00:00Z"));
    expect((await customer(db, SHOP, "101"))?.tags).toBe("vip,gold");
  });

  it("ignores a tag event older than the last whole tag list, and orders one without occurredAt by X-Shopify-Triggered-At", async () => {
    await deliver(created("102", "2025-01-01T00:00:00Z"));
    // A whole tag list as the backfill or reconciliation brings it, as of its updatedAt.
    await upsertCustomers(db, {
      shop: SHOP,
      now: new Date(),
      rows: [
        {
          id: "102",
          email: "c102@example.com",
          firstName: "C",
          lastName: "102",
          countryCode: null,
          provinceCode: null,
          city: null,
          tags: ["a"],
          emailMarketingState: "NOT_SUBSCRIBED",
          smsMarketingState: "NOT_SUBSCRIBED",
          createdAt: new Date("2025-01-01T00:00:00Z"),
          updatedAt: new Date("2025-04-01T00:00:00Z"),
        },
      ],
    });
    await deliver(tags("102", ["old"], "2025-03-31T00:00:00Z"), tags("102", ["a"], "2025-03-30T00:00:00Z", false));
    expect((await customer(db, SHOP, "102"))?.tags).toBe("a");
    await deliver({ ...tags("102", ["new"]), triggeredAt: new Date("2025-04-02T00:00:00Z") });
    await deliver({ ...tags("102", ["new"], undefined, false), triggeredAt: new Date("2025-04-01T12:00:00Z") });
    expect((await customer(db, SHOP, "102"))?.tags).toBe("a,new");
  });

  it("applies consent by consent_updated_at, each channel on its own; a payload without one neither grants consent nor overrides a dated state", async () => {
    await deliver(created("103", "2025-01-01T00:00:00Z"));
    await deliver(
      email("103", "subscribed", "2025-05-02T00:00:00Z"),
      email("103", "unsubscribed", "2025-05-01T00:00:00Z"),
    );
    expect(await customer(db, SHOP, "103")).toMatchObject({ email: "SUBSCRIBED", sms: "NOT_SUBSCRIBED", tags: "" });
    // No consent_updated_at: X-Shopify-Triggered-At (a header, unsigned) does not order them. Withdrawing
    // is taken where no dated state is held; granting is not.
    await deliver(
      sms("103", "subscribed", null, new Date("2025-05-03T00:00:00Z")),
      sms("103", "unsubscribed", null, new Date("2025-05-02T23:00:00Z")),
    );
    expect(await customer(db, SHOP, "103")).toMatchObject({ email: "SUBSCRIBED", sms: "UNSUBSCRIBED" });
    await deliver(
      email("103", "unsubscribed", "2025-05-04T00:00:00Z"),
      sms("103", null, null, new Date("2025-05-04T00:00:00Z")),
    );
    expect(await customer(db, SHOP, "103")).toMatchObject({ email: "UNSUBSCRIBED", sms: "NOT_SUBSCRIBED" });
    // Dated now: an undated body cannot move it, whatever its Triggered-At.
    await deliver(email("103", "not_subscribed", null, new Date("2030-01-01T00:00:00Z")));
    expect(await customer(db, SHOP, "103")).toMatchObject({ email: "UNSUBSCRIBED" });
    // Redelivered under its own event id: stored once, applied once.
    const again = email("103", "subscribed", "2025-05-05T00:00:00Z");
    await deliver({ ...again, eventId: "same" }, { ...again, eventId: "same" });
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOP, eventId: "same" } })).toBe(1);
    expect(await customer(db, SHOP, "103")).toMatchObject({ email: "SUBSCRIBED" });
  });

  // Issue 10: a replay is a captured delivery sent again. Its body is signed and cannot change; its
  // headers are not: it comes with a new event id (so the inbox takes it as new) and any
  // X-Shopify-Triggered-At, say a newer one than every real event's.
  it("does not flip an unsubscribed customer back when an old subscribed body is replayed with a newer X-Shopify-Triggered-At", async () => {
    await deliver(
      created("106", "2025-01-01T00:00:00Z"),
      created("107", "2025-01-01T00:00:00Z"),
      created("108", "2025-01-01T00:00:00Z"),
    );
    const later = new Date("2030-01-01T00:00:00Z");
    // Bodies without consent_updated_at, sent in order and ordered by Triggered-At before this change.
    const subscribed = sms("106", "subscribed", null, new Date("2025-05-01T00:00:00Z"));
    await deliver(subscribed, sms("106", "unsubscribed", null, new Date("2025-05-02T00:00:00Z")));
    expect(await customer(db, SHOP, "106")).toMatchObject({ sms: "UNSUBSCRIBED" });
    await deliver({ ...subscribed, triggeredAt: later });
    expect(await customer(db, SHOP, "106")).toMatchObject({ sms: "UNSUBSCRIBED" });
    // A dated unsubscription, and an undated subscribed body replayed after it.
    await deliver(email("107", "unsubscribed", "2025-06-01T00:00:00Z"), {
      ...email("107", "subscribed", null),
      triggeredAt: later,
    });
    expect(await customer(db, SHOP, "107")).toMatchObject({ email: "UNSUBSCRIBED" });
    // Both dated: the replay's own date is older, whatever the header says.
    const dated = email("108", "subscribed", "2025-05-01T00:00:00Z", new Date("2025-05-01T00:00:01Z"));
    await deliver(dated, email("108", "unsubscribed", "2025-06-01T00:00:00Z"), { ...dated, triggeredAt: later });
    expect(await customer(db, SHOP, "108")).toMatchObject({ email: "UNSUBSCRIBED" });
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOP, status: { not: "done" } } })).toBe(0);
  });

  it("does not flip consent back when an older (or replayed) whole record carries it", async () => {
    const withConsent = (updatedAt: string, state: string) => {
      const record = created("109", updatedAt);
      return {
        ...record,
        payload: {
          ...record.payload,
          email_marketing_consent: { state, opt_in_level: null, consent_updated_at: null },
        },
      };
    };
    const february = withConsent("2025-02-01T00:00:00Z", "subscribed");
    await deliver(february);
    expect(await customer(db, SHOP, "109")).toMatchObject({ email: "SUBSCRIBED" });
    await deliver(email("109", "unsubscribed", "2025-03-01T00:00:00Z"));
    expect(await customer(db, SHOP, "109")).toMatchObject({ email: "UNSUBSCRIBED" });
    // The same record again (a replay, or a snapshot read before the unsubscribe): its updatedAt equals
    // the row's, so the record passes, but its consent is older than the one held.
    await deliver(february);
    expect(await customer(db, SHOP, "109")).toMatchObject({ email: "UNSUBSCRIBED" });
    // A record newer than the unsubscription still sets consent.
    await deliver(withConsent("2025-04-01T00:00:00Z", "subscribed"));
    expect(await customer(db, SHOP, "109")).toMatchObject({ email: "SUBSCRIBED" });
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOP, status: { not: "done" } } })).toBe(0);
  });

  it("keeps what arrives before the customer, and the customer's record then fills in the rest", async () => {
    await deliver(tags("104", ["early"], "2025-06-01T00:00:00Z"), email("104", "subscribed", "2025-06-01T00:00:00Z"));
    expect(await customer(db, SHOP, "104")).toMatchObject({ tags: "early", email: "SUBSCRIBED", address: null });
    await deliver(created("104", "2025-05-31T00:00:00Z"));
    expect(await customer(db, SHOP, "104")).toEqual({
      tags: "early",
      email: "SUBSCRIBED",
      sms: "NOT_SUBSCRIBED",
      address: "c104@example.com",
    });
  });

  it("does not bring back a deleted customer", async () => {
    await deliver(created("105", "2025-01-01T00:00:00Z"), { topic: "customers/delete", payload: { id: 105 } });
    await deliver(tags("105", ["ghost"], "2025-07-01T00:00:00Z"), sms("105", "subscribed", "2025-07-01T00:00:00Z"));
    expect(await customer(db, SHOP, "105")).toBeNull();
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOP, status: { not: "done" } } })).toBe(0);
  });
});
