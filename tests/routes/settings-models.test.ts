// The Settings page's predictions card, through its loader and action with real requests in demo mode:
// the rate is shown, a bad one is refused with 422 and the reason (nothing stored), a good one is stored
// for this shop only; the email tools' forms on the same page are untouched by it.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";
import { stubDemoEnv } from "../helpers/demo-env";

const SHOP = "tailored-demo.myshopify.com";

describe("settings: the CLV discount rate (demo mode)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "shops", "install", "--shop", SHOP);
    await cliJson(database.url, "shops", "install", "--shop", "neighbour.myshopify.com");
    stubDemoEnv(database.url);
  });
  afterAll(async () => {
    const { db } = await import("~/db.server");
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const load = async () => {
    const { loader } = await import("~/routes/app.settings");
    return loader({ request: new Request("http://localhost:3000/app/settings"), params: {}, context: {} });
  };
  const post = async (body: Record<string, string>) => {
    const { action } = await import("~/routes/app.settings");
    const request = new Request("http://localhost:3000/app/settings", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://localhost:3000" },
      body: new URLSearchParams(body),
    });
    return (await action({ request, params: {}, context: {} })) as Response;
  };
  const rate = async (shop: string) => {
    const { db } = await import("~/db.server");
    return (await db.prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).clvDiscountRatePercent;
  };

  it("shows the default of 10 % a year", async () => {
    expect((await load()).models).toEqual({ discountRatePercent: 10 });
  });

  it.each([
    ["150", "The discount rate must be from 0 to 100 % a year, not 150 %"],
    ["-1", "The discount rate must be from 0 to 100 % a year, not -1 %"],
    ["lots", "Enter the discount rate as a number of percent a year, for example 10"],
    ["", "Enter the discount rate in percent a year, for example 10"],
  ])("refuses %j with 422 and the reason, storing nothing", async (value, error) => {
    const response = await post({ intent: "model-settings", discountRatePercent: value });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ ok: false, service: "models", error });
    expect(await rate(SHOP)).toBe(10);
  });

  it("refuses a form without the field with 422", async () => {
    const response = await post({ intent: "model-settings" });
    expect(response.status).toBe(422);
    expect(await rate(SHOP)).toBe(10);
  });

  it("stores a good rate for this shop only", async () => {
    const response = await post({ intent: "model-settings", discountRatePercent: "7,5 %" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      service: "models",
      message: "Discount rate saved: 7.5 % a year, used from the next refit",
    });
    expect(await rate(SHOP)).toBe(7.5);
    expect(await rate("neighbour.myshopify.com")).toBe(10);
    expect((await load()).models).toEqual({ discountRatePercent: 7.5 });
  });

  it("leaves the email tools' forms as they were: an unknown intent is still a 400", async () => {
    const response = await post({ intent: "nonsense" });
    expect(response.status).toBe(400);
  });
});
