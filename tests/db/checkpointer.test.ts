// The production writer's SQLite connection leaves WAL checkpoints to a thread of its own: the WAL
// must still be copied into the database file as it grows, without the writer doing it.
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "~/db/database.server";
import { migrate } from "~/db/migrate.server";
import { sql } from "~/db/sql";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { ROOT } from "../helpers/env";

describe("SQLite checkpoints in a thread of their own", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => database?.drop());

  it("copies the WAL into the database while the writer only commits, and stops with the connection", async () => {
    database = await createEmptyDatabase("sqlite");
    if (database.config.dialect !== "sqlite") throw new Error("sqlite only");
    const file = database.config.file;
    await migrate(database.config, ROOT);
    const db = openDatabase(database.config, { checkpointThread: true });
    const [limit] = await db.all(sql`PRAGMA wal_autocheckpoint`);
    expect(Number(Object.values(limit!)[0])).toBeGreaterThan(1000);
    // About 3,000 pages of WAL, far past SQLite's own threshold of 1,000, in many commits.
    for (let batch = 0; batch < 60; batch++) {
      await db.transaction(async (tx) => {
        for (let i = 0; i < 50; i++) {
          const n = batch * 50 + i;
          await tx.run(
            sql`INSERT INTO "WebhookEvent" ("shop", "eventId", "topic", "payload", "receivedAt", "status", "attempts")
             VALUES (${"a.myshopify.com"}, ${`e${n}`}, 'orders/create', ${"x".repeat(8000)}, ${new Date()}, 'pending', 0)`,
          );
        }
      });
    }
    // Only a checkpoint copies pages into the database file, and the writer's own threshold (64 MB)
    // is never reached here: the file grows because the checkpoint thread copied the WAL into it.
    const written = 3000 * 8000;
    for (let i = 0; i < 100 && fs.statSync(file).size < written; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.statSync(file).size).toBeGreaterThan(written);
    await db.close(); // resolves once the thread has closed its connection
  });
});
