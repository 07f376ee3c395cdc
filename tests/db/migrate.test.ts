import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "~/db/database.server";
import { migrate, migrationsDir, readMigrations } from "~/db/migrate.server";
import { date, decoder, int, nullable, sql, text } from "~/db/sql";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { ROOT } from "../helpers/env";

/**
 * A copy of the migrations, `config` migrated up to the one before `name`: rows written then are as the
 * older schema held them; `finish` applies `name` and the rest.
 */
async function migrateUpTo(dialect: "sqlite" | "postgres", config: TestDatabase["config"], name: string) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-migrations-"));
  const source = migrationsDir(ROOT, dialect);
  const target = migrationsDir(root, dialect);
  const names = readMigrations(source).map((m) => m.name);
  const at = names.indexOf(name);
  if (at < 0) throw new Error(`no migration ${name}`);
  const copy = (list: string[]) => {
    for (const n of list) fs.cpSync(path.join(source, n), path.join(target, n), { recursive: true });
  };
  copy(names.slice(0, at));
  await migrate(config, root);
  return {
    finish: async () => {
      copy(names.slice(at));
      await migrate(config, root);
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

describe.each(DIALECTS)("migrations on %s", (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => database?.drop());

  it("builds the schema from nothing, once", async () => {
    database = await createEmptyDatabase(dialect);
    const all = readMigrations(migrationsDir(ROOT, dialect)).map((m) => m.name);
    expect(all.length).toBeGreaterThan(0);
    expect(await migrate(database.config, ROOT)).toEqual({ applied: all, alreadyApplied: 0 });
    expect(await migrate(database.config, ROOT)).toEqual({ applied: [], alreadyApplied: all.length });
    const db = openDatabase(database.config);
    try {
      expect(await db.prisma.customer.count()).toBe(0);
      expect(await db.prisma.session.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("refuses a migration edited after it was applied, and rolls back a failing one", async () => {
    database = await createEmptyDatabase(dialect);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-migrations-"));
    const dir = migrationsDir(root, dialect);
    fs.mkdirSync(path.join(dir, "0001_a"), { recursive: true });
    fs.writeFileSync(path.join(dir, "0001_a", "migration.sql"), `CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);`);
    await migrate(database.config, root);
    fs.writeFileSync(path.join(dir, "0001_a", "migration.sql"), `CREATE TABLE "A" ("id" TEXT PRIMARY KEY);`);
    await expect(migrate(database.config, root)).rejects.toThrow(/0001_a was changed after it was applied/);

    fs.writeFileSync(path.join(dir, "0001_a", "migration.sql"), `CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);`);
    fs.mkdirSync(path.join(dir, "0002_b"));
    fs.writeFileSync(
      path.join(dir, "0002_b", "migration.sql"),
      `CREATE TABLE "B" ("id" INTEGER);\nCREATE TABLE "A" ("x" INTEGER);`,
    );
    await expect(migrate(database.config, root)).rejects.toThrow();
    // Nothing of 0002 stays behind: table B was rolled back with it, so fixing it and re-running works.
    fs.writeFileSync(path.join(dir, "0002_b", "migration.sql"), `CREATE TABLE "B" ("id" INTEGER);`);
    expect(await migrate(database.config, root)).toEqual({ applied: ["0002_b"], alreadyApplied: 1 });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("carries memberships held before 0008 into each customer's segment list", async () => {
    database = await createEmptyDatabase(dialect);
    const upTo = await migrateUpTo(dialect, database.config, "0008_customer_segment_ids");
    const db = openDatabase(database.config);
    try {
      const t = new Date("2026-01-01T00:00:00Z");
      await db.run(
        sql`INSERT INTO "Customer" ("shop", "id", "createdAt", "updatedAt") VALUES ('a.myshopify.com', '1', ${t}, ${t}), ('a.myshopify.com', '2', ${t}, ${t})`,
      );
      await db.run(
        sql`INSERT INTO "SegmentMember" ("shop", "segmentId", "customerId", "since") VALUES ('a.myshopify.com', 3, '1', ${t}), ('a.myshopify.com', 12, '1', ${t})`,
      );
      await upTo.finish();
      const rows = await db.prisma.customer.findMany({
        orderBy: { id: "asc" },
        select: { id: true, segmentIds: true },
      });
      const sorted = (list: string) =>
        list
          .split(",")
          .filter(Boolean)
          .map(Number)
          .sort((a, b) => a - b);
      expect(
        rows.map((r) => [r.id, sorted(r.segmentIds), r.segmentIds.startsWith(",") && r.segmentIds.endsWith(",")]),
      ).toEqual([
        ["1", [3, 12], true],
        ["2", [], true],
      ]);
    } finally {
      await db.close();
      upTo.remove();
    }
  });

  it("gives customers with events stored before 0021 their PixelActivity row", async () => {
    database = await createEmptyDatabase(dialect);
    const upTo = await migrateUpTo(dialect, database.config, "0021_pixel_activity");
    const db = openDatabase(database.config);
    try {
      const t = (h: number) => new Date(Date.UTC(2026, 0, 1, h));
      const events: [string, string, string, string | null, string | null, Date][] = [
        ["a.myshopify.com", "e1", "v1", "s1", "7", t(1)],
        ["a.myshopify.com", "e2", "v1", "s2", "7", t(3)],
        ["a.myshopify.com", "e3", "v1", "s2", "7", t(2)],
        ["a.myshopify.com", "e4", "v2", null, "8", t(4)],
        ["a.myshopify.com", "e5", "v3", "s9", null, t(5)],
        ["b.myshopify.com", "e1", "v1", "s1", "7", t(6)],
      ];
      for (const [shop, eventId, clientId, sessionId, customerId, when] of events)
        await db.run(
          sql`INSERT INTO "PixelEvent" ("shop", "eventId", "name", "at", "clientId", "sessionId", "customerId", "receivedAt")
           VALUES (${shop}, ${eventId}, 'page_viewed', ${when}, ${clientId}, ${sessionId}, ${customerId}, ${when})`,
        );
      await upTo.finish();
      const rows = await db.all(
        sql`SELECT "shop", "customerId", "sessions", "lastSeenAt" FROM "PixelActivity" ORDER BY "shop", "customerId"`,
        decoder({ shop: text, customerId: text, sessions: int, lastSeenAt: date }),
      );
      expect(rows).toEqual([
        { shop: "a.myshopify.com", customerId: "7", sessions: 2, lastSeenAt: t(3) },
        { shop: "a.myshopify.com", customerId: "8", sessions: 0, lastSeenAt: t(4) },
        { shop: "b.myshopify.com", customerId: "7", sessions: 1, lastSeenAt: t(6) },
      ]);
    } finally {
      await db.close();
      upTo.remove();
    }
  });
});

describe.each(DIALECTS)("migration 0023 on %s", (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => database?.drop());

  it("fills the lines stored before it with their order's customer, time, test flag and cancellation", async () => {
    database = await createEmptyDatabase(dialect);
    const upTo = await migrateUpTo(dialect, database.config, "0023_order_line_copies_order");
    const db = openDatabase(database.config);
    try {
      const t = (d: number) => new Date(Date.UTC(2026, 0, d));
      const orders: [string, string, string | null, Date, boolean, Date | null][] = [
        ["a.myshopify.com", "1", "7", t(1), false, null],
        ["a.myshopify.com", "2", null, t(2), true, t(3)],
        ["b.myshopify.com", "1", "9", t(4), false, null],
      ];
      for (const [shop, id, customerId, at, test, cancelledAt] of orders) {
        await db.run(
          sql`INSERT INTO "Order" ("shop", "id", "name", "customerId", "createdAt", "processedAt", "updatedAt", "cancelledAt",
               "currencyCode", "totalMinor", "refundedMinor", "test", "syncedAt")
             VALUES (${shop}, ${id}, '#1', ${customerId}, ${at}, ${at}, ${at}, ${cancelledAt}, 'USD', 100, 0, ${test}, ${at})`,
        );
        await db.run(
          sql`INSERT INTO "OrderLine" ("shop", "id", "orderId", "quantity", "priceMinor") VALUES (${shop}, ${`${id}-l`}, ${id}, 1, 100)`,
        );
      }
      await upTo.finish();
      const rows = await db.all(
        sql`SELECT "shop", "id", "customerId", "processedAt", "test", "cancelledAt" FROM "OrderLine" ORDER BY "shop", "id"`,
        decoder({
          shop: text,
          id: text,
          customerId: nullable(text),
          processedAt: date,
          test: (v) => v === true || v === 1 || v === 1n,
          cancelledAt: date,
        }),
      );
      expect(rows).toEqual([
        { shop: "a.myshopify.com", id: "1-l", customerId: "7", processedAt: t(1), test: false, cancelledAt: null },
        { shop: "a.myshopify.com", id: "2-l", customerId: null, processedAt: t(2), test: true, cancelledAt: t(3) },
        { shop: "b.myshopify.com", id: "1-l", customerId: "9", processedAt: t(4), test: false, cancelledAt: null },
      ]);
      // The constraints and indexes came back with the rebuilt table: a line needs its order.
      await expect(
        db.run(
          sql`INSERT INTO "OrderLine" ("shop", "id", "orderId", "quantity", "priceMinor", "processedAt") VALUES ('a.myshopify.com', 'z', 'none', 1, 1, ${t(1)})`,
        ),
      ).rejects.toThrow();
    } finally {
      await db.close();
      upTo.remove();
    }
  });
});

describe("SQLite's clustered tables", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => database?.drop());

  it("keeps customers, facts and memberships in primary-key order, with the narrow key index", async () => {
    // Migration 0006 is written by hand (WITHOUT ROWID is not in Prisma's schema language): a table
    // rebuild generated later by \`prisma migrate diff\` would silently undo it. This catches that.
    database = await createEmptyDatabase("sqlite");
    await migrate(database.config, ROOT);
    const db = openDatabase(database.config);
    try {
      const tables = await db.all(
        sql`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'table'`,
        decoder({ name: text, sql: text }),
      );
      const clustered = tables
        .filter((t) => /WITHOUT ROWID\s*$/.test(t.sql))
        .map((t) => t.name)
        .sort();
      expect(clustered).toEqual(["Customer", "CustomerFacts", "CustomerPrediction", "SegmentMember"]);
      const indexes = await db.all(
        sql`SELECT "name" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = 'Customer'`,
        decoder({ name: text }),
      );
      expect(indexes.map((i) => i.name)).toContain("Customer_shop_id_idx");
    } finally {
      await db.close();
    }
  });
});

describe("the PostgreSQL migrations follow the schema", () => {
  it("has the same migrations for both databases", () => {
    const names = (dialect: "sqlite" | "postgres") => readMigrations(migrationsDir(ROOT, dialect)).map((m) => m.name);
    expect(names("postgres")).toEqual(names("sqlite"));
  });

  it("snapshots the schema the newest migration was made from", () => {
    // A change to prisma/schema.prisma needs `npm run db:new-migration -- <name>`.
    const snapshot = fs.readFileSync(path.join(ROOT, "prisma", "migrations", "schema.snapshot.prisma"), "utf8");
    expect(fs.readFileSync(path.join(ROOT, "prisma", "schema.prisma"), "utf8")).toBe(snapshot);
  });
});
