// On PostgreSQL a merchant's segment query is cancelled after its statement timeout (issue 10): the
// preview and the editor answer 503 saying so, not a 500, and a save that timed out saved nothing.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { stubDemoEnv } from "../helpers/demo-env";

describe("segment queries past their time (demo mode, PostgreSQL)", () => {
  let database: TestDatabase;
  let db: Db;
  let locker: pg.Client;
  beforeAll(async () => {
    database = await createEmptyDatabase("postgres");
    await cliJson(database.url, "seed", "--customers", "60", "--seed", "7");
    stubDemoEnv(database.url, {
      TAILORED_SEGMENT_QUERY_TIMEOUT_MS: "200",
      TAILORED_SEGMENT_RECOMPUTE_TIMEOUT_MS: "200",
    });
    ({ db } = await import("~/db.server"));
    locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await db?.close();
    vi.unstubAllEnvs();
    await database?.drop();
  });

  it("answers 503 with what happened, for the preview and for a save, and saves nothing", async () => {
    const preview = await import("~/routes/app.segment-preview");
    const create = await import("~/routes/app.segments.new");
    const before = await db.prisma.segment.count();
    // While the facts are locked no segment statement can finish: each one runs into its timeout.
    await locker.query(`BEGIN; LOCK TABLE "CustomerFacts" IN ACCESS EXCLUSIVE MODE`);
    try {
      const answer = (await preview.loader({
        request: new Request("http://localhost:3000/app/segment-preview?q=number_of_orders%20%3E%3D%201"),
        params: {},
        context: {},
      })) as Response;
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ ok: false, error: expect.stringMatching(/took longer than 0.2 s/) });
      const saved = (await create.action({
        request: new Request("http://localhost:3000/app/segments/new", {
          method: "POST",
          body: new URLSearchParams({ name: "Buyers", query: "number_of_orders >= 1" }),
        }),
        params: {},
        context: {},
      })) as Response;
      expect(saved.status).toBe(503);
      expect(await saved.json()).toEqual({
        ok: false,
        errors: { query: expect.stringMatching(/took longer than 0.2 s/) },
      });
    } finally {
      await locker.query("ROLLBACK");
    }
    expect(await db.prisma.segment.count()).toBe(before);
    const answer = (await preview.loader({
      request: new Request("http://localhost:3000/app/segment-preview?q=number_of_orders%20%3E%3D%201"),
      params: {},
      context: {},
    })) as Response;
    expect(answer.status).toBe(200);
  });
});
