// PixelActivity on SQLite and PostgreSQL: after every way a customer's events change (the writer's
// inserts and stitching, a shared browser, the retention purge, customers/redact, shop/redact) the
// rollup equals a GROUP BY of the events computed from scratch; the repair rebuilds a drifted one; on
// PostgreSQL two transactions changing one customer's events at once both count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { date, decoder, int, sql, text } from "~/db/sql";
import { parse } from "~/domain/segments/query-language";
import { eraseCustomer, eraseShop } from "~/models/erasure.server";
import { countMatching } from "~/models/segments/read-models.server";
import { upsertCustomers, upsertShop } from "~/models/store.server";
import { customersOf, rebuildActivity, refreshActivity } from "~/pixel/activity.server";
import type { PixelEventRow } from "~/pixel/events";
import { purgeExpiredBrowsing } from "~/pixel/retention.server";
import { insertEvents, purgeEvents } from "~/pixel/store.server";
import { PixelWriter } from "~/pixel/writer.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { customer } from "../helpers/rows";

const NOW = new Date("2026-12-01T12:00:00Z");
const SHOP = "pixel-activity.myshopify.com";
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

type Activity = { customerId: string; sessions: number; last: Date | null };

describe.each(DIALECTS)("PixelActivity on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  let writer: PixelWriter;
  let seq = 0;

  const ev = (clientId: string, over: Partial<PixelEventRow> = {}): PixelEventRow => ({
    shop: SHOP,
    eventId: `act-${dialect}-${seq++}`,
    name: "page_viewed",
    at: hoursAgo(1),
    clientId,
    sessionId: "s1",
    customerId: null,
    productId: null,
    variantId: null,
    collectionId: null,
    productType: null,
    vendor: null,
    query: null,
    valueMinor: null,
    currencyCode: null,
    ...over,
  });
  const write = (rows: PixelEventRow[]) => writer.write(SHOP, rows, NOW);

  const activity = decoder({ customerId: text, sessions: int, last: date });
  const fromEvents = () =>
    db.all(
      sql`SELECT "customerId", COUNT(DISTINCT "sessionId") AS "sessions", MAX("at") AS "last" FROM "PixelEvent"
       WHERE "shop" = ${SHOP} AND "customerId" IS NOT NULL GROUP BY "customerId" ORDER BY "customerId"`,
      activity,
    );
  /** The rollup, held to the events; by customer. */
  const exact = async (): Promise<Map<string, Activity>> => {
    const rows = await db.all(
      sql`SELECT "customerId", "sessions", "lastSeenAt" AS "last" FROM "PixelActivity" WHERE "shop" = ${SHOP} ORDER BY "customerId"`,
      activity,
    );
    expect(rows).toEqual(await fromEvents());
    return new Map(rows.map((r) => [r.customerId, r]));
  };
  const count = async (query: string) => {
    const parsed = parse(query);
    if (!parsed.ok) throw new Error(query);
    return countMatching(db, {
      shop: SHOP,
      rule: parsed.rule,
      ctx: { now: NOW, timeZone: "UTC", currencyCode: "USD", shop: SHOP },
    });
  };

  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    writer = new PixelWriter(db);
    await upsertShop(db, { domain: SHOP, name: "Activity", currencyCode: "USD", ianaTimezone: "UTC" });
    await upsertCustomers(db, {
      shop: SHOP,
      rows: ["801", "802", "803", "804", "805", "806", "807"].map((id) => customer({ id })),
      now: NOW,
    });
  });
  afterAll(async () => close());

  it("follows the writer: distinct sessions and the newest event per customer, anonymous ones left out", async () => {
    await write([ev("a", { at: hoursAgo(5) }), ev("a", { sessionId: "s2", at: hoursAgo(4) })]);
    await write([
      ev("b", { customerId: "801", at: hoursAgo(3) }),
      ev("b", { customerId: "801", sessionId: "s3", at: hoursAgo(2) }),
      ev("b", { customerId: "801", sessionId: null, at: hoursAgo(1) }),
    ]);
    // Only events without a session: a row saying 0, as last_seen_date still sees them.
    await write([ev("z", { customerId: "802", sessionId: null, at: hoursAgo(50) })]);
    const rows = await exact();
    expect([...rows.keys()]).toEqual(["801", "802"]);
    expect(rows.get("801")).toEqual({ customerId: "801", sessions: 2, last: hoursAgo(1) });
    expect(rows.get("802")).toEqual({ customerId: "802", sessions: 0, last: hoursAgo(50) });
    // The segment SQL reads it: 801 has two sessions; 802 none, which "= 0" counts with the customers
    // that have no row at all.
    expect(await count("sessions_count >= 2")).toBe(1);
    expect(await count("sessions_count = 0")).toBe(6);
    expect(await count("last_seen_date >= -1d")).toBe(1);
    expect(await count("last_seen_date IS NOT NULL")).toBe(2);

    // A batch sent again changes nothing; batches written together (one group) all count.
    await write([ev("b", { eventId: `act-${dialect}-1`, customerId: "801", sessionId: "other" })]);
    await Promise.all([
      write([ev("b", { customerId: "801", sessionId: "s4", at: hoursAgo(0.5) })]),
      write([ev("y", { customerId: "807", sessionId: "s1" })]),
      write([ev("y2", { customerId: "807", sessionId: "s2" })]),
    ]);
    const after = await exact();
    expect(after.get("801")).toMatchObject({ sessions: 3, last: hoursAgo(0.5) });
    expect(after.get("807")).toMatchObject({ sessions: 2 });
  });

  it("follows stitching: a visitor's earlier anonymous events become the customer's, and stay when the browser changes hands", async () => {
    await write([ev("a", { customerId: "803", sessionId: "s9", at: hoursAgo(0.2) })]);
    // a's anonymous s1 and s2 (from 5 and 4 hours ago) are 803's now.
    expect((await exact()).get("803")).toEqual({ customerId: "803", sessions: 3, last: hoursAgo(0.2) });
    // Another customer logs in on that browser: the link moves, 803 keeps what was theirs.
    await write([ev("a", { customerId: "804", sessionId: "s10", at: hoursAgo(0.1) })]);
    await write([ev("a", { sessionId: "s11" })]);
    const rows = await exact();
    expect(rows.get("803")).toMatchObject({ sessions: 3 });
    expect(rows.get("804")).toMatchObject({ sessions: 2 });
    // Two customers on one browser in one batch: both rows follow, not only the last named.
    await write([ev("c", { customerId: "805", sessionId: "c1" }), ev("c", { customerId: "806", sessionId: "c2" })]);
    const both = await exact();
    expect(both.get("805")).toMatchObject({ sessions: 1 });
    expect(both.get("806")).toMatchObject({ sessions: 1 });
  });

  it("follows the retention purge, batch by batch: fewer sessions, and no row once the last event goes", async () => {
    const old = new Date(NOW.getTime() - 100 * 86_400_000);
    await write([ev("b", { customerId: "801", sessionId: "old-1", at: old })]);
    await write([ev("b", { customerId: "801", sessionId: "old-2", at: old })]);
    await write([ev("x", { customerId: "805", sessionId: "old-3", at: old })]);
    await write([ev("w", { customerId: "806", sessionId: "c2", at: old })]);
    await write([ev("old-visitor", { at: old }), ev("old-visitor", { at: old })]);
    const before = await exact();
    expect(before.get("801")).toMatchObject({ sessions: 5 });
    expect(before.get("805")).toMatchObject({ sessions: 2, last: hoursAgo(1) });
    // 806 lost nothing: the session of its old event is also in a newer one.
    expect(before.get("806")).toMatchObject({ sessions: 1 });

    const cutoff = new Date(NOW.getTime() - 90 * 86_400_000);
    expect(await purgeEvents(db, { shop: SHOP, before: cutoff, batch: 2 })).toBe(6);
    const after = await exact();
    expect(after.get("801")).toMatchObject({ sessions: 3 });
    expect(after.get("805")).toMatchObject({ sessions: 1, last: hoursAgo(1) });
    expect(after.get("806")).toMatchObject({ sessions: 1 });

    // A customer whose every event is past the retention period loses the row.
    await write([ev("v", { customerId: "802", sessionId: "old", at: old })]);
    await db.run(sql`DELETE FROM "PixelEvent" WHERE "shop" = ${SHOP} AND "customerId" = '802' AND "at" > ${old}`);
    await refreshActivity(db, { shop: SHOP, customerIds: ["802"] });
    expect((await exact()).get("802")).toMatchObject({ sessions: 1, last: old });
    expect(await purgeExpiredBrowsing(db, { shop: SHOP, now: NOW, days: 90 })).toMatchObject({ events: 1 });
    expect((await exact()).has("802")).toBe(false);
  });

  it("customers/redact takes the customer's row, and recomputes those whose events on their browsers went", async () => {
    // Browser a was 803's, then 804's: erasing 804 deletes every event of a, 803's included.
    expect((await exact()).get("803")).toMatchObject({ sessions: 3 });
    await write([ev("d", { customerId: "803", sessionId: "d1", at: hoursAgo(0.05) })]);
    await db.transaction((tx) =>
      eraseCustomer(tx, {
        shop: SHOP,
        request: { customerId: "804", email: null, phone: null, orderIds: [] },
        seq: -1,
        now: NOW,
      }),
    );
    const rows = await exact();
    expect(rows.has("804")).toBe(false);
    expect(rows.get("803")).toEqual({ customerId: "803", sessions: 1, last: hoursAgo(0.05) });
  });

  it("rebuilds a drifted table from the events (the repair), and refreshes customers hundreds at a time", async () => {
    await db.run(sql`UPDATE "PixelActivity" SET "sessions" = 99 WHERE "shop" = ${SHOP} AND "customerId" = '801'`);
    await db.run(sql`DELETE FROM "PixelActivity" WHERE "shop" = ${SHOP} AND "customerId" = '807'`);
    await db.run(
      sql`INSERT INTO "PixelActivity" ("shop", "customerId", "sessions", "lastSeenAt") VALUES (${SHOP}, '999', 1, ${NOW})`,
    );
    await expect(exact()).rejects.toThrow();
    expect(await rebuildActivity(db, { shop: SHOP })).toBe((await fromEvents()).length);
    await exact();

    // Events stored by bulk, then refreshed: more customers than one statement takes.
    const bulk = Array.from({ length: 1_203 }, (_, i) =>
      [0, 1, 2].map((k) =>
        ev(`bulk-${i}`, {
          customerId: `9${String(i).padStart(5, "0")}`,
          sessionId: `s${(i + k) % (1 + (i % 3))}`,
          at: hoursAgo(1 + ((i * 7 + k) % 48)),
        }),
      ),
    ).flat();
    await insertEvents(db, { rows: bulk, receivedAt: NOW });
    await refreshActivity(db, { shop: SHOP, customerIds: customersOf(bulk) });
    const rows = await exact();
    expect(rows.get("900002")).toMatchObject({ sessions: 3 });
    expect(rows.get("900000")).toMatchObject({ sessions: 1 });
  });

  it.runIf(dialect === "postgres")(
    "counts both of two transactions that change one customer's events at once (the second waits for the first)",
    async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let refreshed!: () => void;
      const firstRefreshed = new Promise<void>((resolve) => (refreshed = resolve));
      const first = db.transaction(async (tx) => {
        await insertEvents(tx, { rows: [ev("p", { customerId: "807", sessionId: "p1" })], receivedAt: NOW });
        await refreshActivity(tx, { shop: SHOP, customerIds: ["807"] });
        refreshed();
        await held;
      });
      await firstRefreshed;
      const second = db.transaction(async (tx) => {
        await insertEvents(tx, { rows: [ev("q", { customerId: "807", sessionId: "q1" })], receivedAt: NOW });
        // Its snapshot lacks the first's uncommitted event: the lock makes it read after that commit.
        await refreshActivity(tx, { shop: SHOP, customerIds: ["807"] });
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      await Promise.all([first, second]);
      expect((await exact()).get("807")).toMatchObject({ sessions: 4 });
    },
  );

  it("shop/redact empties the shop's rows", async () => {
    expect((await exact()).size).toBeGreaterThan(0);
    await db.transaction((tx) => eraseShop(tx, { shop: SHOP }));
    const [left] = await db.all(
      sql`SELECT COUNT(*) AS n FROM "PixelActivity" WHERE "shop" = ${SHOP}`,
      decoder({ n: int }),
    );
    expect(left!.n).toBe(0);
  });
});
