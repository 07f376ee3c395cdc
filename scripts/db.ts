// Database tooling that works without Prisma's downloadable engines (docs/decisions/001-database.md).
//
//   tsx scripts/db.ts generate             derive the PostgreSQL schema, generate both Prisma clients
//   tsx scripts/db.ts deploy               apply pending migrations to DATABASE_URL (SQLite by default)
//   tsx scripts/db.ts new-migration NAME   write the SQL that takes the last migrated schema to the
//                                          current prisma/schema.prisma, for SQLite and PostgreSQL
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaBin = path.join(root, "node_modules", "prisma", "build", "index.js");
export const SQLITE_SCHEMA = path.join(root, "prisma", "schema.prisma");
export const POSTGRES_SCHEMA = path.join(root, "prisma", "postgres", "schema.prisma");
export const MIGRATIONS_DIR = path.join(root, "prisma", "migrations");

function prisma(args: string[]): string {
  return execFileSync(process.execPath, [prismaBin, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** The PostgreSQL schema is the SQLite one with the provider and client output swapped. */
export function postgresSchemaFrom(sqliteSchema: string): string {
  const out = sqliteSchema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/url\s*=\s*"file:[^"]*"/, 'url      = "postgresql://localhost/tailored"')
    .replace(/(provider\s*=\s*"prisma-client-js")/, '$1\n  output     = "../../node_modules/.prisma-postgres/client"');
  return "// GENERATED from ../schema.prisma by `npm run db:generate`. Do not edit: edit prisma/schema.prisma.\n" + out;
}

function writePostgresSchema(): void {
  fs.mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  fs.writeFileSync(POSTGRES_SCHEMA, postgresSchemaFrom(fs.readFileSync(SQLITE_SCHEMA, "utf8")));
}

function generate(): void {
  writePostgresSchema();
  prisma(["generate", "--no-hints", "--schema", SQLITE_SCHEMA]);
  prisma(["generate", "--no-hints", "--schema", POSTGRES_SCHEMA]);
}

const SNAPSHOT = path.join(MIGRATIONS_DIR, "schema.snapshot.prisma");

/**
 * Prisma diffs two datamodels without a database (so no native engine and no PostgreSQL bug); the
 * snapshot is the schema as of the newest migration.
 */
function newMigration(name: string | undefined): void {
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error("usage: new-migration <snake_case_name>");
  generate();
  const existing = fs.existsSync(path.join(MIGRATIONS_DIR, "sqlite"))
    ? fs.readdirSync(path.join(MIGRATIONS_DIR, "sqlite")).filter((d) => /^\d{4}_/.test(d))
    : [];
  const dirName = `${String(existing.length + 1).padStart(4, "0")}_${name}`;
  const tmp = fs.mkdtempSync(path.join(root, "prisma", ".snapshot-"));
  try {
    // The previous schema, in the dialect's own form.
    const from = (dialect: "sqlite" | "postgres") => {
      if (!fs.existsSync(SNAPSHOT)) return ["--from-empty"];
      const file = path.join(tmp, `${dialect}.prisma`);
      const text = fs.readFileSync(SNAPSHOT, "utf8");
      fs.writeFileSync(file, dialect === "sqlite" ? text : postgresSchemaFrom(text));
      return ["--from-schema-datamodel", file];
    };
    for (const [dialect, schema] of [
      ["sqlite", SQLITE_SCHEMA],
      ["postgres", POSTGRES_SCHEMA],
    ] as const) {
      const sql = prisma(["migrate", "diff", ...from(dialect), "--to-schema-datamodel", schema, "--script"]);
      if (!/\S/.test(sql.replace(/^--.*$/gm, ""))) {
        console.log(`${dialect}: the schema has not changed since the last migration`);
        return;
      }
      const dir = path.join(MIGRATIONS_DIR, dialect, dirName);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "migration.sql"), sql);
      console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
    }
    fs.copyFileSync(SQLITE_SCHEMA, SNAPSHOT);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function deploy(): Promise<void> {
  const { databaseConfig } = await import("../app/db/config");
  const { migrate } = await import("../app/db/migrate.server");
  const config = databaseConfig(process.env.DATABASE_URL, root);
  const result = await migrate(config, root);
  console.log(
    `${config.dialect}: ${result.applied.length} migration(s) applied` +
      (result.applied.length ? ` (${result.applied.join(", ")})` : "") +
      `, ${result.alreadyApplied} already applied`,
  );
}

const main = async () => {
  const [command, arg] = process.argv.slice(2);
  switch (command) {
    case "generate":
      generate();
      break;
    case "deploy":
      await deploy();
      break;
    case "new-migration":
      newMigration(arg);
      break;
    default:
      console.error(`usage: tsx scripts/db.ts generate | deploy | new-migration <name>`);
      process.exit(2);
  }
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
