// The one Prisma client of the app (Shopify's Remix template keeps it here too). SQLite by default,
// PostgreSQL when DATABASE_URL starts with postgres://.
import { databaseConfig } from "./db/config";
import { openDatabase, type Db } from "./db/database.server";

declare global {
  // eslint-disable-next-line no-var
  var tailoredDb: Db | undefined;
}

// In development Vite reloads modules; keep one client (and one SQLite connection) per process.
// The production server's writer thread (app/sync/background-thread.server.ts) asks, on SQLite, for
// checkpoints in a thread of their own (`writerThreadEnv`, app/single-node).
const db: Db =
  globalThis.tailoredDb ??
  openDatabase(databaseConfig(process.env.DATABASE_URL, process.cwd()), {
    checkpointThread: process.env.TAILORED_SQLITE_CHECKPOINTS === "thread",
  });
if (process.env.NODE_ENV !== "production") globalThis.tailoredDb = db;

export { db };
export const prisma = db.prisma;
export default prisma;
