// Erasure, end to end through the production server (server.mjs: the HTTP thread, the webhook journal
// on SQLite, the background thread that stores and applies, the checkpoint thread): after a signed
// customers/redact nothing Tailored keeps — no row of any table the catalog lists, no byte of any file
// beside a SQLite database — holds the customer's id, e-mail, names or phone; after shop/redact nothing
// holds the shop's domain. Another customer of the shop, and another shop, stay as they were.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "~/db/database.server";
import { migrate } from "~/db/migrate.server";
import { decoder, int, raw, sql, text } from "~/db/sql";
import { createSegment } from "~/models/segments/definitions.server";
import { refreshPlannerStatistics, upsertShop } from "~/models/store.server";
import { webhookHeaders } from "~/sync/signing";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { ROOT } from "../helpers/env";
import { eventually, payloads, scanFiles, scanTables, type Person } from "../helpers/privacy";
import { buildApp, startServer, type RunningServer } from "../helpers/server";

const SECRET = "erasure-test-secret";
const MAIN = "erasure-main.myshopify.com";
const OTHER = "erasure-other.myshopify.com";
const TOKEN = "shpat_erasure_main_offline_token";

const A: Person = {
  id: "7391846205531",
  email: "ottoline.fairweather@example.org",
  firstName: "Ottoline",
  lastName: "Fairweather",
  phone: "+16045550187",
};
const B: Person = {
  id: "7391846205642",
  email: "bartholomew.quince@example.org",
  firstName: "Bartholomew",
  lastName: "Quince",
  phone: "+16045550199",
};
const C: Person = {
  id: "7391846205753",
  email: "cordelia.marchbanks@example.org",
  firstName: "Cordelia",
  lastName: "Marchbanks",
  phone: "+16045550111",
};
const needles = (p: Person) => [p.id, p.email, p.firstName, p.lastName, p.phone];

const A_ORDER_1 = "5510000000101";
const A_ORDER_2 = "5510000000102";
const A_GUEST_ORDER = "5510000000103"; // placed as a guest with A's e-mail and address
const B_ORDER = "5510000000201";
const C_ORDER = "5510000000301";

/** Rows per table of the catalog that has a shop column (Shop by its domain). */
async function rowsPerTable(db: Db, shop: string): Promise<Record<string, number>> {
  const tables =
    db.dialect === "sqlite"
      ? await db.all(
          sql`SELECT m."name" AS t FROM sqlite_schema m, pragma_table_info(m."name") c WHERE m."type" = 'table' AND c."name" = 'shop'`,
          decoder({ t: text }),
        )
      : await db.all(
          sql`SELECT table_name AS t FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'shop'`,
          decoder({ t: text }),
        );
  const counts: Record<string, number> = {};
  for (const { t } of tables) {
    // A table name from the database's own catalog.
    const [row] = await db.all(
      sql`SELECT COUNT(*) AS n FROM ${raw(`"${t}"`)} WHERE "shop" = ${shop}`,
      decoder({ n: int }),
    );
    counts[t] = row!.n;
  }
  counts.Shop = await db.prisma.shop.count({ where: { domain: shop } });
  return counts;
}

describe.each(DIALECTS)("erasure on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let server: RunningServer;
  let dir: string | null = null;
  let n = 0;
  const now = new Date();

  beforeAll(async () => {
    buildApp();
    database = await createEmptyDatabase(dialect);
    await migrate(database.config, ROOT);
    db = openDatabase(database.config);
    if (database.config.dialect === "sqlite") dir = path.dirname(database.config.file);
    // Installed shops (webhooks are accepted for those), each with its offline session, segments, a
    // backfill run and a reconciliation cursor.
    for (const shop of [MAIN, OTHER]) {
      await upsertShop(db, { domain: shop, name: shop, currencyCode: "USD", ianaTimezone: "America/Toronto" });
      await db.prisma.session.create({
        data: {
          id: `offline_${shop}`,
          shop,
          state: "",
          isOnline: false,
          scope: "read_customers,read_orders",
          accessToken: shop === MAIN ? TOKEN : "shpat_other",
        },
      });
      await db.prisma.bulkJob.create({
        data: { shop, resource: "orders", status: "done", createdAt: now, updatedAt: now },
      });
      await db.prisma.syncCursor.create({ data: { shop, resource: "orders", syncedUntil: now, lastRunAt: now } });
      await createSegment(db, { shop, name: "Buyers", query: "number_of_orders >= 1", now });
      await createSegment(db, { shop, name: "Big spenders", query: "amount_spent >= 100", now });
      await createSegment(db, { shop, name: "VIP", query: "customer_tags CONTAINS 'vip'", now });
    }
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

  /** Signs and posts a delivery as Shopify would; returns its event id and the answer's status. */
  const post = async (topic: string, shop: string, body: string) => {
    const eventId = `${dialect}-${++n}`;
    const response = await fetch(`${server.url}/webhooks/${topic.replace(".", "/")}`, {
      method: "POST",
      headers: webhookHeaders({ topic, shop, body, eventId, webhookId: `w-${eventId}` }, SECRET),
      body,
    });
    return { eventId, status: response.status };
  };
  const send = async (topic: string, shop: string, body: string): Promise<string> => {
    const { eventId, status } = await post(topic, shop, body);
    expect(status, `${topic} ${eventId}`).toBe(200);
    return eventId;
  };
  /** Waits until the inbox has applied (or failed) every one of these events. */
  const settled = async (ids: string[]) => {
    const rows = await eventually(
      () =>
        db.prisma.webhookEvent.findMany({ where: { eventId: { in: ids } }, select: { eventId: true, status: true } }),
      (rows) => rows.length === ids.length && rows.every((r) => r.status !== "pending"),
      { timeoutMs: 20_000 },
    );
    expect(rows.filter((r) => r.status === "pending")).toEqual([]);
    return rows;
  };
  const stateOf = async (shop: string, p: Person) => ({
    customer: await db.prisma.customer.findFirst({ where: { shop, id: p.id }, omit: { syncedAt: true } }),
    facts: await db.prisma.customerFacts.findFirst({ where: { shop, customerId: p.id }, omit: { computedAt: true } }),
    members: await db.prisma.segmentMember.findMany({
      where: { shop, customerId: p.id },
      orderBy: { segmentId: "asc" },
    }),
    events: await db.prisma.segmentEvent.findMany({ where: { shop, customerId: p.id }, orderBy: { id: "asc" } }),
    orders: await db.prisma.order.findMany({
      where: { shop, customerId: p.id },
      orderBy: { id: "asc" },
      include: { lines: { orderBy: { id: "asc" } } },
      omit: { syncedAt: true },
    }),
  });

  it("customers/redact leaves no trace of the customer, in any table or file; the shop's other customer is untouched", async () => {
    const t = (day: number) => new Date(Date.UTC(2025, 3, day)).toISOString();
    const ids: string[] = [];
    ids.push(await send("products/create", MAIN, payloads.product(MAIN)));
    ids.push(await send("customers/create", MAIN, payloads.customer(MAIN, A, t(1))));
    ids.push(await send("customers/create", MAIN, payloads.customer(MAIN, B, t(1))));
    ids.push(await send("customers/update", MAIN, payloads.customer(MAIN, A, t(2))));
    ids.push(await send("orders/create", MAIN, payloads.order(MAIN, A_ORDER_1, A)));
    ids.push(await send("orders/create", MAIN, payloads.order(MAIN, A_ORDER_2, A)));
    ids.push(await send("orders/updated", MAIN, payloads.order(MAIN, A_ORDER_1, A, { updatedAt: t(5) })));
    ids.push(await send("orders/create", MAIN, payloads.order(MAIN, A_GUEST_ORDER, null, { guest: A })));
    ids.push(await send("orders/create", MAIN, payloads.order(MAIN, B_ORDER, B)));
    ids.push(await send("customer.tags_added", MAIN, payloads.tagsAdded(MAIN, A, ["vip"], t(6))));
    ids.push(await send("customer.tags_added", MAIN, payloads.tagsAdded(MAIN, B, ["vip"], t(6))));
    ids.push(await send("customers_email_marketing_consent/update", MAIN, payloads.emailConsent(MAIN, A)));
    ids.push(await send("customers_marketing_consent/update", MAIN, payloads.smsConsent(MAIN, A)));
    ids.push(await send("customers/data_request", MAIN, payloads.dataRequest(MAIN, A)));
    // Two deliveries that do not fit (kept, failed, for the merchant to retry): one about each.
    const broken = (body: string) => JSON.stringify({ ...JSON.parse(body), line_items: "not a list" });
    const failedA = await send("orders/create", MAIN, broken(payloads.order(MAIN, "5510000000104", A)));
    const failedB = await send("orders/create", MAIN, broken(payloads.order(MAIN, "5510000000202", B)));
    ids.push(failedA, failedB);
    // Another shop, with a customer of its own.
    ids.push(await send("customers/create", OTHER, payloads.customer(OTHER, C, t(1))));
    ids.push(await send("orders/create", OTHER, payloads.order(OTHER, C_ORDER, C)));
    const rows = await settled(ids);
    expect(
      rows
        .filter((r) => r.status === "failed")
        .map((r) => r.eventId)
        .sort(),
    ).toEqual([failedA, failedB].sort());

    // The planner's statistics taken now, as the app takes them after bulk loads and recomputes: their
    // samples hold column values (e-mails, ids). SQLite samples index keys (sqlite_stat4) only without
    // the analysis_limit the app sets: as an operator's own ANALYZE would.
    if (dialect === "sqlite") {
      await db.all(sql`PRAGMA analysis_limit = 0`);
      await db.run(sql`ANALYZE`);
    } else {
      await refreshPlannerStatistics(db);
    }
    // Before: the customer is in the tables (and, on SQLite, in the files): the scans see what they look for.
    const seen = await scanTables(db, needles(A));
    expect(seen.map((f) => f.needle)).toEqual(expect.arrayContaining(needles(A)));
    expect(seen.some((f) => /^(sqlite_stat4|pg_stats )/.test(f.where))).toBe(true);
    if (dir) expect(scanFiles(dir, needles(A)).length).toBeGreaterThan(0);
    const a = await stateOf(MAIN, A);
    expect(a.customer?.email).toBe(A.email);
    expect(a.members.length).toBe(3);
    expect(a.orders.map((o) => o.id)).toEqual([A_ORDER_1, A_ORDER_2]);
    const b = await stateOf(MAIN, B);
    expect(b.members.length).toBe(3);
    const other = await rowsPerTable(db, OTHER);
    const guestLines = await db.prisma.orderLine.count({
      where: { shop: MAIN, orderId: { in: [A_ORDER_1, A_ORDER_2, A_GUEST_ORDER] } },
    });

    // A redact whose body names another shop than the delivery's header erases nothing (whether it is
    // refused at the door or recorded as failed).
    const mismatched = await post("customers/redact", MAIN, payloads.customerRedact(OTHER, B, []));
    expect(mismatched.status === 200 || (mismatched.status >= 400 && mismatched.status < 500)).toBe(true);
    if (mismatched.status === 200) expect((await settled([mismatched.eventId]))[0]!.status).toBe("failed");
    expect(await stateOf(MAIN, B)).toEqual(b);

    const redact = await send("customers/redact", MAIN, payloads.customerRedact(MAIN, A, [A_ORDER_1, A_GUEST_ORDER]));
    // Late deliveries about the customer, after the redact (an older create retried, an order update,
    // a consent change): none brings anything back.
    const late = [
      await send("customers/create", MAIN, payloads.customer(MAIN, A, t(1))),
      await send("orders/updated", MAIN, payloads.order(MAIN, A_ORDER_2, A, { updatedAt: t(9) })),
      await send("customers_email_marketing_consent/update", MAIN, payloads.emailConsent(MAIN, A)),
      await send("customer.tags_added", MAIN, payloads.tagsAdded(MAIN, A, ["late"], t(10))),
    ];
    const after = await settled([redact, ...late]);
    expect(after.filter((r) => r.status !== "done")).toEqual([]);

    const tables = await eventually(
      () => scanTables(db, needles(A)),
      (f) => f.length === 0,
    );
    expect(tables).toEqual([]);
    if (dir) {
      const files = await eventually(
        () => scanFiles(dir!, needles(A)),
        (f) => f.length === 0,
      );
      expect(files).toEqual([]);
    }

    // The customer's orders stay as the shop's sales, without anyone's name on them.
    const orders = await db.prisma.order.findMany({
      where: { shop: MAIN, id: { in: [A_ORDER_1, A_ORDER_2, A_GUEST_ORDER] } },
      orderBy: { id: "asc" },
    });
    expect(orders.map((o) => [o.id, o.customerId, o.email])).toEqual([
      [A_ORDER_1, null, null],
      [A_ORDER_2, null, null],
      [A_GUEST_ORDER, null, null],
    ]);
    expect(
      await db.prisma.orderLine.count({
        where: { shop: MAIN, orderId: { in: [A_ORDER_1, A_ORDER_2, A_GUEST_ORDER] } },
      }),
    ).toBe(guestLines);
    // The other customer, and the other shop, as they were; segment sizes count who is left.
    expect(await stateOf(MAIN, B)).toEqual(b);
    expect(await rowsPerTable(db, OTHER)).toEqual(other);
    for (const segment of await db.prisma.segment.findMany({ where: { shop: MAIN } })) {
      expect(segment.memberCount).toBe(await db.prisma.segmentMember.count({ where: { segmentId: segment.id } }));
    }
    // Applied events keep no payload; the failed one about the other customer keeps its own, to retry.
    expect(await db.prisma.webhookEvent.count({ where: { status: "done", payload: { not: "" } } })).toBe(0);
    const keptB = await db.prisma.webhookEvent.findFirstOrThrow({ where: { eventId: failedB } });
    expect(keptB.status).toBe("failed");
    expect(keptB.payload).toContain(B.email);
  }, 120_000);

  it("shop/redact leaves no trace of the shop, in any table or file; another shop is untouched", async () => {
    // A few more of the shop's deliveries just before, so that the journal holds some.
    const ids = [
      await send(
        "orders/updated",
        MAIN,
        payloads.order(MAIN, B_ORDER, B, { updatedAt: new Date(Date.UTC(2025, 4, 1)).toISOString() }),
      ),
      await send("customers/update", MAIN, payloads.customer(MAIN, B, new Date(Date.UTC(2025, 4, 2)).toISOString())),
    ];
    await settled(ids);
    const shopNeedles = [MAIN, TOKEN];
    expect((await scanTables(db, shopNeedles)).length).toBeGreaterThan(0);
    const other = await rowsPerTable(db, OTHER);
    expect(other.Customer).toBe(1);

    await send("shop/redact", MAIN, payloads.shopRedact(MAIN));
    const left = await eventually(
      () => rowsPerTable(db, MAIN),
      (counts) => Object.values(counts).every((c) => c === 0),
    );
    expect(Object.entries(left).filter(([, c]) => c > 0)).toEqual([]);

    const tables = await eventually(
      () => scanTables(db, shopNeedles),
      (f) => f.length === 0,
    );
    expect(tables).toEqual([]);
    if (dir) {
      const files = await eventually(
        () => scanFiles(dir!, shopNeedles),
        (f) => f.length === 0,
      );
      expect(files).toEqual([]);
    }
    expect(await rowsPerTable(db, OTHER)).toEqual(other);
    expect((await scanTables(db, [C.email])).length).toBeGreaterThan(0);
  }, 120_000);
});
