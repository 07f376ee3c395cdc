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

  it.each([
    [{ intent: "cluster", method: "dbscan", k: "" }, "method"],
    [{ intent: "cluster", method: "ward", k: "9" }, "k"],
    [{ intent: "cluster", method: "ward", k: "1" }, "k"],
    [{ intent: "cluster", method: "ward", k: "three" }, "k"],
    [{ intent: "cluster", k: "3" }, "method"],
  ])("refuses a bad clustering choice %j with 422 and the field", async (body, field) => {
    const response = (await post(body as Record<string, string>)) as Response;
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ ok: false, intent: "cluster", field });
  });

  it("clusters by Ward when the merchant picks it, with its tree, and the nightly refit keeps the choice", async () => {
    expect(await post({ intent: "cluster", method: "ward", k: "3" })).toEqual({
      ok: true,
      intent: "cluster",
      message: "3 clusters found by Ward",
    });
    const data = await load();
    const details = data.fits.clusters!.details as {
      method: string;
      k: number;
      dendrogram: {
        sampleSize: number;
        leaves: { size: number; cluster: number }[];
        merges: unknown[];
        cutHeight: number;
      };
      profiles: { size: number }[];
    };
    expect(details.method).toBe("ward");
    expect(details.k).toBe(3);
    const tree = details.dendrogram;
    expect(tree.leaves).toHaveLength(30);
    expect(tree.merges).toHaveLength(29);
    expect(tree.leaves.reduce((n, l) => n + l.size, 0)).toBe(tree.sampleSize);
    expect(new Set(tree.leaves.map((l) => l.cluster))).toEqual(new Set([0, 1, 2]));
    expect(tree.cutHeight).toBeGreaterThan(0);
    const { db } = await import("~/db.server");
    const names = await db.prisma.customerPrediction.groupBy({
      by: ["clusterName"],
      where: { shop: "tailored-demo.myshopify.com" },
    });
    expect(names).toHaveLength(3);

    const { refreshPredictions } = await import("~/models/predictions/refresh.server");
    await refreshPredictions(db, { shop: "tailored-demo.myshopify.com", now: new Date() });
    const again = await load();
    expect(again.fits.clusters!.params).toMatchObject({ method: "ward", fixedK: 3 });
    expect(again.fits.clusters!.fittedAt > data.fits.clusters!.fittedAt).toBe(true);

    // Back to k-means with k by silhouette: no tree, and that is kept too.
    expect(await post({ intent: "cluster", method: "kmeans", k: "" })).toMatchObject({ ok: true });
    const kmeans = await load();
    expect(kmeans.fits.clusters!.params).toMatchObject({ method: "kmeans", fixedK: null });
    expect((kmeans.fits.clusters!.details as { dendrogram: unknown }).dendrogram).toBeNull();
  });

  it("shows the rate the values were discounted at, and a changed rate once it is in use", async () => {
    const { db } = await import("~/db.server");
    const { saveModelSettings } = await import("~/models/predictions/settings.server");
    await saveModelSettings(db, { shop: "tailored-demo.myshopify.com", discountRatePercent: 25 });
    const before = await load();
    expect(before.discountRatePercent).toBe(25);
    expect(before.fits.bgnbd!.params.discountRatePercent).toBe(10);
    expect(await post({ intent: "refit" })).toMatchObject({ ok: true });
    expect((await load()).fits.bgnbd!.params.discountRatePercent).toBe(25);
  });
});
