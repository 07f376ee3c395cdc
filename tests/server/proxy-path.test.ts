// The production server's direct path for the app proxy (server.mjs, decision 021): the same answers
// as the Remix routes, over real HTTP, for good and bad requests, on SQLite and PostgreSQL.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/mode.server";
import { signedProxyQuery } from "~/storefront/proxy-signing";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { buildApp, startServer, type RunningServer } from "../helpers/server";

const SECRET = "test-api-secret"; // startServer's

describe.each(DIALECTS)("app proxy through server.mjs on %s", (dialect) => {
  let database: TestDatabase;
  let server: RunningServer;
  let customer: string;

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "seed", "--customers", "80", "--seed", "3");
    await cliJson(database.url, "campaigns", "demo", "--shop", DEMO_SHOP);
    const members = await cliJson<{ segments: { id: number; memberCount: number }[] }>(
      database.url,
      "segments",
      "list",
      "--shop",
      DEMO_SHOP,
    );
    // The demo campaigns make their two segments and the browsing one ("Browsed but did not buy (demo)").
    expect(members.segments.length).toBe(3);
    buildApp();
    server = await startServer({
      DATABASE_URL: database.url,
      TAILORED_BACKGROUND_SYNC: "off",
      TAILORED_INBOX_POLL: "off",
    });
    const { openDatabase } = await import("~/db/database.server");
    const { databaseConfig } = await import("~/db/config");
    const { ROOT } = await import("../helpers/env");
    const db = openDatabase(databaseConfig(database.url, ROOT));
    customer = (await db.prisma.customer.findFirstOrThrow({ where: { shop: DEMO_SHOP }, select: { id: true } })).id;
    await db.close();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const send = (method: string, path: string) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request(`${server.url}${path}`, { method, agent: false }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });
  const signed = (query: Record<string, string>, customerId: string | null) =>
    signedProxyQuery(query, { shop: DEMO_SHOP, customerId, secret: SECRET, now: new Date() }).toString();

  it("answers signed requests with JSON, personal ones uncacheable", async () => {
    const mine = await send("GET", `/proxy/banner?${signed({ country: "US" }, customer)}`);
    expect(mine.status).toBe(200);
    expect(mine.headers["content-type"]).toMatch(/^application\/json/);
    expect(mine.headers["cache-control"]).toBe("private, no-store");
    expect(JSON.parse(mine.body)).toHaveProperty("decision");
    const anon = await send("GET", `/proxy/recommendations/?${signed({ limit: "3" }, null)}`);
    expect(anon.status).toBe(200);
    expect(anon.headers["cache-control"]).toBe("public, max-age=30");
    expect((JSON.parse(anon.body) as { products: unknown[] }).products.length).toBe(3);
    const liquid = await send("GET", `/proxy/banner?${signed({ format: "liquid" }, customer)}`);
    expect(liquid.headers["content-type"]).toBe("application/liquid");
    expect((await send("HEAD", `/proxy/banner?${signed({}, null)}`)).status).toBe(200);
  });

  it("refuses what is not signed, or signed for another secret, with a JSON reason; never a 500", async () => {
    const missing = await send(
      "GET",
      `/proxy/banner?shop=${DEMO_SHOP}&logged_in_customer_id=&timestamp=${Math.floor(Date.now() / 1000)}`,
    );
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toEqual({ error: "missing signature" });
    const forged = signedProxyQuery({}, { shop: DEMO_SHOP, customerId: customer, secret: "wrong", now: new Date() });
    expect((await send("GET", `/proxy/banner?${forged}`)).status).toBe(401);
    expect((await send("GET", `/proxy/banner?%zz=1`)).status).toBe(400);
    expect((await send("POST", `/proxy/banner?${signed({}, null)}`)).status).toBe(405);
    expect(server.output()).not.toMatch(/Error:|TypeError/);
  });
});
