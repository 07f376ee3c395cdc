import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A PostgreSQL database the tests may create and drop databases from. */
export function postgresAdminUrl(): string {
  return process.env.TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";
}

export const CDNOW_DIR = path.resolve(ROOT, "..", "shared", "datasets", "cdnow");
export const GROCERIES_DIR = path.resolve(ROOT, "..", "shared", "datasets", "groceries");
