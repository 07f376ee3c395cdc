// Erasure: what customers/redact and shop/redact do to everything Tailored keeps
// (docs/decisions/013-erasure.md, docs/PRIVACY.md). Both run inside the webhook processor's
// transaction, so the erasure and the redact's "done" commit together; `scrubStorage` then runs after
// the commit, so that neither the database's free space, its WAL, nor the planner's samples keep what
// was erased.
import { createHmac } from "node:crypto";
import { Sql, toNumber, type Executor } from "~/db/database.server";

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
  const s0 = new Sql(db.dialect);
  const [any] = await db.all(
    s0,
    `SELECT 1 AS x FROM "Tombstone" WHERE "shop" = ${s0.p(shop)} AND "kind" IN (${s0.p(ERASED_CUSTOMER)}, ${s0.p(ERASED_ORDER)}) LIMIT 1`,
  );
  if (!any) return found;
  const byHash = new Map<string, string>();
  for (const id of new Set(customerIds)) for (const key of hashKeys()) byHash.set(erasedCustomerKey(shop, id, key), id);
  const orders = [...new Set(orderIds)];
  for (let i = 0; i < Math.max(byHash.size, orders.length); i += 250) {
    const hashes = [...byHash.keys()].slice(i, i + 250);
    const part = orders.slice(i, i + 250);
    const sql = new Sql(db.dialect);
    const rows = await db.all<{ kind: string; id: string }>(
      sql,
      `SELECT "kind", "id" FROM "Tombstone" WHERE "shop" = ${sql.p(shop)} AND (
         ("kind" = ${sql.p(ERASED_CUSTOMER)} AND ${sql.in(`"id"`, hashes)}) OR ("kind" = ${sql.p(ERASED_ORDER)} AND ${sql.in(`"id"`, part)}))`,
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
    const sql = new Sql(tx.dialect);
    await tx.run(
      sql,
      `INSERT INTO "Tombstone" ("shop", "kind", "id", "deletedAt") VALUES (${sql.p(shop)}, ${sql.p(kind)}, ${sql.p(id)}, ${sql.p(now)})
       ON CONFLICT ("shop", "kind", "id") DO NOTHING`,
    );
  }
}

async function column(tx: Executor, text: (sql: Sql) => string): Promise<string[]> {
  const sql = new Sql(tx.dialect);
  return (await tx.all(sql, text(sql))).map((row) => String(Object.values(row)[0]));
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
      (sql) =>
        `SELECT "id" FROM "Customer" WHERE "shop" = ${sql.p(shop)} AND "email" IN (${sql.p(email)}, ${sql.p(email.toLowerCase())})`,
    ))
      ids.add(id);
  }
  const customerIds = [...ids];
  const emails = new Set(email ? [email.toLowerCase()] : []);
  for (const held of await column(
    tx,
    (sql) =>
      `SELECT "email" FROM "Customer" WHERE "shop" = ${sql.p(shop)} AND ${sql.in(`"id"`, customerIds)} AND "email" IS NOT NULL`,
  )) {
    emails.add(held.toLowerCase());
  }
  const orders = new Set(orderIds);
  for (const id of await column(
    tx,
    (sql) => `SELECT "id" FROM "Order" WHERE "shop" = ${sql.p(shop)} AND ${sql.in(`"customerId"`, customerIds)}`,
  ))
    orders.add(id);

  const run = async (text: (sql: Sql) => string) => {
    const sql = new Sql(tx.dialect);
    return tx.run(sql, text(sql));
  };
  const orderList = [...orders];
  for (let i = 0; i < orderList.length; i += 250) {
    const part = orderList.slice(i, i + 250);
    await run(
      (sql) =>
        `UPDATE "Order" SET "customerId" = NULL, "email" = NULL WHERE "shop" = ${sql.p(shop)} AND ${sql.in(`"id"`, part)}`,
    );
  }
  const s1 = new Sql(tx.dialect);
  const memberships = await tx.all(
    s1,
    `SELECT "segmentId", COUNT(*) AS n FROM "SegmentMember" WHERE "shop" = ${s1.p(shop)} AND ${s1.in(`"customerId"`, customerIds)} GROUP BY "segmentId"`,
  );
  for (const m of memberships) {
    await run(
      (sql) =>
        `UPDATE "Segment" SET "memberCount" = "memberCount" - ${sql.p(toNumber(m.n))} WHERE "shop" = ${sql.p(shop)} AND "id" = ${sql.p(toNumber(m.segmentId))}`,
    );
  }
  // Their history goes too: sizes over time then read as if they had never been members, consistently
  // with the size now (segmentDetail counts back from memberCount through the events).
  for (const table of ["SegmentMember", "SegmentEvent", "CustomerFacts"] as const) {
    await run(
      (sql) => `DELETE FROM "${table}" WHERE "shop" = ${sql.p(shop)} AND ${sql.in(`"customerId"`, customerIds)}`,
    );
  }
  await run((sql) => `DELETE FROM "Customer" WHERE "shop" = ${sql.p(shop)} AND ${sql.in(`"id"`, customerIds)}`);
  // A customers/delete left a tombstone with the id itself: the hashed one takes its place.
  await run(
    (sql) =>
      `DELETE FROM "Tombstone" WHERE "shop" = ${sql.p(shop)} AND "kind" = 'customer' AND ${sql.in(`"id"`, customerIds)}`,
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
  const sql = new Sql(tx.dialect);
  const contains = (token: string) =>
    tx.dialect === "sqlite"
      ? `instr(lower("payload"), ${sql.p(token)}) > 0`
      : `strpos(lower("payload"), ${sql.p(token)}) > 0`;
  const candidates = await tx.all<{ seq: unknown; payload: string }>(
    sql,
    `SELECT "seq", "payload" FROM "WebhookEvent" WHERE "shop" = ${sql.p(shop)} AND "seq" <> ${sql.p(seq)} AND "payload" <> ''
       AND (${tokens.map(contains).join(" OR ")})`,
  );
  const whole = numbers.map((n) => new RegExp(`(?<![0-9])${n}(?![0-9])`));
  const hits = candidates
    .filter(({ payload }) => {
      const lower = payload.toLowerCase();
      return words.some((w) => lower.includes(w.toLowerCase())) || whole.some((re) => re.test(payload));
    })
    .map((c) => toNumber(c.seq));
  for (let i = 0; i < hits.length; i += 250) {
    const update = new Sql(tx.dialect);
    await tx.run(
      update,
      `UPDATE "WebhookEvent" SET "payload" = '', "lockedUntil" = NULL,
         "error" = CASE WHEN "status" = 'done' THEN "error" ELSE 'erased (customers/redact) before it was applied' END,
         "processedAt" = COALESCE("processedAt", ${update.p(now)}), "status" = 'done'
       WHERE ${update.in(`"seq"`, hits.slice(i, i + 250))}`,
    );
  }
}

/** shop/redact: every row of the shop, in every table — its session and token, and this delivery too. */
export async function eraseShop(tx: Executor, { shop }: { shop: string }): Promise<void> {
  for (const table of SHOP_TABLES) {
    const sql = new Sql(tx.dialect);
    await tx.run(sql, `DELETE FROM "${table}" WHERE "shop" = ${sql.p(shop)}`);
  }
  const sql = new Sql(tx.dialect);
  await tx.run(sql, `DELETE FROM "Shop" WHERE "domain" = ${sql.p(shop)}`);
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
  for (const table of new Set(tables)) await db.run(new Sql(db.dialect), `ANALYZE "${table}"`);
  if (!db.truncateWal) return true;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    if (await db.truncateWal(100)) return true;
  }
  return false;
}
