// Every SQLite connection Tailored opens zeroes what it deletes (secure_delete): the executor's and
// Prisma's. Without it an erased
// row's bytes stay in the database file's free space (docs/decisions/013-erasure.md);
// tests/privacy/erasure.test.ts scans the files themselves.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "~/db/database.server";
import { migrate } from "~/db/migrate.server";
import { sql } from "~/db/sql";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { ROOT } from "../helpers/env";

describe("SQLite connections and deleted data", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => database?.drop());

  it("run with secure_delete, the executor's and Prisma's alike", async () => {
    database = await createEmptyDatabase("sqlite");
    await migrate(database.config, ROOT);
    const db = openDatabase(database.config);
    const value = (rows: Record<string, unknown>[]) => Number(Object.values(rows[0]!)[0]);
    expect(value(await db.all(sql`PRAGMA secure_delete`))).toBe(1);
    expect(value(await db.prisma.$queryRawUnsafe<Record<string, unknown>[]>("PRAGMA secure_delete"))).toBe(1);

    // A session deleted through Prisma (as the session storage deletes them) leaves no byte of its
    // token once the WAL is in the database file.
    const token = "shpat_0123456789abcdef_deleted_token";
    await db.prisma.session.create({
      data: { id: "offline_x", shop: "x.myshopify.com", state: "", accessToken: token },
    });
    await db.all(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
    await db.prisma.session.delete({ where: { id: "offline_x" } });
    await db.all(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
    const dir = path.dirname(database.config.dialect === "sqlite" ? database.config.file : "");
    for (const name of fs.readdirSync(dir))
      expect(fs.readFileSync(path.join(dir, name)).includes(token), name).toBe(false);
    await db.close();
  });
});
