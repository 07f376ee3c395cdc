// Runs once before the suite: the database tests need PostgreSQL as well as SQLite, and a missing
// server should say so plainly rather than fail each test with a connection error.
import pg from "pg";
import { postgresAdminUrl } from "../helpers/env";
import { buildOnce } from "../helpers/server";

export default async function setup(): Promise<void> {
  // One production build for every test that serves it: test files run in parallel processes, and two
  // builds writing build/ at once would race.
  buildOnce();
  const client = new pg.Client({ connectionString: postgresAdminUrl(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${postgresAdminUrl()} (${(error as Error).message}). ` +
        "Start it (see README, 'Running the tests') or set TEST_POSTGRES_URL.",
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
