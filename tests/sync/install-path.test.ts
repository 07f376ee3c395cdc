// The production path from install to a current copy, in process, against the local server that
// follows Shopify's Admin GraphQL contract: afterInstall (what afterAuth runs) reads the shop and
// queues the backfill, the worker's listener kicks it with the Admin client built from the stored
// offline session, and the daily pass recomputes RFM and segments. On SQLite and PostgreSQL.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { ROOT } from "../helpers/env";
import { startFakeShopify, type FakeShopify } from "../helpers/fake-shopify";

const SHOP = "install-path.myshopify.com";
const TOKEN = "shpat_install_path";
const BULK = path.join(ROOT, "tests", "fixtures", "bulk");

describe.each(DIALECTS)("install, backfill and the daily pass on %s", (dialect) => {
  let database: TestDatabase;
  let fake: FakeShopify;
  let db: Db;

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "migrate");
    fake = await startFakeShopify({
      shop: SHOP,
      accessToken: TOKEN,
      bulkFiles: {
        customers: path.join(BULK, "customers.jsonl"),
        orders: path.join(BULK, "orders.jsonl"),
        products: path.join(BULK, "products.jsonl"),
      },
      bulkPollsUntilComplete: 1,
      shopInfo: { name: "Install Path Coffee", currencyCode: "EUR", ianaTimezone: "Europe/Berlin" },
    });
    vi.resetModules();
    for (const [k, v] of Object.entries({
      DATABASE_URL: database.url,
      SHOPIFY_API_KEY: "install-key",
      SHOPIFY_API_SECRET: "install-secret",
      SHOPIFY_APP_URL: "https://tailored.example",
      SHOPIFY_ADMIN_ORIGIN: fake.origin,
      NODE_ENV: "test",
      TAILORED_DEMO: "",
      TAILORED_INBOX_POLL: "off",
      TAILORED_BACKGROUND_SYNC: "off",
    }))
      vi.stubEnv(k, v);
    ({ db } = await import("~/db.server"));
    // What Shopify's token exchange stores at install, before afterAuth runs.
    await db.prisma.session.create({
      data: {
        id: `offline_${SHOP}`,
        shop: SHOP,
        state: "",
        isOnline: false,
        scope: "read_customers,read_orders,read_products",
        accessToken: TOKEN,
      },
    });
  });
  afterAll(async () => {
    (await import("~/sync/installed-shops.server")).installedShops().stop();
    await db?.close();
    // db.server keeps its client on globalThis (Vite reloads modules in development): the next
    // dialect's import must open its own.
    globalThis.tailoredDb = undefined;
    await fake?.close();
    vi.unstubAllEnvs();
    await database?.drop();
  });

  it("afterInstall reads the shop, accepts its webhooks and backfills it through the worker", async () => {
    const { startBackgroundWork, kickBackfill } = await import("~/sync/worker.server");
    const { afterInstall } = await import("~/services/install.server");
    const { installedShops } = await import("~/sync/installed-shops.server");
    const { latestJobs } = await import("~/sync/backfill.server");
    startBackgroundWork();
    // The Admin API context afterAuth hands over, reduced to what afterInstall uses, on the contract server.
    const admin = {
      graphql: (query: string, options?: { variables?: Record<string, unknown> }) =>
        fetch(`${fake.origin}/admin/api/2025-07/graphql.json`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-shopify-access-token": TOKEN },
          body: JSON.stringify({ query, variables: options?.variables }),
        }),
    };
    await afterInstall({ shop: SHOP, admin: admin as never });
    // The Web Pixel is on, with the shop's ingest key (app/pixel/activation.server.ts).
    expect(JSON.parse(fake.pixels.pixel?.settings ?? "{}")).toMatchObject({ shop: SHOP });
    expect(
      await db.prisma.shop.findUnique({
        where: { domain: SHOP },
        select: { name: true, currencyCode: true, ianaTimezone: true, uninstalledAt: true },
      }),
    ).toEqual({
      name: "Install Path Coffee",
      currencyCode: "EUR",
      ianaTimezone: "Europe/Berlin",
      uninstalledAt: null,
    });
    expect(await installedShops().standing(SHOP)).toBe("installed");

    // The worker's listener started the backfill on its own: a bulk query reached Shopify.
    for (let i = 0; i < 100 && !fake.requests.some((r) => r.operation === "bulkOperationRunQuery"); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(fake.requests.some((r) => r.operation === "bulkOperationRunQuery")).toBe(true);
    // The 15 s poll (off here) would kick it on; so do we.
    for (let i = 0; i < 50; i++) {
      const jobs = await latestJobs(db, { shop: SHOP });
      if (jobs.length === 3 && jobs.every((j) => j.status === "done" || j.status === "failed")) break;
      await kickBackfill(SHOP);
    }
    const jobs = await latestJobs(db, { shop: SHOP });
    expect(jobs.map((j) => [j.resource, j.status])).toEqual([
      ["customers", "done"],
      ["products", "done"],
      ["orders", "done"],
    ]);
    expect(fake.requests.some((r) => r.operation === "bulkOperationRunQuery")).toBe(true);
    expect(await db.prisma.customer.count({ where: { shop: SHOP } })).toBe(4);
    expect(await db.prisma.product.count({ where: { shop: SHOP } })).toBe(4);
    expect(await db.prisma.order.count({ where: { shop: SHOP } })).toBe(3);

    // A second authorisation (afterAuth runs again) does not start another backfill.
    await afterInstall({ shop: SHOP, admin: admin as never });
    expect(await db.prisma.bulkJob.count({ where: { shop: SHOP } })).toBe(3);
  });

  it("the daily pass scores RFM and recomputes every segment, once a day per shop", async () => {
    const { runDailyPass } = await import("~/sync/worker.server");
    const { createSegment } = await import("~/models/segments/definitions.server");
    const id = await createSegment(db, {
      shop: SHOP,
      name: "Ordered",
      query: "number_of_orders >= 1",
      now: new Date("2020-01-01T00:00:00Z"),
    });
    await db.prisma.customerFacts.updateMany({ where: { shop: SHOP }, data: { rfmGroup: null } });
    const day = new Date("2027-01-01T12:00:00Z");
    await runDailyPass(day);
    const segment = await db.prisma.segment.findUniqueOrThrow({ where: { id } });
    expect(segment.lastComputedAt!.getTime()).toBe(day.getTime());
    expect(await db.prisma.customerFacts.count({ where: { shop: SHOP, rfmGroup: null } })).toBe(0);
    // The models were refitted too: with three orders, not enough data, and that reason is kept.
    const fits = await db.prisma.modelFit.findMany({ where: { shop: SHOP }, orderBy: { kind: "asc" } });
    expect(fits.map((f) => [f.kind, f.status, f.fittedAt.getTime()])).toEqual([
      ["backtest", "insufficient", day.getTime()],
      ["bgnbd", "insufficient", day.getTime()],
      ["clusters", "insufficient", day.getTime()],
    ]);
    // An hour later the shop's pass is not due.
    await runDailyPass(new Date(day.getTime() + 60 * 60_000));
    expect((await db.prisma.segment.findUniqueOrThrow({ where: { id } })).lastComputedAt!.getTime()).toBe(
      day.getTime(),
    );
  });
});
