// The admin outside demo mode: Shopify's embedded auth (session tokens, the new embedded strategy)
// in front of a real loader, on a real database. Nothing here is stubbed but the clock of the token.
import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { cliJson } from "../helpers/cli";

const SHOP = "auth-test.myshopify.com";
const API_KEY = "test-api-key";
const SECRET = "test-api-secret";
const APP_URL = "https://tailored.example";

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/** A session token as App Bridge gets it from Shopify admin: an HS256 JWT signed with the app secret. */
function sessionToken({ shop = SHOP, secret = SECRET, expiresIn = 60 } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: API_KEY,
      sub: "42",
      exp: now + expiresIn,
      nbf: now - 5,
      iat: now - 5,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

const host = b64url(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`);

/** The document request Shopify admin makes when it opens the embedded app. */
const documentRequest = (token: string) =>
  new Request(`${APP_URL}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${token}`);

/** A fetch from the embedded app (App Bridge adds the session token). */
const fetchRequest = (token: string) =>
  new Request(`${APP_URL}/app?_data=routes%2Fapp._index`, { headers: { authorization: `Bearer ${token}` } });

async function refusal(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("the loader answered instead of refusing");
}

describe("admin login with a Shopify session token (not demo mode)", () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    for (const [k, v] of Object.entries({
      DATABASE_URL: database.url,
      TAILORED_DEMO: "",
      HOST: "0.0.0.0",
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: APP_URL,
      TAILORED_INBOX_POLL: "off",
      TAILORED_BACKGROUND_SYNC: "off",
    }))
      vi.stubEnv(k, v);
    ({ db } = await import("~/db.server"));
    // The offline session Shopify's token exchange stored at install.
    await db.prisma.session.create({
      data: {
        id: `offline_${SHOP}`,
        shop: SHOP,
        state: "",
        isOnline: false,
        scope: "read_customers,read_orders",
        accessToken: "shpat_test",
      },
    });
    await cliJson(database.url, "seed", "--customers", "40", "--shop", SHOP, "--now", "2026-01-01T00:00:00Z");
  });
  afterAll(async () => {
    await db.close();
    vi.unstubAllEnvs();
    await database.drop();
  });

  const load = async (request: Request) =>
    (await import("~/routes/app._index")).loader({ request, params: {}, context: {} });

  it("opens the page for the shop named in a valid token, as a document and as a fetch", async () => {
    const page = await load(documentRequest(sessionToken()));
    expect(page.shop).toBe(SHOP);
    expect(page.figures.customers).toBe("40");
    const data = await load(fetchRequest(sessionToken()));
    expect(data.shop).toBe(SHOP);
  });

  it("refuses a token signed with another secret, an expired token, and no token", async () => {
    for (const token of [sessionToken({ secret: "not-the-secret" }), sessionToken({ expiresIn: -120 })]) {
      const fetched = await refusal(load(fetchRequest(token)));
      expect(fetched.status).toBe(401);
      const opened = await refusal(load(documentRequest(token)));
      // A document request with a bad token is sent to the bounce page to get a fresh one (or refused).
      expect([302, 401]).toContain(opened.status);
      if (opened.status === 302) expect(opened.headers.get("location")).toMatch(/session-token|bounce|login/);
    }
    const bare = await refusal(load(new Request(`${APP_URL}/app`)));
    expect([302, 401, 400]).toContain(bare.status);
    if (bare.status === 302) expect(bare.headers.get("location")).not.toContain(SHOP);
  });
});
