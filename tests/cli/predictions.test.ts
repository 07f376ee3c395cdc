// `models` and `clusters` through the CLI, on both databases: the CDNOW sample imported, fitted and
// scored, one customer's predictions read back, FHL's 39-week backtest, clusters of a demo shop, the
// models fitted from the summary CSVs, and the bad command lines refused with their reason.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "~/cli/main";
import { cli, cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { CDNOW_DIR } from "../helpers/env";

const SHOP = "cdnow-cli.myshopify.com";
const DEMO = "clusters-cli.myshopify.com";
const within = (value: number, target: number) => expect(Math.abs(value - target) / target).toBeLessThan(0.01);

describe.each(DIALECTS)("models and clusters on %s", (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "import-cdnow", path.join(CDNOW_DIR, "CDNOW_sample.txt"), "--shop", SHOP);
  });
  afterAll(async () => database.drop());

  it("fits the shop, then reads one customer's predictions", async () => {
    const fit = await cliJson<{ status: string; customers: number; bgnbd: Record<string, number>; written: number }>(
      database.url,
      "models",
      "fit",
      "--shop",
      SHOP,
      "--now",
      "1997-09-30T12:00:00Z",
    );
    expect(fit).toMatchObject({ status: "ok", customers: 2357, written: 2357 });
    within(fit.bgnbd.r!, 0.2426);
    within(fit.bgnbd.alpha! / 7, 4.4135);
    const one = await cliJson(database.url, "models", "predict", "--shop", SHOP, "--customer", "4");
    expect(one).toMatchObject({ shop: SHOP, customerId: "4" });
    expect(one.pAlive).toBeGreaterThan(0);
    await expect(cli(database.url, "models", "predict", "--shop", SHOP, "--customer", "nobody")).rejects.toThrow(
      /no predictions for customer nobody/,
    );
  });

  it("backtests with a held-out period, and refuses one outside 7..3650 days", async () => {
    const result = await cliJson<{ status: string; cutoff: string; actual: number; expected: number }>(
      database.url,
      "models",
      "backtest",
      "--shop",
      SHOP,
      "--holdout-days",
      "273",
      "--now",
      "1998-06-30T12:00:00Z",
    );
    expect(result).toMatchObject({ status: "ok", cutoff: "1997-09-30", actual: 1882 });
    expect(Math.round(result.expected)).toBe(1653);
    await expect(cli(database.url, "models", "backtest", "--shop", SHOP, "--holdout-days", "3")).rejects.toThrow(
      UsageError,
    );
    await expect(cli(database.url, "models", "backtest", "--shop", SHOP, "--holdout-days", "x")).rejects.toThrow(
      /whole number/,
    );
  });

  it("clusters a demo shop with k-means and with Ward, and refuses a bad method or k", async () => {
    await cliJson(database.url, "seed", "--shop", DEMO, "--customers", "600", "--seed", "5");
    const km = await cliJson<{ status: string; k: number; profiles: { name: string; size: number }[] }>(
      database.url,
      "clusters",
      "--shop",
      DEMO,
    );
    expect(km.status).toBe("ok");
    expect(km.k).toBeGreaterThanOrEqual(2);
    expect(km.profiles.reduce((n, p) => n + p.size, 0)).toBeGreaterThan(0);
    expect(new Set(km.profiles.map((p) => p.name)).size).toBe(km.profiles.length);
    const again = await cliJson<typeof km>(database.url, "clusters", "--shop", DEMO);
    expect(again.profiles).toEqual(km.profiles); // the same seed, the same clusters
    const wd = await cliJson<typeof km>(database.url, "clusters", "--shop", DEMO, "--method", "ward", "--k", "3");
    expect(wd).toMatchObject({ status: "ok", k: 3, method: "ward" });
    await expect(cli(database.url, "clusters", "--shop", DEMO, "--method", "dbscan")).rejects.toThrow(/kmeans or ward/);
    await expect(cli(database.url, "clusters", "--shop", DEMO, "--k", "12")).rejects.toThrow(/from 2 to 8/);
  });

  it("reads and sets the shop's discount rate, refusing one out of range before opening the database", async () => {
    const shop = "settings-cli.myshopify.com";
    await cliJson(database.url, "seed", "--shop", shop, "--customers", "20", "--seed", "3");
    expect(await cliJson(database.url, "models", "settings", "--shop", shop)).toEqual({
      shop,
      discountRatePercent: 10,
    });
    expect(await cliJson(database.url, "models", "settings", "--shop", shop, "--discount-rate", "7,5 %")).toEqual({
      shop,
      discountRatePercent: 7.5,
    });
    expect(await cliJson(database.url, "models", "settings", "--shop", shop)).toEqual({
      shop,
      discountRatePercent: 7.5,
    });
    await expect(cli(database.url, "models", "settings", "--shop", shop, "--discount-rate", "150")).rejects.toThrow(
      /--discount-rate: The discount rate must be from 0 to 100 % a year, not 150 %/,
    );
    await expect(cli(database.url, "models", "fit", "--shop", shop, "--discount-rate", "5")).rejects.toThrow(
      /--discount-rate is for models settings/,
    );
    await expect(
      cli(database.url, "models", "settings", "--shop", "nobody.myshopify.com", "--discount-rate", "5"),
    ).rejects.toThrow(/no shop nobody\.myshopify\.com/);
  });
});

describe("models fitted from a summary CSV", () => {
  it("gives the published BG/NBD and Gamma-Gamma parameters for CDNOW", async () => {
    const bg = await cliJson<Record<string, number>>(
      "file:/nonexistent/never.sqlite",
      "models",
      "fit-bgnbd",
      "--summary",
      path.join(CDNOW_DIR, "cdnow_customers_summary.csv"),
    );
    within(bg.r!, 0.2426);
    within(bg.alpha!, 4.4135);
    within(bg.a!, 0.7929);
    within(bg.b!, 2.4258);
    expect(bg.ll).toBeLessThan(0);
    const gg = await cliJson<Record<string, number>>(
      "file:/nonexistent/never.sqlite",
      "models",
      "fit-gg",
      "--summary",
      path.join(CDNOW_DIR, "cdnow_customers_summary_with_transactions.csv"),
    );
    within(gg.p!, 6.25);
    within(gg.q!, 3.74);
    within(gg.gamma!, 15.44);
    await expect(
      cli(
        "file:/nonexistent/never.sqlite",
        "models",
        "fit-gg",
        "--summary",
        path.join(CDNOW_DIR, "cdnow_customers_summary.csv"),
      ),
    ).rejects.toThrow(/models fit-gg: line 1: the header/);
    await expect(cli("file:/nonexistent/never.sqlite", "models", "fit-bgnbd")).rejects.toThrow(/--summary/);
  });
});
