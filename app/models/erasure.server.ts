// Erasure: what customers/redact and shop/redact do to everything Tailored keeps
// (docs/decisions/013-erasure.md, docs/PRIVACY.md). Both run inside the webhook processor's
// transaction, so the erasure and the redact's "done" commit together; `scrubStorage` then runs after
// the commit, so that neither the database's free space, its WAL, nor the planner's samples keep what
// was erased.
import { createHmac, randomBytes } from "node:crypto";
import type { Executor } from "~/db/database.server";
import { date, decoder, int, join, nullable, raw, sql, sqlIn, text, type SqlQuery } from "~/db/sql";
import { eraseExportData, EXPORT_CUSTOMER_TABLES, EXPORT_SHOP_TABLES } from "~/export/erasure.server";
import { anonymousOrderPayload } from "~/sync/mappers/anonymous-order";
import { ORDER_UPSERT_TOPICS } from "~/sync/topics";
import { erasePixelData } from "~/pixel/erasure.server";

/**
 * Every table that holds a shop's rows, by its "shop" column, children before parents (OrderLine
 * references Order); Shop itself goes by its domain. tests/privacy/erasure-db.test.ts holds this
 * list to the database's catalog, so that a table added later cannot be forgotten here.
 */
export const SHOP_TABLES = [
  "Session",
  "OrderLine",
  "Order",
  "CustomerFacts",
  "Customer",
  "Product",
  "SegmentMember",
  "SegmentEvent",
  "Segment",
  "RecommendationList",
  "Tombstone",
  "BulkJob",
  "SyncCursor",
  "WebhookEvent",
  "PixelEvent",
  "PixelVisitor",
  "PixelActivity",
  "PixelShop",
  "ModelFit",
  "CustomerPrediction",
  "CampaignExposure",
  "CampaignImpression",
  "Campaign",
  ...EXPORT_SHOP_TABLES,
] as const;

/** Tables a customer erasure changes: re-sampled by the planner afterwards (scrubStorage). */
export const CUSTOMER_TABLES = [
  "Customer",
  "CustomerFacts",
  "CustomerPrediction",
  "Order",
  "OrderLine",
  "SegmentMember",
  "SegmentEvent",
  "Segment",
  "RecommendationList",
  "Tombstone",
  "WebhookEvent",
  "PixelEvent",
  "PixelVisitor",
  "PixelActivity",
  "CampaignExposure",
  ...EXPORT_CUSTOMER_TABLES,
] as const;

/**
 * Tombstone kinds an erasure leaves, so that a late delivery (a retry of an older customers/create, an
 * order update) cannot bring the data back. A redacted customer's id is not kept: the tombstone holds a
 * keyed hash of it (`erasedCustomerKey`). A redacted order keeps its id, as the anonymised order row
 * does; later versions of it are written without customer or e-mail.
 */
export const ERASED_CUSTOMER = "customer-erased";
export const ERASED_ORDER = "order-erased";

/**
 * The key a shop's customer tombstones are hashed with: 32 random bytes of Tailored's own, kept in
 * `Shop.erasureKey` (made by the shop's first erasure, `shopErasureKey`; gone with the Shop row at
 * shop/redact, with the tombstones). It does not depend on the environment: a tombstone matches in
 * every process, whatever secrets it has, and across a rotation of the app's secret. The hash keeps the
 * id out of the database's content; whoever can read the database can still test a given id.
 */
export async function erasureKeyOf(db: Executor, shop: string): Promise<Buffer | null> {
  const [row] = await db.all(
    sql`SELECT "erasureKey" FROM "Shop" WHERE "domain" = ${shop}`,
    decoder({ erasureKey: nullable(text) }),
  );
  return row?.erasureKey ? Buffer.from(row.erasureKey, "hex") : null;
}

/**
 * The shop's key, made now if it has none (in the caller's transaction; a concurrent maker's key wins,
 * by COALESCE). `create`: a shop without a Shop row gets one, not installed, to hold it; otherwise null.
 */
async function shopErasureKey(tx: Executor, shop: string, { create }: { create: Date | null }): Promise<Buffer | null> {
  const fresh = randomBytes(32).toString("hex");
  if (create) {
    await tx.run(
      sql`INSERT INTO "Shop" ("domain", "erasureKey", "installedAt", "uninstalledAt", "createdAt", "updatedAt")
         VALUES (${shop}, ${fresh}, ${create}, ${create}, ${create}, ${create})
       ON CONFLICT ("domain") DO UPDATE SET "erasureKey" = COALESCE("Shop"."erasureKey", excluded."erasureKey")`,
    );
  } else {
    await tx.run(sql`UPDATE "Shop" SET "erasureKey" = COALESCE("erasureKey", ${fresh}) WHERE "domain" = ${shop}`);
  }
  return erasureKeyOf(tx, shop);
}

/**
 * Keys of tombstones written before `Shop.erasureKey` (013, amended): the app's secret and the previous
 * one, as this process has them, and the fixed key used without a secret. Matched too, and a tombstone
 * matched by one of them is rewritten with the shop's key (`erasures`).
 */
function legacyKeys(): string[] {
  return [
    ...new Set(
      [process.env.SHOPIFY_API_SECRET, process.env.SHOPIFY_API_SECRET_PREVIOUS, "tailored-erasure"].filter(
        (k): k is string => !!k,
      ),
    ),
  ];
}

export function erasedCustomerKey(shop: string, customerId: string, key: Buffer | string): string {
  return createHmac("sha256", key).update(`tailored:erased-customer\n${shop}\n${customerId}`).digest("base64url");
}

/**
 * Which of these customers and orders were erased: written again, a customer is skipped and an order
 * loses its customer and e-mail (app/models/store.server.ts). One query; none at all past a cheap check
 * when the shop has never had an erasure. A customer tombstone still under a legacy key is rewritten
 * under the shop's key as it is found.
 */
export async function erasures(
  db: Executor,
  {
    shop,
    customerIds = [],
    orderIds = [],
  }: { shop: string; customerIds?: readonly string[]; orderIds?: readonly string[] },
): Promise<{ customers: Set<string>; orders: Set<string> }> {
  const found = { customers: new Set<string>(), orders: new Set<string>() };
  if (customerIds.length === 0 && orderIds.length === 0) return found;
  const [any] = await db.all(
    sql`SELECT 1 AS x FROM "Tombstone" WHERE "shop" = ${shop} AND "kind" IN (${ERASED_CUSTOMER}, ${ERASED_ORDER}) LIMIT 1`,
  );
  if (!any) return found;
  const current = customerIds.length > 0 ? await erasureKeyOf(db, shop) : null;
  const byHash = new Map<string, { id: string; legacy: boolean }>();
  for (const id of new Set(customerIds)) {
    if (current) byHash.set(erasedCustomerKey(shop, id, current), { id, legacy: false });
    for (const key of legacyKeys()) byHash.set(erasedCustomerKey(shop, id, key), { id, legacy: true });
  }
  const stale: { hash: string; id: string; deletedAt: Date | null }[] = [];
  const hashList = [...byHash.keys()];
  const orders = [...new Set(orderIds)];
  for (let i = 0; i < Math.max(hashList.length, orders.length); i += 250) {
    const hashes = hashList.slice(i, i + 250);
    const part = orders.slice(i, i + 250);
    const rows = await db.all(
      sql`SELECT "kind", "id", "deletedAt" FROM "Tombstone" WHERE "shop" = ${shop} AND (
         ("kind" = ${ERASED_CUSTOMER} AND ${sqlIn(`"id"`, hashes)}) OR ("kind" = ${ERASED_ORDER} AND ${sqlIn(`"id"`, part)}))`,
      decoder({ kind: text, id: text, deletedAt: date }),
    );
    for (const row of rows) {
      if (row.kind === ERASED_ORDER) {
        found.orders.add(row.id);
        continue;
      }
      const match = byHash.get(row.id)!;
      found.customers.add(match.id);
      if (match.legacy) stale.push({ hash: row.id, id: match.id, deletedAt: row.deletedAt });
    }
  }
  if (stale.length > 0) await rekey(db, shop, stale);
  return found;
}

/**
 * Legacy tombstones, as found, under the shop's key (made now if the shop has a row but no key yet):
 * the new one is written before the old one goes, so that nothing is lost between the two.
 */
async function rekey(
  db: Executor,
  shop: string,
  stale: readonly { hash: string; id: string; deletedAt: Date | null }[],
): Promise<void> {
  const key = await shopErasureKey(db, shop, { create: null });
  if (!key) return;
  for (const { hash, id, deletedAt } of stale) {
    await tombstones(db, shop, ERASED_CUSTOMER, [erasedCustomerKey(shop, id, key)], deletedAt ?? new Date());
    await db.run(
      sql`DELETE FROM "Tombstone" WHERE "shop" = ${shop} AND "kind" = ${ERASED_CUSTOMER} AND "id" = ${hash}`,
    );
  }
}

/**
 * Whether a payload that could not be applied (so whose customer is not known) names an erased
 * customer or a redacted order (a guest order has no customer): every id-like number in it is checked
 * against the hashed customer tombstones and the erased orders' ids. Then its failure keeps no payload.
 * Only failures pay for this.
 */
export async function mentionsErasedCustomer(
  db: Executor,
  { shop, payload }: { shop: string; payload: string },
): Promise<boolean> {
  const numbers = [...new Set(payload.match(/(?<![0-9])[1-9][0-9]{5,19}(?![0-9])/g) ?? [])];
  const found = await erasures(db, { shop, customerIds: numbers, orderIds: numbers });
  return found.customers.size > 0 || found.orders.size > 0;
}

async function tombstones(tx: Executor, shop: string, kind: string, ids: readonly string[], now: Date): Promise<void> {
  for (const id of ids) {
    await tx.run(
      sql`INSERT INTO "Tombstone" ("shop", "kind", "id", "deletedAt") VALUES (${shop}, ${kind}, ${id}, ${now})
       ON CONFLICT ("shop", "kind", "id") DO NOTHING`,
    );
  }
}

/** The one column a query selects, as text. */
async function column(tx: Executor, query: SqlQuery): Promise<string[]> {
  return (await tx.all(query)).map((row) => text(Object.values(row)[0]));
}

export type CustomerErasure = {
  customerId: string | null;
  email: string | null;
  phone: string | null;
  orderIds: readonly string[];
};

/**
 * customers/redact. The customer's row, facts, predictions, memberships (segment sizes follow) and segment history
 * go; their orders, and those Shopify lists, stay as the shop's sales without customer or e-mail (the
 * lines name products, and lose their copy of the order's customer with it); what is left in the inbox about them is blanked (`scrubInbox`).
 * `seq` is the redact's own inbox row, blanked by the processor as it is marked done. Returns the
 * customers removed (nothing is to be recomputed for them).
 */
export async function eraseCustomer(
  tx: Executor,
  { shop, request, seq, now }: { shop: string; request: CustomerErasure; seq: number; now: Date },
): Promise<{ customerIds: string[] }> {
  const { email, phone, orderIds } = request;
  // A customer record may hold only an e-mail: then the e-mail names them.
  const ids = new Set(request.customerId ? [request.customerId] : []);
  if (email) {
    for (const id of await column(
      tx,
      sql`SELECT "id" FROM "Customer" WHERE "shop" = ${shop} AND "email" IN (${email}, ${email.toLowerCase()})`,
    ))
      ids.add(id);
  }
  const customerIds = [...ids];
  const emails = new Set(email ? [email.toLowerCase()] : []);
  for (const held of await column(
    tx,
    sql`SELECT "email" FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, customerIds)} AND "email" IS NOT NULL`,
  )) {
    emails.add(held.toLowerCase());
  }
  const orders = new Set(orderIds);
  for (const id of await column(
    tx,
    sql`SELECT "id" FROM "Order" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`,
  ))
    orders.add(id);

  const orderList = [...orders];
  for (let i = 0; i < orderList.length; i += 250) {
    const part = orderList.slice(i, i + 250);
    await tx.run(
      sql`UPDATE "Order" SET "customerId" = NULL, "email" = NULL WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, part)}`,
    );
    // The lines' copy of the order's customer (decision 039).
    await tx.run(
      sql`UPDATE "OrderLine" SET "customerId" = NULL WHERE "shop" = ${shop} AND ${sqlIn(`"orderId"`, part)}`,
    );
  }
  const memberships = await tx.all(
    sql`SELECT "segmentId", COUNT(*) AS n FROM "SegmentMember" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)} GROUP BY "segmentId"`,
    decoder({ segmentId: int, n: int }),
  );
  for (const m of memberships) {
    await tx.run(
      sql`UPDATE "Segment" SET "memberCount" = "memberCount" - ${m.n} WHERE "shop" = ${shop} AND "id" = ${m.segmentId}`,
    );
  }
  // Their history goes too: sizes over time then read as if they had never been members, consistently
  // with the size now (segmentDetail counts back from memberCount through the events).
  // CampaignExposure: which campaign arm reached them (storefront personalization); the campaign's
  // impression counts hold no customer and stay.
  for (const table of [
    "SegmentMember",
    "SegmentEvent",
    "CustomerFacts",
    "CustomerPrediction",
    "CampaignExposure",
  ] as const) {
    await tx.run(
      sql`DELETE FROM ${raw(`"${table}"`)} WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`,
    );
  }
  await tx.run(sql`DELETE FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, customerIds)}`);
  // Their recommendation list, which holds what they bought (the product and segment lists name no one).
  await tx.run(
    sql`DELETE FROM "RecommendationList" WHERE "shop" = ${shop} AND "kind" = 'customer' AND ${sqlIn(`"key"`, customerIds)}`,
  );
  // Their browsing (issue 14): every event of every visitor known to be them, anonymous ones included,
  // the links themselves, and what was derived from the events (PixelActivity).
  await erasePixelData(tx, { shop, customerIds });
  // A customers/delete left a tombstone with the id itself: the hashed one takes its place.
  await tx.run(
    sql`DELETE FROM "Tombstone" WHERE "shop" = ${shop} AND "kind" = 'customer' AND ${sqlIn(`"id"`, customerIds)}`,
  );
  if (customerIds.length > 0) {
    const key = (await shopErasureKey(tx, shop, { create: now }))!;
    await tombstones(
      tx,
      shop,
      ERASED_CUSTOMER,
      customerIds.map((id) => erasedCustomerKey(shop, id, key)),
      now,
    );
  }
  await tombstones(tx, shop, ERASED_ORDER, orderList, now);
  // The export's records and reports of them go; connected email tools are asked to delete them.
  await eraseExportData(tx, { shop, customerIds, emails: [...emails], now });

  const phones = phone ? [phone, phone.replace(/\D/g, "")].filter((p) => p.length >= 7) : [];
  await scrubInbox(tx, {
    shop,
    seq,
    now,
    words: [...emails, ...phones.filter((p) => !/^\d+$/.test(p))],
    numbers: [...customerIds, ...orderList, ...phones.filter((p) => /^\d+$/.test(p))],
  });
  return { customerIds };
}

/**
 * Every stored delivery of the shop that mentions one of `words` (anywhere, in any case) or `numbers`
 * (as a whole number: a customer or order id, a phone's digits), other than `seq`. Applied events keep
 * no payload already. A pending order delivery is still a sale of the shop: it is rewritten without
 * the person (`anonymousOrderPayload`) and applied in its turn, as the stored orders are anonymised
 * rather than deleted. Any other pending or failed one is blanked and marked done without being
 * applied: it concerns someone erased, and applying it later would only be refused by the tombstones.
 */
async function scrubInbox(
  tx: Executor,
  {
    shop,
    seq,
    now,
    words,
    numbers,
  }: { shop: string; seq: number; now: Date; words: readonly string[]; numbers: readonly string[] },
): Promise<void> {
  const tokens = [...words.map((w) => w.toLowerCase()), ...numbers];
  if (tokens.length === 0) return;
  const position = raw(tx.dialect === "sqlite" ? "instr" : "strpos");
  const contains = (token: string) => sql`${position}(lower("payload"), ${token}) > 0`;
  const candidates = await tx.all(
    sql`SELECT "seq", "topic", "status", "payload" FROM "WebhookEvent" WHERE "shop" = ${shop} AND "seq" <> ${seq}
       AND "payload" <> '' AND (${join(tokens.map(contains), " OR ")})`,
    decoder({ seq: int, topic: text, status: text, payload: text }),
  );
  const whole = numbers.map((n) => new RegExp(`(?<![0-9])${n}(?![0-9])`));
  const hits: number[] = [];
  for (const { seq: hit, topic, status, payload } of candidates) {
    const lower = payload.toLowerCase();
    if (!words.some((w) => lower.includes(w.toLowerCase())) && !whole.some((re) => re.test(payload))) continue;
    const sale = status === "pending" && ORDER_UPSERT_TOPICS.has(topic) ? anonymousOrderPayload(payload) : null;
    if (sale === null) hits.push(hit);
    else await tx.run(sql`UPDATE "WebhookEvent" SET "payload" = ${sale} WHERE "seq" = ${hit}`);
  }
  for (let i = 0; i < hits.length; i += 250) {
    await tx.run(
      sql`UPDATE "WebhookEvent" SET "payload" = '', "lockedUntil" = NULL,
         "error" = CASE WHEN "status" = 'done' THEN "error" ELSE 'erased (customers/redact) before it was applied' END,
         "processedAt" = COALESCE("processedAt", ${now}), "status" = 'done'
       WHERE ${sqlIn(`"seq"`, hits.slice(i, i + 250))}`,
    );
  }
}

/** shop/redact: every row of the shop, in every table — its session and token, and this delivery too. */
export async function eraseShop(tx: Executor, { shop }: { shop: string }): Promise<void> {
  // Table names from SHOP_TABLES, never input.
  for (const table of SHOP_TABLES) await tx.run(sql`DELETE FROM ${raw(`"${table}"`)} WHERE "shop" = ${shop}`);
  await tx.run(sql`DELETE FROM "Shop" WHERE "domain" = ${shop}`);
}

/**
 * After an erasure has committed. The planner's samples are taken again from what is left (SQLite's
 * sqlite_stat4 keeps whole index keys — e-mails, ids — and PostgreSQL's pg_statistic sample values).
 * On SQLite the WAL is then checkpointed into the database file and truncated: its frames hold pages as
 * they were before the delete (secure_delete has zeroed the database's own copies). A reader holding an
 * old snapshot makes the checkpoint wait — 100 ms at most, as this blocks the thread that also stores
 * deliveries — and it is tried again, 5 times in all, 200 ms apart; false if it never completed.
 */
export async function scrubStorage(db: Executor, { tables }: { tables: readonly string[] }): Promise<boolean> {
  // Table names are the code's own (SHOP_TABLES, CUSTOMER_TABLES), never input.
  for (const table of new Set(tables)) await db.run(sql`ANALYZE ${raw(`"${table}"`)}`);
  if (!db.truncateWal) return true;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    if (await db.truncateWal(100)) return true;
  }
  return false;
}
