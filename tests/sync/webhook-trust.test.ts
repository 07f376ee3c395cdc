// Issue 10, defect 5: deliveries are accepted only for shops that installed Tailored, and a signed body
// is not believed about a shop it does not name. Through the webhook routes (the same ingestWebhook
// server.mjs's direct path calls) with real signed requests, on SQLite and PostgreSQL; shops are
// installed by the CLI, a process of their own as far as the app's in-memory set is concerned.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { webhookHeaders } from "~/sync/signing";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { ROOT } from "../helpers/env";

const SECRET = "trust-test-secret";
const FIXTURES = path.join(ROOT, "tests", "fixtures", "webhooks");
const fixture = (topic: string) =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, `${topic.replace("/", "__")}.json`), "utf8")) as Record<
    string,
    unknown
  >;

const INSTALLED = "installed.myshopify.com";
const NEVER = "never-installed.myshopify.com";
const LEAVING = "leaving.myshopify.com";

describe.each(DIALECTS)("webhook trust on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let n = 0;

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "migrate");
    await cliJson(database.url, "shops", "install", "--shop", INSTALLED);
    await cliJson(database.url, "shops", "install", "--shop", LEAVING);
    vi.stubEnv("DATABASE_URL", database.url);
    vi.stubEnv("SHOPIFY_API_KEY", "test-key");
    vi.stubEnv("SHOPIFY_API_SECRET", SECRET);
    vi.stubEnv("SHOPIFY_APP_URL", "http://localhost:3000");
    vi.stubEnv("TAILORED_INBOX_POLL", "off");
    vi.stubEnv("TAILORED_BACKGROUND_SYNC", "off");
    // A fresh app (database client, inbox processor, set of installed shops) for this database.
    vi.resetModules();
    delete (globalThis as { tailoredDb?: Db }).tailoredDb;
    ({ db } = await import("~/db.server"));
  });
  afterAll(async () => {
    (await import("~/sync/installed-shops.server")).installedShops().stop();
    const processor = (await import("~/sync/worker.server")).inboxProcessor();
    await processor.settle();
    await processor.stop();
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const post = async (topic: string, shop: string, body: unknown) => {
    const route = await import(/* @vite-ignore */ `~/routes/webhooks.${topic.replace("/", ".")}`);
    const text = JSON.stringify(body);
    const headers = webhookHeaders({ topic, shop, body: text, eventId: `trust-${++n}`, webhookId: `w-${n}` }, SECRET);
    const request = new Request(`http://localhost:3000/webhooks/${topic}`, { method: "POST", headers, body: text });
    const response = await (
      route.action as (args: { request: Request; params: object; context: object }) => Promise<Response>
    )({ request, params: {}, context: {} });
    return { status: response.status, text: await response.text() };
  };
  const stored = (shop: string) => db.prisma.webhookEvent.count({ where: { shop } });
  const applied = async () => (await import("~/sync/worker.server")).inboxProcessor().settle();

  it("refuses a body signed for an installed shop sent under a shop that never installed (403), and stores nothing", async () => {
    const customer = fixture("customers/create");
    expect(await post("customers/create", NEVER, customer)).toEqual({
      status: 403,
      text: `${NEVER} has not installed Tailored`,
    });
    for (const topic of ["orders/create", "customers/redact", "shop/redact", "app/uninstalled"]) {
      const body = { ...fixture(topic), shop_domain: NEVER, myshopify_domain: NEVER };
      expect((await post(topic, NEVER, body)).status).toBe(403);
    }
    await applied();
    expect(await stored(NEVER)).toBe(0);
    expect(await db.prisma.customer.count({ where: { shop: NEVER } })).toBe(0);
    // The same body under the shop it belongs to is taken.
    expect((await post("customers/create", INSTALLED, customer)).status).toBe(200);
    await applied();
    expect(await db.prisma.customer.count({ where: { shop: INSTALLED } })).toBe(1);
  });

  it("accepts a shop's first delivery once it is installed, from another process", async () => {
    await cliJson(database.url, "shops", "install", "--shop", NEVER);
    expect((await post("customers/create", NEVER, fixture("customers/create"))).status).toBe(200);
    expect(await stored(NEVER)).toBe(1);
  });

  it("refuses a compliance body (or an uninstall) that names another shop than the header's", async () => {
    const before = await stored(INSTALLED);
    for (const topic of ["customers/data_request", "customers/redact", "shop/redact"]) {
      expect(await post(topic, INSTALLED, { ...fixture(topic), shop_domain: LEAVING })).toEqual({
        status: 403,
        text: `the body is for ${LEAVING}, not ${INSTALLED}`,
      });
      const { shop_domain: _none, ...nameless } = fixture(topic);
      expect(await post(topic, INSTALLED, nameless)).toEqual({
        status: 403,
        text: `the body is for no shop, not ${INSTALLED}`,
      });
    }
    expect(
      (await post("app/uninstalled", INSTALLED, { ...fixture("app/uninstalled"), myshopify_domain: LEAVING })).status,
    ).toBe(403);
    expect(await stored(INSTALLED)).toBe(before);
    expect((await db.prisma.shop.findUniqueOrThrow({ where: { domain: INSTALLED } })).uninstalledAt).toBeNull();
    // Named right, they are taken.
    for (const topic of ["customers/data_request", "customers/redact", "shop/redact"]) {
      expect((await post(topic, INSTALLED, { ...fixture(topic), shop_domain: INSTALLED })).status).toBe(200);
    }
    expect(await stored(INSTALLED)).toBe(before + 3);
  });

  it("after app/uninstalled takes only the compliance topics and the uninstall itself, until installed again", async () => {
    expect(
      (await post("app/uninstalled", LEAVING, { ...fixture("app/uninstalled"), myshopify_domain: LEAVING })).status,
    ).toBe(200);
    await applied();
    expect((await db.prisma.shop.findUniqueOrThrow({ where: { domain: LEAVING } })).uninstalledAt).not.toBeNull();
    const before = await stored(LEAVING);
    expect(await post("orders/create", LEAVING, fixture("orders/create"))).toEqual({
      status: 403,
      text: `${LEAVING} uninstalled Tailored`,
    });
    expect((await post("customers/update", LEAVING, fixture("customers/update"))).status).toBe(403);
    for (const topic of ["customers/data_request", "customers/redact", "shop/redact"]) {
      expect((await post(topic, LEAVING, { ...fixture(topic), shop_domain: LEAVING })).status).toBe(200);
    }
    expect(
      (await post("app/uninstalled", LEAVING, { ...fixture("app/uninstalled"), myshopify_domain: LEAVING })).status,
    ).toBe(200);
    expect(await stored(LEAVING)).toBe(before + 4);
    await applied();
    // Installed again (by another process): its orders are taken again at once.
    await cliJson(database.url, "shops", "install", "--shop", LEAVING);
    expect((await post("orders/create", LEAVING, fixture("orders/create"))).status).toBe(200);
  });
});
