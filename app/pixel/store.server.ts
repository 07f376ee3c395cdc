// The pixel's tables: the shop's ingest key (PixelShop), the events (PixelEvent, append-only, one row
// per pixel event id), and the visitors known to be a customer (PixelVisitor). Every query is scoped
// by shop. Whoever changes a customer's events refreshes their PixelActivity (activity.server.ts) in
// the same transaction: the writer after insertEvents, purgeEvents itself.
import { randomBytes } from "node:crypto";
import type { Executor } from "~/db/database.server";
import { date, decoder, join, nullable, sql, text } from "~/db/sql";
import { customersOf, lockActivity, refreshActivity } from "./activity.server";
import type { PixelEventRow } from "./events";

export type PixelShopRow = {
  shop: string;
  ingestKey: string;
  webPixelId: string | null;
  origins: string[];
};

/** The shop's pixel settings, made (with a fresh ingest key) if it has none. */
export async function ensurePixelShop(db: Executor, { shop, now }: { shop: string; now: Date }): Promise<PixelShopRow> {
  const key = randomBytes(24).toString("base64url");
  await db.run(
    sql`INSERT INTO "PixelShop" ("shop", "ingestKey", "createdAt") VALUES (${shop}, ${key}, ${now})
     ON CONFLICT ("shop") DO NOTHING`,
  );
  return (await pixelShop(db, { shop }))!;
}

export async function pixelShop(db: Executor, { shop }: { shop: string }): Promise<PixelShopRow | null> {
  const [row] = await db.all(
    sql`SELECT "shop", "ingestKey", "webPixelId", "origins" FROM "PixelShop" WHERE "shop" = ${shop}`,
    decoder({ shop: text, ingestKey: text, webPixelId: nullable(text), origins: nullable(text) }),
  );
  if (!row) return null;
  return { ...row, origins: row.origins ? row.origins.split(" ").filter(Boolean) : [] };
}

/** A new key: batches signed with the old one are refused from now on (the pixel's settings follow). */
export async function rotateIngestKey(db: Executor, { shop }: { shop: string }): Promise<string> {
  const key = randomBytes(24).toString("base64url");
  await db.run(sql`UPDATE "PixelShop" SET "ingestKey" = ${key} WHERE "shop" = ${shop}`);
  return key;
}

export async function markActivated(
  db: Executor,
  { shop, webPixelId, origins, now }: { shop: string; webPixelId: string; origins: readonly string[]; now: Date },
): Promise<void> {
  await db.run(
    sql`UPDATE "PixelShop" SET "webPixelId" = ${webPixelId}, "origins" = ${origins.join(" ")}, "activatedAt" = ${now}
     WHERE "shop" = ${shop}`,
  );
}

/** Rows per INSERT (16 columns each: far below SQLite's 32,766 parameters). */
const INSERT_BATCH = 200;

/**
 * Stores events, stitched (identity.server.ts decides `customerId` before this). A row whose
 * (shop, eventId) is stored already is skipped: the pixel may send a batch twice. Returns the
 * (shop, eventId) keys that were new, as `${shop} ${eventId}`. The caller then refreshes the
 * PixelActivity of the rows' customers in the same transaction (the writer does; a test's fixture too).
 */
export async function insertEvents(
  tx: Executor,
  { rows, receivedAt }: { rows: readonly PixelEventRow[]; receivedAt: Date },
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    const values = rows.slice(i, i + INSERT_BATCH).map(
      (r) =>
        sql`(${r.shop}, ${r.eventId}, ${r.name}, ${r.at}, ${r.clientId}, ${r.sessionId}, ${r.customerId}, ${r.productId},
            ${r.variantId}, ${r.collectionId}, ${r.productType}, ${r.vendor}, ${r.query}, ${r.valueMinor}, ${r.currencyCode}, ${receivedAt})`,
    );
    const fresh = await tx.all(
      sql`INSERT INTO "PixelEvent" ("shop", "eventId", "name", "at", "clientId", "sessionId", "customerId", "productId",
         "variantId", "collectionId", "productType", "vendor", "query", "valueMinor", "currencyCode", "receivedAt")
       VALUES ${join(values)} ON CONFLICT ("shop", "eventId") DO NOTHING RETURNING "shop", "eventId"`,
      decoder({ shop: text, eventId: text }),
    );
    for (const row of fresh) inserted.add(`${row.shop} ${row.eventId}`);
  }
  return inserted;
}

/** How many events a shop holds (tests, the bench). */
export async function countEvents(db: Executor, { shop }: { shop: string }): Promise<number> {
  const [row] = await db.all(
    sql`SELECT COUNT(*) AS n FROM "PixelEvent" WHERE "shop" = ${shop}`,
    decoder({ n: (v) => Number(v) }),
  );
  return row?.n ?? 0;
}

/** A customer's or visitor's events, newest first (data requests, tests). */
export async function eventsOf(
  db: Executor,
  { shop, customerId, clientId }: { shop: string; customerId?: string; clientId?: string },
): Promise<
  { eventId: string; name: string; at: Date; clientId: string; customerId: string | null; productId: string | null }[]
> {
  const who = customerId !== undefined ? sql`"customerId" = ${customerId}` : sql`"clientId" = ${clientId ?? ""}`;
  const rows = await db.all(
    sql`SELECT "eventId", "name", "at", "clientId", "customerId", "productId" FROM "PixelEvent"
     WHERE "shop" = ${shop} AND ${who} ORDER BY "at" DESC, "eventId"`,
    decoder({
      eventId: text,
      name: text,
      at: date,
      clientId: text,
      customerId: nullable(text),
      productId: nullable(text),
    }),
  );
  return rows.map((r) => ({ ...r, at: r.at! }));
}

/** Events deleted per transaction by purgeEvents. */
const PURGE_BATCH = 5_000;

/**
 * Events older than `before` go (the retention period; run by the daily pass), `batch` at a time, each
 * batch in a transaction that also recomputes the PixelActivity of the customers whose events it
 * deleted (short transactions: the ingest goes on between them). Returns how many.
 */
export async function purgeEvents(
  db: Executor,
  { shop, before, batch = PURGE_BATCH }: { shop: string; before: Date; batch?: number },
): Promise<number> {
  let purged = 0;
  for (;;) {
    const deleted = await db.transaction(async (tx) => {
      await lockActivity(tx, shop);
      // RETURNING names the customers of the rows actually deleted, a row stitched to a customer since
      // it was chosen included.
      const gone = await tx.all(
        sql`DELETE FROM "PixelEvent" WHERE "shop" = ${shop} AND "eventId" IN (
           SELECT "eventId" FROM "PixelEvent" WHERE "shop" = ${shop} AND "at" < ${before} LIMIT ${batch})
         RETURNING "customerId"`,
        decoder({ customerId: nullable(text) }),
      );
      await refreshActivity(tx, { shop, customerIds: customersOf(gone) });
      return gone.length;
    });
    purged += deleted;
    if (deleted < batch) return purged;
  }
}
