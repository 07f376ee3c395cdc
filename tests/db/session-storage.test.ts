// Shopify's own Prisma session storage, on both databases, through our client.
import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { createTestDb, DIALECTS } from "../helpers/db";

describe.each(DIALECTS)("Shopify session storage on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
  });
  afterAll(async () => close());

  it("stores, loads, finds by shop and deletes offline and online sessions", async () => {
    const storage = new PrismaSessionStorage(db.prisma);
    expect(await storage.isReady()).toBe(true);
    const offline = new Session({
      id: "offline_shop-a.myshopify.com",
      shop: "shop-a.myshopify.com",
      state: "state",
      isOnline: false,
      scope: "read_customers,read_orders",
      accessToken: "shpat_test",
      expires: new Date("2030-01-01T00:00:00Z"),
    });
    const online = new Session({
      id: "shop-a.myshopify.com_42",
      shop: "shop-a.myshopify.com",
      state: "state",
      isOnline: true,
      accessToken: "shpua_test",
      onlineAccessInfo: {
        expires_in: 3600,
        associated_user_scope: "read_customers",
        associated_user: {
          id: 902541635,
          first_name: "Ada",
          last_name: "L",
          email: "ada@example.com",
          email_verified: true,
          account_owner: true,
          locale: "en",
          collaborator: false,
        },
      },
    });
    expect(await storage.storeSession(offline)).toBe(true);
    expect(await storage.storeSession(online)).toBe(true);
    const loaded = await storage.loadSession(offline.id);
    expect(loaded?.accessToken).toBe("shpat_test");
    expect(loaded?.expires?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect((await storage.findSessionsByShop("shop-a.myshopify.com")).map((s) => s.id).sort()).toEqual(
      [offline.id, online.id].sort(),
    );
    expect((await storage.loadSession(online.id))?.onlineAccessInfo?.associated_user.email).toBe("ada@example.com");
    expect(await storage.deleteSessions([offline.id, online.id])).toBe(true);
    expect(await storage.loadSession(offline.id)).toBeUndefined();
  });
});
