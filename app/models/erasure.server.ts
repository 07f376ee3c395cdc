// Erasure: what customers/redact and shop/redact do to everything Tailored keeps
// (docs/decisions/013-erasure.md, docs/PRIVACY.md). Both run inside the webhook processor's
// transaction, so the erasure and the redact's "done" commit together; `scrubStorage` then runs after
// the commit, so that neither the database's free space, its WAL, nor the planner's samples keep what
// was erased.
import { createHmac } from "node:crypto";
import type { Executor } from "~/db/database.server";
import { decoder, int, join, raw, sql, sqlIn, text, type SqlQuery } from "~/db/sql";

/**
 * Every table that holds a shop's rows, by its "shop" column, children before parents (OrderLine
 * references Order); Shop itself goes by its domain. tests/privacy/erasure-tables.test.ts holds this
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
  "Tombstone",
  "BulkJob",
  "SyncCursor",
  "WebhookEvent",
] as const;

/** Tables a customer erasure changes: re-sampled by the planner afterwards (scrubStorage). */
export const CUSTOMER_TABLES = [
  "Customer",
  "CustomerFacts",
  "Order",
  "SegmentMember",
  "SegmentEvent",
  "Segment",
  "Tombstone",
  "WebhookEvent",
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
 * The keys the customer hashes are made with: the app's secret (the one Shopify signs webhooks with,
 * which every process that applies webhooks has), and during a rotation the previous one too, so
 * tombstones written before it still match. Without a secret (tests, CLI imports) a fixed key: the
 * hash then still keeps the id out of the database, but anyone can recompute it.
 */
function hashKeys(): string[] {
  const keys = [process.env.SHOPIFY_API_SECRET, process.env.SHOPIFY_API_SECRET_PREVIOUS].filter(
    (k): k is string => !!k,
  );
  return keys.length > 0 ? keys : ["tailored-erasure"];
}

export function erasedCustomerKey(shop: string, customerId: string, key = hashKeys()[0]!): string {
  return createHmac("sha256", key).update(`tailored:erased-customer\n${shop}\n${customerId}`).digest("base64url");
}

/**
 * Which of these customers and orders were erased: written again, a customer is skipped and an order
 * loses its customer and e-mail (app/models/store.server.ts). One query; none at all past a cheap check
 * when the shop has never had an erasure.
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
  const byHash = new Map<string, string>();
  for (const id of new Set(customerIds)) for (const key of hashKeys()) byHash.set(erasedCustomerKey(shop, id, key), id);
  const orders = [...new Set(orderIds)];
  for (let i = 0; i < Math.max(byHash.size, orders.length); i += 250) {
    const hashes = [...byHash.keys()].slice(i, i + 250);
    const part = orders.slice(i, i + 250);
    const rows = await db.all(
      sql`SELECT "kind", "id" FROM "Tombstone" WHERE "shop" = ${shop} AND (
         ("kind" = ${ERASED_CUSTOMER} AND ${sqlIn(`"id"`, hashes)}) OR ("kind" = ${ERASED_ORDER} AND ${sqlIn(`"id"`, part)}))`,
      decoder({ kind: text, id: text }),
    );
    for (const row of rows) {
      if (row.kind === ERASED_ORDER) found.orders.add(row.id);
      else found.customers.add(byHash.get(row.id)!);
    }
  }
  return found;
}

/**
 * Whether a payload that could not be applied (so whose customer is not known) names an erased
 * customer: every id-like number in it is checked against the hashed tombstones. Then its failure keeps
 * no payload. Only failures pay for this.
 */
export async function mentionsErasedCustomer(
  db: Executor,
  { shop, payload }: { shop: string; payload: string },
): Promise<boolean> {
  const numbers = [...new Set(payload.match(/(?<![0-9])[1-9][0-9]{5,19}(?![0-9])/g) ?? [])];
  return (await erasures(db, { shop, customerIds: numbers })).customers.size > 0;
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
 * customers/redact. The customer's row, facts, memberships (segment sizes follow) and segment history
 * go; their orders, and those Shopify lists, stay as the shop's sales without customer or e-mail (the
 * lines name products, not people); what is left in the inbox about them is blanked (`scrubInbox`).
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
  for (const table of ["SegmentMember", "SegmentEvent", "CustomerFacts"] as const) {
    await tx.run(
      sql`DELETE FROM ${raw(`"${table}"`)} WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`,
    );
  }
  await tx.run(sql`DELETE FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, customerIds)}`);
  // A customers/delete left a tombstone with the id itself: the hashed one takes its place.
  await tx.run(
    sql`DELETE FROM "Tombstone" WHERE "shop" = ${shop} AND "kind" = 'customer' AND ${sqlIn(`"id"`, customerIds)}`,
  );
  await tombstones(
    tx,
    shop,
    ERASED_CUSTOMER,
    customerIds.map((id) => erasedCustomerKey(shop, id)),
    now,
  );
  await tombstones(tx, shop, ERASED_ORDER, orderList, now);

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
 * Blanks every stored delivery of the shop that mentions one of `words` (anywhere, in any case) or
 * `numbers` (as a whole number: a customer or order id, a phone's digits), other than `seq`. Applied
 * events keep no payload already; a pending or failed one is marked done without being applied: it
 * concerns someone erased, and applying it later would only be refused by the tombstones.
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
    sql`SELECT "seq", "payload" FROM "WebhookEvent" WHERE "shop" = ${shop} AND "seq" <> ${seq} AND "payload" <> ''
       AND (${join(tokens.map(contains), " OR ")})`,
    decoder({ seq: int, payload: text }),
  );
  const whole = numbers.map((n) => new RegExp(`(?<![0-9])${n}(?![0-9])`));
  const hits = candidates
    .filter(({ payload }) => {
      const lower = payload.toLowerCase();
      return words.some((w) => lower.includes(w.toLowerCase())) || whole.some((re) => re.test(payload));
    })
    .map((c) => c.seq);
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
