// POST /pixel/events through its Remix route, with real requests: a shop installed by the CLI (which
// makes its ingest key), a stored batch, the preflight, GET refused, and an oversized body refused
// before it is read. The checks themselves are tested on both databases in tests/pixel/ingest.test.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { stubDemoEnv } from "../helpers/demo-env";

const SHOP = "route-pixel.myshopify.com";
const ORIGIN = `https://${SHOP}`;
const URL_ = "http://localhost:3000/pixel/events";

describe("the /pixel/events route", () => {
  let database: TestDatabase;
  let db: Db;
  let key: string;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "shops", "install", "--shop", SHOP);
    key = (await cliJson<{ ingestKey: string }>(database.url, "pixel", "show", "--shop", SHOP)).ingestKey;
    stubDemoEnv(database.url);
    ({ db } = await import("~/db.server"));
  });
  afterAll(async () => {
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const route = () => import("~/routes/pixel.events");
  const post = (body: string, headers: Record<string, string> = {}) =>
    new Request(URL_, { method: "POST", headers: { origin: ORIGIN, "content-type": "text/plain", ...headers }, body });

  it("stores a batch from the shop's storefront", async () => {
    const batch = {
      shop: SHOP,
      key,
      events: [{ id: "r-1", name: "page_viewed", timestamp: new Date().toISOString(), clientId: "c-1" }],
    };
    const response = await (await route()).action({ request: post(JSON.stringify(batch)), params: {}, context: {} });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(await response.json()).toEqual({ received: 1, stored: 1 });
  });

  it("answers the preflight and refuses GET", async () => {
    const preflight = await (
      await route()
    ).action({
      request: new Request(URL_, { method: "OPTIONS", headers: { origin: ORIGIN } }),
      params: {},
      context: {},
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toBe("POST");
    const get = (await route()).loader();
    expect(get.status).toBe(405);
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const response = await (await route()).action({ request: post("x".repeat(70 * 1024)), params: {}, context: {} });
    expect(response.status).toBe(413);
  });
});
