// Which database DATABASE_URL names. Pure: the caller passes the environment's value in.
import path from "node:path";

export type Dialect = "sqlite" | "postgres";

export type DatabaseConfig = { dialect: "sqlite"; url: string; file: string } | { dialect: "postgres"; url: string };

/** SQLite, a file under prisma/, unless DATABASE_URL says otherwise. */
export const DEFAULT_DATABASE_URL = "file:./prisma/tailored.sqlite";

/**
 * `postgres://` or `postgresql://` selects PostgreSQL; `file:` (or no value) selects SQLite, with a
 * relative path taken from `cwd` (the project root when run through npm).
 */
export function databaseConfig(url: string | undefined, cwd: string): DatabaseConfig {
  const value = url?.trim() || DEFAULT_DATABASE_URL;
  if (/^postgres(ql)?:\/\//i.test(value)) return { dialect: "postgres", url: value };
  if (value.startsWith("file:")) {
    const raw = value.slice("file:".length).split("?")[0]!;
    if (raw === "") throw new Error(`DATABASE_URL "${value}" names no file`);
    const file = raw === ":memory:" ? raw : path.resolve(cwd, raw);
    return { dialect: "sqlite", url: `file:${file}`, file };
  }
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL), got "${value.split(":")[0]}:…"`,
  );
}
