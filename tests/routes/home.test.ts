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
    expect(await load()).toMatchObject({ empty: true, figures: { customers: "0", orders: "0", revenue: "$0.00", repeatPurchaseRate: "—" } });
  });

  it("shows the figures once the shop has customers and orders", async () => {
    await cliJson(database.url, "seed", "--customers", "300", "--now", "2026-01-01T00:00:00Z");
    const stats = await cliJson<{ customers: number; orders: number; revenue: number; repeatPurchaseRate: number }>(
      database.url,
      "stats",
      "--shop",
      "tailored-demo.myshopify.com",
    );
    const data = await load();
    expect(data.empty).toBe(false);
    expect(data.figures).toEqual({
      customers: "300",
      orders: stats.orders.toLocaleString("en-US"),
      revenue: `$${stats.revenue.toLocaleString("en-US", { minimumFractionDigits: 2 })}`,
      repeatPurchaseRate: `${(stats.repeatPurchaseRate * 100).toFixed(1)}%`,
    });
  });
});
