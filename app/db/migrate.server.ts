// Applies prisma/migrations/<dialect>/<name>/migration.sql in name order, each once, each in a
// transaction, recorded in _tailored_migrations with a checksum. Prisma's own `migrate deploy` cannot be
// used on PostgreSQL here (its Wasm engine fails there, prisma/orm#27403), so one small runner serves
// both databases (docs/decisions/001-database.md). The SQL itself is written by Prisma
// (`npm run db:new-migration -- <name>` runs `prisma migrate diff`).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { DatabaseConfig, Dialect } from "./config";
import { SQLITE_PRIVACY_PRAGMAS } from "./pragmas";

export type Migration = { name: string; sql: string; checksum: string };

export function migrationsDir(root: string, dialect: Dialect): string {
  return path.join(root, "prisma", "migrations", dialect);
}

export function readMigrations(dir: string): Migration[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export type MigrateResult = { applied: string[]; alreadyApplied: number };

const TRACKING_TABLE = `CREATE TABLE IF NOT EXISTS "_tailored_migrations" (
  "name" TEXT NOT NULL PRIMARY KEY,
  "checksum" TEXT NOT NULL,
  "appliedAt" TEXT NOT NULL
)`;

function checkUnchanged(migration: Migration, recorded: string | undefined): boolean {
  if (recorded === undefined) return false;
  if (recorded !== migration.checksum) {
    throw new Error(`migration ${migration.name} was changed after it was applied; write a new migration instead`);
  }
  return true;
}

function migrateSqlite(file: string, migrations: Migration[]): MigrateResult {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 10_000 });
  for (const pragma of SQLITE_PRIVACY_PRAGMAS) db.pragma(pragma);
  try {
    // WAL lets the app read while the webhook processor writes; it is a property of the file.
    db.pragma("journal_mode = WAL");
    db.exec(TRACKING_TABLE);
    const done = new Map(
      (
        db.prepare(`SELECT "name", "checksum" FROM "_tailored_migrations"`).all() as {
          name: string;
          checksum: string;
        }[]
      ).map((row) => [row.name, row.checksum]),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      if (checkUnchanged(migration, done.get(migration.name))) continue;
      db.transaction(() => {
        db.exec(migration.sql);
        db.prepare(`INSERT INTO "_tailored_migrations" ("name", "checksum", "appliedAt") VALUES (?, ?, ?)`).run(
          migration.name,
          migration.checksum,
          new Date().toISOString(),
        );
      }).immediate();
      applied.push(migration.name);
    }
    return { applied, alreadyApplied: migrations.length - applied.length };
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Two app processes starting together must not both apply a migration.
    await client.query(`SELECT pg_advisory_lock(4242001)`);
    await client.query(TRACKING_TABLE);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      `SELECT "name", "checksum" FROM "_tailored_migrations"`,
    );
    const done = new Map(rows.map((row) => [row.name, row.checksum]));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (checkUnchanged(migration, done.get(migration.name))) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO "_tailored_migrations" ("name", "checksum", "appliedAt") VALUES ($1, $2, $3)`, [
          migration.name,
          migration.checksum,
          new Date().toISOString(),
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      applied.push(migration.name);
    }
    return { applied, alreadyApplied: migrations.length - applied.length };
  } finally {
    await client.query(`SELECT pg_advisory_unlock(4242001)`).catch(() => undefined);
    await client.end();
  }
}

/** Brings the database up to date with the project's migrations. Safe to run at every start. */
export async function migrate(config: DatabaseConfig, root: string): Promise<MigrateResult> {
  const migrations = readMigrations(migrationsDir(root, config.dialect));
  if (migrations.length === 0) throw new Error(`no migrations found under ${migrationsDir(root, config.dialect)}`);
  return config.dialect === "sqlite" ? migrateSqlite(config.file, migrations) : migratePostgres(config.url, migrations);
}

/**
 * The project's migrations this database has not had, read without writing anything (a missing SQLite
 * file is not created): for commands that only read, which should not change the schema under a
 * running app.
 */
export async function pendingMigrations(config: DatabaseConfig, root: string): Promise<string[]> {
  const names = readMigrations(migrationsDir(root, config.dialect)).map((m) => m.name);
  let done: Set<string>;
  if (config.dialect === "sqlite") {
    if (config.file !== ":memory:" && !fs.existsSync(config.file)) return names;
    const db = new Database(config.file, { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
      const tracked = db
        .prepare(`SELECT 1 FROM "sqlite_master" WHERE "type" = 'table' AND "name" = '_tailored_migrations'`)
        .get();
      done = new Set(
        tracked
          ? (db.prepare(`SELECT "name" FROM "_tailored_migrations"`).all() as { name: string }[]).map((r) => r.name)
          : [],
      );
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: config.url });
    await client.connect();
    try {
      const { rows: tracked } = await client.query<{ t: string | null }>(
        `SELECT to_regclass('"_tailored_migrations"')::text AS "t"`,
      );
      done = new Set(
        tracked[0]?.t
          ? (await client.query<{ name: string }>(`SELECT "name" FROM "_tailored_migrations"`)).rows.map((r) => r.name)
          : [],
      );
    } finally {
      await client.end();
    }
  }
  return names.filter((name) => !done.has(name));
}
