// The insights page's loader and action called directly with real requests, in demo mode, on a real
// database: honest empty figures before any fit, an unknown action refused with 400, a refit on demand
// that fits, clusters and backtests, and the grid's cells adding up to the customers with orders.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { stubDemoEnv } from "../helpers/demo-env";

describe("insights loader and action (demo mode)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "seed", "--customers", "400", "--seed", "3");
    stubDemoEnv(database.url);
  });
  afterAll(async () => {
    const { db } = await import("~/db.server");
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const load = async () => {
    const { loader } = await import("~/routes/app.insights");
    return loader({ request: new Request("http://localhost:3000/app/insights"), params: {}, context: {} });
  };
  const post = async (body: Record<string, string>) => {
    const { action } = await import("~/routes/app.insights");
    const request = new Request("http://localhost:3000/app/insights", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://localhost:3000" },
      body: new URLSearchParams(body),
    });
    return action({ request, params: {}, context: {} });
  };

  it("shows the grid before any fit, with no predictions and no fits", async () => {
    const data = await load();
    expect(data.fits.bgnbd).toBeNull();
    expect(data.churn.every((c) => c.count === 0)).toBe(true);
    const { db } = await import("~/db.server");
    const buyers = await db.prisma.customerFacts.count({
      where: { shop: "tailored-demo.myshopify.com", ordersCount: { gt: 0 } },
    });
    expect(data.grid.cells.flat().reduce((n, c) => n + c.count, 0)).toBe(buyers);
    expect(data.lifecycle.reduce((n, c) => n + c.count, 0)).toBe(data.customers);
  });

  it("refuses an unknown action with 400", async () => {
    const response = (await post({ intent: "drop-everything" })) as Response;
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ ok: false, error: "unknown action" });
  });

  it("refits on demand: predictions, clusters and the backtest appear", async () => {
    expect(await post({ intent: "refit" })).toEqual({ ok: true, message: "Predictions refitted" });
    const data = await load();
    expect(data.fits.bgnbd).toMatchObject({ status: "ok" });
    expect(data.fits.clusters).toMatchObject({ status: "ok" });
    expect(data.fits.backtest).not.toBeNull();
    const { db } = await import("~/db.server");
    const predicted = await db.prisma.customerPrediction.count({ where: { shop: "tailored-demo.myshopify.com" } });
    expect(data.churn.reduce((n, c) => n + c.count, 0)).toBe(predicted);
    expect(data.clv.reduce((n, c) => n + c.count, 0)).toBeGreaterThan(0);
  });
});
