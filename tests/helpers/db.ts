// Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database, migrated with the
// project's migrations, dropped afterwards. `describe.each(DIALECTS)` runs a suite on both.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { DatabaseConfig, Dialect } from "~/db/config";
import { databaseConfig } from "~/db/config";
import { openDatabase, type Db, type Executor } from "~/db/database.server";
import type { SqlQuery } from "~/db/sql";
import { migrate } from "~/db/migrate.server";
import { postgresAdminUrl, ROOT } from "./env";

export const DIALECTS: Dialect[] = ["sqlite", "postgres"];

export type TestDatabase = { config: DatabaseConfig; url: string; drop(): Promise<void> };

/** An empty, unmigrated database. */
export async function createEmptyDatabase(dialect: Dialect): Promise<TestDatabase> {
  const name = `tailored_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  if (dialect === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-test-"));
    const url = `file:${path.join(dir, `${name}.sqlite`)}`;
    return {
      url,
      config: databaseConfig(url, ROOT),
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = new pg.Client({ connectionString: postgresAdminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(postgresAdminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    config: databaseConfig(url.toString(), ROOT),
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresAdminUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A migrated database with an open client; `close` disconnects and drops it. */
export async function createTestDb(dialect: Dialect): Promise<{ db: Db; url: string; close(): Promise<void> }> {
  const database = await createEmptyDatabase(dialect);
  await migrate(database.config, ROOT);
  const db = openDatabase(database.config);
  return {
    db,
    url: database.url,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}

/**
 * The executor (and the transactions it opens), recording every statement sent through it and
 * counting the rows its reads bring back: for tests of how many statements or rows a path costs.
 */
export function observed(db: Executor): { db: Executor; statements: SqlQuery[]; rows: () => number } {
  const statements: SqlQuery[] = [];
  let rows = 0;
  const wrap = (inner: Executor): Executor => ({
    dialect: inner.dialect,
    run: (query) => {
      statements.push(query);
      return inner.run(query);
    },
    all: (async (query: SqlQuery, decode?: never) => {
      statements.push(query);
      const result = await inner.all(query, decode as never);
      rows += result.length;
      return result;
    }) as Executor["all"],
    tuples: async (query) => {
      statements.push(query);
      const result = await inner.tuples(query);
      rows += result.length;
      return result;
    },
    transaction: (fn) => inner.transaction((tx) => fn(wrap(tx))),
  });
  return { db: wrap(db), statements, rows: () => rows };
}
