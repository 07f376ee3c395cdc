// The home page's loader called directly with a real request, in demo mode, on a real database.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";

describe("home loader (demo mode)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    vi.stubEnv("DATABASE_URL", database.url);
    vi.stubEnv("TAILORED_DEMO", "1");
    vi.stubEnv("HOST", "127.0.0.1");
    vi.stubEnv("SHOPIFY_API_KEY", "test-key");
    vi.stubEnv("SHOPIFY_API_SECRET", "test-secret");
    vi.stubEnv("SHOPIFY_APP_URL", "http://localhost:3000");
  });
  afterAll(async () => {
    const { db } = await import("~/db.server");
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const load = async () => {
    const { loader } = await import("~/routes/app._index");
    return loader({ request: new Request("http://localhost:3000/app"), params: {}, context: {} });
  };

  it("says honestly that a shop with no data has none yet", async () => {
    expect(await load()).toMatchObject({
      empty: true,
      figures: { customers: "0", orders: "0", revenue: "$0.00", repeatPurchaseRate: "—" },
    });
  });

  it("shows the figures once the shop has customers and orders", async () => {
    await cliJson(database.url, "seed", "--customers", "300", "--now", "2026-01-01T00:00:00Z");
    // The expected figures are counted here from the orders themselves (not through the app's stats
    // module) and written out by hand, so a wrong sum or a wrong format in the page fails.
    const { db } = await import("~/db.server");
    const orders = await db.prisma.order.findMany({
      where: { shop: "tailored-demo.myshopify.com" },
      select: { customerId: true, cancelledAt: true, test: true, totalMinor: true, refundedMinor: true },
    });
    const counted = orders.filter((o) => o.cancelledAt === null && !o.test);
    const cents = counted.reduce((sum, o) => sum + o.totalMinor - o.refundedMinor, 0n);
    const perCustomer = new Map<string, number>();
    for (const o of counted) perCustomer.set(o.customerId!, (perCustomer.get(o.customerId!) ?? 0) + 1);
    const repeat = [...perCustomer.values()].filter((n) => n >= 2).length;
    const grouped = (n: bigint | number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const revenue = `$${grouped(cents / 100n)}.${String(cents % 100n).padStart(2, "0")}`;
    const rate = `${(Math.round((repeat / perCustomer.size) * 1000) / 10).toFixed(1)}%`;

    const data = await load();
    expect(data.empty).toBe(false);
    expect(counted.length).toBeGreaterThan(300);
    expect(data.figures).toEqual({
      customers: "300",
      orders: grouped(counted.length),
      revenue,
      repeatPurchaseRate: rate,
    });
    expect(data.figures.revenue).toMatch(/^\$\d{1,3}(,\d{3})+\.\d{2}$/);
  });
});
