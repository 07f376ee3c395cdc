// `tailored segments count` on a seeded shop, against the in-memory evaluator over the same customers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "~/db/database.server";
import { evaluate } from "~/domain/segments/evaluate";
import { prepare } from "~/domain/segments/engine";
import { parse } from "~/domain/segments/query-language";
import { shopContext } from "~/models/segments/rules.server";
import { subjects } from "~/models/segments/subjects.server";
import { UsageError } from "~/cli/main";
import { cli, cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";

const SHOP = "tailored-demo.myshopify.com";
const NOW = "2026-06-30T12:00:00Z";

describe.each(DIALECTS)("segments count on %s", (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "seed", "--customers", "600", "--now", NOW);
  });
  afterAll(async () => database.drop());

  it.each([
    "amount_spent >= 500 AND number_of_orders > 3 AND last_order_date < -90d",
    "customer_tags CONTAINS 'vip'",
    "email_subscription_status = 'SUBSCRIBED' AND customer_countries CONTAINS 'US'",
    "number_of_orders = 0",
    "last_order_date >= -30d OR first_order_date BETWEEN 2025-01-01 AND 2025-03-31",
  ])("%s", async (query) => {
    const result = await cliJson<{ count: number }>(
      database.url,
      "segments",
      "count",
      "--shop",
      SHOP,
      "--query",
      query,
      "--now",
      NOW,
    );
    const db = openDatabase(database.config);
    try {
      const parsed = parse(query);
      if (!parsed.ok) throw new Error("bad test query");
      const prepared = prepare(parsed.rule, await shopContext(db, { shop: SHOP, now: new Date(NOW) }));
      if (!prepared.ok) throw new Error(prepared.error);
      const expected = [...(await subjects(db, { shop: SHOP })).values()].filter((s) =>
        evaluate(prepared.prepared, s),
      ).length;
      expect(result.count).toBe(expected);
    } finally {
      await db.close();
    }
  });

  it("points at the mistake in a bad query", async () => {
    await expect(
      cli(database.url, "segments", "count", "--shop", SHOP, "--query", "amount_spent >= AND x"),
    ).rejects.toThrow(UsageError);
    await expect(
      cli(database.url, "segments", "count", "--shop", SHOP, "--query", "amount_spent >= AND x"),
    ).rejects.toThrow("line 1, col 17: expected a number after '>='");
  });
});

describe("segments create, list and recompute", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "seed", "--customers", "400", "--now", NOW);
  });
  afterAll(async () => database.drop());

  it("saves a segment with its members, lists it, and a recompute changes nothing", async () => {
    const query = "number_of_orders >= 2 AND email_subscription_status = 'SUBSCRIBED'";
    const counted = await cliJson<{ count: number }>(
      database.url,
      "segments",
      "count",
      "--shop",
      SHOP,
      "--query",
      query,
      "--now",
      NOW,
    );
    const created = await cliJson<{ id: number; members: number }>(
      database.url,
      "segments",
      "create",
      "--shop",
      SHOP,
      "--name",
      "Subscribed repeaters",
      "--query",
      query,
      "--now",
      NOW,
    );
    expect(created.members).toBe(counted.count);
    const listed = await cliJson<{ segments: { id: number; name: string; memberCount: number; change7d: number }[] }>(
      database.url,
      "segments",
      "list",
      "--shop",
      SHOP,
      "--now",
      NOW,
    );
    expect(listed.segments).toEqual([
      expect.objectContaining({
        id: created.id,
        name: "Subscribed repeaters",
        memberCount: counted.count,
        change7d: counted.count,
      }),
    ]);
    const again = await cliJson<{ segments: { entered: number; left: number; members: number }[] }>(
      database.url,
      "segments",
      "recompute",
      "--shop",
      SHOP,
      "--now",
      NOW,
      "--progress",
    );
    expect(again.segments).toEqual([expect.objectContaining({ entered: 0, left: 0, members: counted.count })]);
  });

  it("refuses to save a query that does not parse, and says where", async () => {
    await expect(
      cli(database.url, "segments", "create", "--shop", SHOP, "--name", "x", "--query", "customer_tags CONTAINS"),
    ).rejects.toThrow(/line 1, col/);
    const listed = await cliJson<{ segments: unknown[] }>(database.url, "segments", "list", "--shop", SHOP);
    expect(listed.segments).toHaveLength(1);
  });
});

describe("lifecycle thresholds", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "seed", "--customers", "300", "--now", NOW);
  });
  afterAll(async () => database.drop());

  it("shows the defaults, changes them, and moves customers between stages", async () => {
    expect(await cliJson(database.url, "lifecycle", "--shop", SHOP)).toMatchObject({
      lapsingDays: 90,
      lapsedDays: 180,
      loyalOrders: 4,
      changed: false,
    });
    const count = async () =>
      (
        await cliJson<{ count: number }>(
          database.url,
          "segments",
          "count",
          "--shop",
          SHOP,
          "--query",
          "lifecycle_stage = 'LAPSED'",
          "--now",
          NOW,
        )
      ).count;
    const before = await count();
    await cliJson(
      database.url,
      "segments",
      "create",
      "--shop",
      SHOP,
      "--name",
      "Lapsed",
      "--query",
      "lifecycle_stage = 'LAPSED'",
      "--now",
      NOW,
    );
    expect(
      await cliJson(database.url, "lifecycle", "--shop", SHOP, "--lapsing-days", "30", "--lapsed-days", "60"),
    ).toMatchObject({ lapsingDays: 30, lapsedDays: 60, changed: true });
    expect(await count()).toBeGreaterThan(before);
  });

  it.each([
    [["--lapsing-days", "200", "--lapsed-days", "100"], /lapsed must come after lapsing/],
    [["--loyal-orders", "1"], /loyal needs at least 2 orders/],
  ])("refuses %j", async (args, message) => {
    await expect(cli(database.url, "lifecycle", "--shop", SHOP, ...args)).rejects.toThrow(message);
  });
});
