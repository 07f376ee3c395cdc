// Writes the shop's copy: bulk, idempotent upserts shared by every source (webhooks, backfill, the
// CDNOW import, the demo generator), then the CustomerFacts they imply. Every statement is scoped by
// shop. A row older than the one we hold (by Shopify's updatedAt) never overwrites it.
import type { CustomerRow, OrderRow, ProductRow, ShopRow } from "~/domain/rows";
import { epochDayExpr, intDivExpr, type Db, type Executor } from "~/db/database.server";
import { decoder, join, nullable, raw, sql, sqlIn, text } from "~/db/sql";
import { erasures } from "./erasure.server";
import { col, CUSTOMER_COLUMNS, LINE_COLUMNS, ORDER_COLUMNS, PRODUCT_COLUMNS, type Column } from "./store-columns";

// SQLite: rows per INSERT … VALUES, a fixed size so that the statement text repeats and its prepared
// form is reused (the executor caches statements by text), far below SQLite's 32,766 parameters.
// PostgreSQL: one INSERT … SELECT FROM unnest(arrays) per batch, a parameter per column whatever the
// number of rows, so the server parses one short statement instead of thousands of placeholders.
const SQLITE_ROWS_PER_STATEMENT = 250;
const POSTGRES_ROWS_PER_STATEMENT = 5_000;

const idRow = decoder({ id: text });

function chunk<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Full chunks of `size`, then the rest in powers of two (37 rows: 32, 4, 1), so that a multi-row
 * statement comes in a few shapes whose prepared forms the executor reuses: preparing a statement of
 * a few thousand placeholders costs more than running it.
 */
function statementChunks<T>(rows: readonly T[], size: number): T[][] {
  const whole = Math.floor(rows.length / size) * size;
  const out = chunk(rows.slice(0, whole), size);
  let at = whole;
  for (let bit = 1 << 30; bit >= 1; bit >>= 1) {
    if ((rows.length - whole) & bit) {
      out.push(rows.slice(at, at + bit));
      at += bit;
    }
  }
  return out;
}

export type TombstoneKind = "customer" | "order" | "product";

/**
 * One row per id, the newest by updatedAt (the last on a tie): a statement may not update one row
 * twice (PostgreSQL refuses), and a batch may hold two versions of a record.
 */
function latestPerId<R>(rows: readonly R[], columns: Record<string, Column<R>>): readonly R[] {
  const id = columns.id!.get;
  const updatedAt = columns.updatedAt?.get;
  const byId = new Map<unknown, R>();
  for (const row of rows) {
    const key = id(row);
    const held = byId.get(key);
    if (held === undefined || !updatedAt || (updatedAt(row) as Date) >= (updatedAt(held) as Date)) byId.set(key, row);
  }
  return byId.size === rows.length ? rows : [...byId.values()];
}

async function live<R>(
  db: Executor,
  shop: string,
  kind: TombstoneKind | undefined,
  rows: readonly R[],
): Promise<readonly R[]> {
  if (!kind || rows.length === 0) return rows;
  const dead = await tombstoned(db, { shop, kind, ids: rows.map((r) => (r as { id: string }).id) });
  return dead.size === 0 ? rows : rows.filter((r) => !dead.has((r as { id: string }).id));
}

export async function tombstoned(
  db: Executor,
  { shop, kind, ids }: { shop: string; kind: TombstoneKind; ids: readonly string[] },
): Promise<Set<string>> {
  const dead = new Set<string>();
  for (const part of chunk(ids, SQLITE_ROWS_PER_STATEMENT)) {
    const rows = await db.all(
      sql`SELECT "id" FROM "Tombstone" WHERE "shop" = ${shop} AND "kind" = ${kind} AND ${sqlIn(`"id"`, part)}`,
      idRow,
    );
    for (const row of rows) dead.add(row.id);
  }
  return dead;
}

/**
 * Deletes records and leaves tombstones. Customers take their facts with them; orders their lines
 * (and the customers whose facts change are returned, to recompute).
 */
export async function deleteRecords(
  db: Executor,
  { shop, kind, ids, now }: { shop: string; kind: TombstoneKind; ids: readonly string[]; now: Date },
): Promise<{ affectedCustomers: string[] }> {
  if (ids.length === 0) return { affectedCustomers: [] };
  return db.transaction(async (tx) => {
    const affected = new Set<string>();
    for (const part of chunk(ids, SQLITE_ROWS_PER_STATEMENT)) {
      if (kind === "order") {
        const owners = await tx.all(
          sql`SELECT "customerId" FROM "Order" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, part)}`,
          decoder({ customerId: nullable(text) }),
        );
        for (const o of owners) if (o.customerId) affected.add(o.customerId);
      }
      const tables =
        kind === "customer"
          ? [
              ["CustomerFacts", "customerId"],
              ["Customer", "id"],
            ]
          : kind === "order"
            ? [
                ["OrderLine", "orderId"],
                ["Order", "id"],
              ]
            : [["Product", "id"]];
      for (const [table, column] of tables) {
        // Table and column names from the list above, never input.
        await tx.run(sql`DELETE FROM ${raw(`"${table}"`)} WHERE "shop" = ${shop} AND ${sqlIn(`"${column}"`, part)}`);
      }
    }
    await upsert(tx, {
      table: "Tombstone",
      shop,
      rows: ids.map((id) => ({ id })),
      staleGuard: false,
      conflictKey: ["shop", "kind", "id"],
      columns: {
        kind: col<{ id: string }>("text", () => kind),
        id: col<{ id: string }>("text", (r) => r.id),
        deletedAt: col<{ id: string }>("timestamp", () => now),
      },
    });
    return { affectedCustomers: [...affected] };
  });
}

/**
 * INSERT … ON CONFLICT (shop, id) DO UPDATE, guarded by updatedAt when the table has one.
 * Returns the ids that were inserted or updated (a stale row returns nothing).
 */
async function upsert<R>(
  db: Executor,
  options: {
    table: string;
    shop: string;
    rows: readonly R[];
    columns: Record<string, Column<R>>;
    /** Adds a syncedAt column with this value. */
    syncedAt?: Date;
    staleGuard: boolean;
    returnIds?: boolean;
    /** Rows of this kind that were deleted (Tombstone) are never written again. */
    kind?: TombstoneKind;
    conflictKey?: string[];
    /** Only add rows we do not hold yet; never touch an existing one. */
    insertOnly?: boolean;
    /** Columns an update leaves as they are (the payload did not carry them). */
    keepColumns?: readonly string[];
    /** Columns an update sets with an expression of ours instead of `excluded."name"`. */
    updateExpressions?: Readonly<Record<string, string>>;
  },
): Promise<string[]> {
  const rows = await live(db, options.shop, options.kind, latestPerId(options.rows, options.columns));
  const withSync: Record<string, Column<R>> = options.syncedAt
    ? { ...options.columns, syncedAt: col<R>("timestamp", () => options.syncedAt) }
    : options.columns;
  const names = ["shop", ...Object.keys(withSync)];
  const columns = Object.values(withSync);
  const key = options.conflictKey ?? ["shop", "id"];
  const updates = names
    .filter((n) => !key.includes(n) && !options.keepColumns?.includes(n))
    .map((n) => `"${n}" = ${options.updateExpressions?.[n] ?? `excluded."${n}"`}`)
    .join(", ");
  const target = `ON CONFLICT (${key.map((k) => `"${k}"`).join(", ")})`;
  const conflict =
    (options.insertOnly
      ? `${target} DO NOTHING`
      : `${target} DO UPDATE SET ${updates}` +
        (options.staleGuard ? ` WHERE "${options.table}"."updatedAt" <= excluded."updatedAt"` : "")) +
    (options.returnIds ? ` RETURNING "id"` : "");
  // The table's and columns' names are ours (the column lists below), never input.
  const into = raw(`INSERT INTO "${options.table}" (${names.map((n) => `"${n}"`).join(", ")})`);
  const onConflict = raw(conflict);
  const ids: string[] = [];
  const size = db.dialect === "sqlite" ? SQLITE_ROWS_PER_STATEMENT : POSTGRES_ROWS_PER_STATEMENT;
  for (const batch of db.dialect === "sqlite" ? statementChunks(rows, size) : chunk(rows, size)) {
    // The same text for every batch of a size: its prepared form is reused (statementChunks).
    const source =
      db.dialect === "sqlite"
        ? sql`VALUES ${join(batch.map((row) => sql`(${options.shop}, ${join(columns.map((c) => c.get(row)))})`))}`
        : // WHERE true: in `INSERT … SELECT … ON CONFLICT` the parser needs it to tell ON CONFLICT from a join.
          sql`SELECT ${options.shop}::text, u.* FROM unnest(${join(
            columns.map((c) => sql`${batch.map((row) => c.get(row))}::${raw(c.type)}[]`),
          )}) AS u WHERE true`;
    const query = sql`${into} ${source} ${onConflict}`;
    if (options.returnIds) {
      for (const row of await db.all(query, idRow)) ids.push(row.id);
    } else {
      await db.run(query);
    }
  }
  return ids;
}

export async function upsertShop(db: Db, shop: ShopRow & { isDemo?: boolean }): Promise<void> {
  const data = {
    name: shop.name,
    currencyCode: shop.currencyCode,
    ianaTimezone: shop.ianaTimezone,
    isDemo: shop.isDemo ?? false,
  };
  await db.prisma.shop.upsert({
    where: { domain: shop.domain },
    create: { domain: shop.domain, ...data },
    update: { ...data, uninstalledAt: null },
  });
}

/**
 * `insertOnly` is for partial copies of a customer (the one embedded in an order webhook carries fewer
 * fields): it creates a customer we have not heard of yet, and never overwrites the full record.
 * Customers that were erased (customers/redact) are not written again: their ids come back.
 */
export async function upsertCustomers(
  db: Executor,
  {
    shop,
    rows: given,
    now,
    insertOnly = false,
    keep,
  }: {
    shop: string;
    rows: readonly CustomerRow[];
    now: Date;
    insertOnly?: boolean;
    keep?: readonly (keyof CustomerRow)[];
  },
): Promise<{ erased: Set<string> }> {
  const erased = (await erasures(db, { shop, customerIds: given.map((c) => c.id) })).customers;
  const rows = erased.size === 0 ? given : given.filter((c) => !erased.has(c.id));
  // A record that carries tags or a consent sets how new that field is (the webhook clocks below); a
  // partial copy (insertOnly, from an order) carries neither for sure, and sets no clock.
  const kept = new Set<string>(keep ?? []);
  const clocks: Record<string, Column<CustomerRow>> = {};
  if (!insertOnly) {
    if (!kept.has("tags")) clocks.tagsAsOf = col<CustomerRow>("timestamp", (c) => c.updatedAt);
    if (!kept.has("emailMarketingState")) clocks.emailConsentAt = col<CustomerRow>("timestamp", (c) => c.updatedAt);
    if (!kept.has("smsMarketingState")) clocks.smsConsentAt = col<CustomerRow>("timestamp", (c) => c.updatedAt);
  }
  await upsert(db, {
    table: "Customer",
    shop,
    rows,
    staleGuard: true,
    insertOnly,
    keepColumns: keep,
    kind: "customer",
    columns: { ...CUSTOMER_COLUMNS, ...clocks },
    updateExpressions: CONSENT_MOVES_FORWARD,
    syncedAt: now,
  });
  return { erased };
}

/**
 * A whole record's consent replaces what we hold only if it is newer than the consent we hold: the
 * record's own guard (its updatedAt) does not say that, since consent events change the state and its
 * clock without moving updatedAt, and an equal updatedAt passes (a replayed customers/update, or a
 * bulk snapshot taken before an unsubscribe and imported after it, would flip it back). SET sees the
 * row as it was, so the state and its clock test the same old clock.
 */
const forward = (state: string, clock: string) => {
  const newer = `("Customer"."${clock}" IS NULL OR "Customer"."${clock}" < excluded."${clock}")`;
  return {
    [state]: `CASE WHEN ${newer} THEN excluded."${state}" ELSE "Customer"."${state}" END`,
    [clock]: `CASE WHEN ${newer} THEN excluded."${clock}" ELSE "Customer"."${clock}" END`,
  };
};
const CONSENT_MOVES_FORWARD = {
  ...forward("emailMarketingState", "emailConsentAt"),
  ...forward("smsMarketingState", "smsConsentAt"),
};

/**
 * Orders with their lines: a newer order replaces its lines whole; a stale one changes nothing. An
 * order that was redacted, or whose customer was erased, is written without customer and e-mail: the
 * ids of those come back.
 */
export async function upsertOrders(
  db: Executor,
  { shop, rows: given, now }: { shop: string; rows: readonly OrderRow[]; now: Date },
): Promise<{ erased: Set<string> }> {
  const erased = new Set<string>();
  if (given.length === 0) return { erased };
  const found = await erasures(db, {
    shop,
    customerIds: given.flatMap((o) => (o.customerId ? [o.customerId] : [])),
    orderIds: given.map((o) => o.id),
  });
  const rows =
    found.customers.size === 0 && found.orders.size === 0
      ? given
      : given.map((o) => {
          if (!found.orders.has(o.id) && !(o.customerId && found.customers.has(o.customerId))) return o;
          erased.add(o.id);
          return { ...o, customerId: null, email: null };
        });
  await db.transaction(async (tx) => {
    const applied = new Set(
      await upsert(tx, {
        table: "Order",
        shop,
        rows,
        staleGuard: true,
        kind: "order",
        returnIds: true,
        columns: ORDER_COLUMNS,
        syncedAt: now,
      }),
    );
    if (applied.size === 0) return;
    for (const ids of chunk([...applied], SQLITE_ROWS_PER_STATEMENT)) {
      await tx.run(sql`DELETE FROM "OrderLine" WHERE "shop" = ${shop} AND ${sqlIn(`"orderId"`, ids)}`);
    }
    const lines = latestPerId(rows, ORDER_COLUMNS)
      .filter((o) => applied.has(o.id))
      .flatMap((o) => o.lines.map((line) => ({ ...line, orderId: o.id, order: o })));
    await upsert(tx, {
      table: "OrderLine",
      shop,
      rows: lines,
      staleGuard: false,
      columns: LINE_COLUMNS,
    });
  });
  return { erased };
}

export async function upsertProducts(
  db: Executor,
  {
    shop,
    rows,
    now,
    keep,
  }: { shop: string; rows: readonly ProductRow[]; now: Date; keep?: readonly (keyof ProductRow)[] },
): Promise<void> {
  await upsert(db, {
    table: "Product",
    shop,
    rows,
    staleGuard: true,
    keepColumns: keep,
    kind: "product",
    columns: PRODUCT_COLUMNS,
    syncedAt: now,
  });
}

/**
 * Recomputes CustomerFacts from the orders we hold, for the given customers or for the whole shop,
 * in one statement the database runs. Only orders that count (not cancelled, not test) add to spend;
 * refunds reduce it.
 */
export async function recomputeFacts(
  db: Executor,
  { shop, customerIds, now }: { shop: string; customerIds?: readonly string[]; now: Date },
): Promise<void> {
  if (customerIds && customerIds.length === 0) return;
  const batches = customerIds ? chunk([...customerIds], 5_000) : [undefined];
  for (const ids of batches) {
    const filterOrders = ids ? sql` AND ${sqlIn(`o."customerId"`, ids)}` : raw("");
    const filterCustomers = ids ? sql` AND ${sqlIn(`c."id"`, ids)}` : raw("");
    const day = raw(epochDayExpr(db.dialect, `o."processedAt"`));
    const aov = raw(intDivExpr(db.dialect, `2 * a."spent" + a."ordersCount"`, `2 * a."ordersCount"`));
    await db.run(sql`
INSERT INTO "CustomerFacts" ("shop", "customerId", "ordersCount", "cancelledCount", "amountSpentMinor",
  "refundedMinor", "aovMinor", "firstOrderAt", "lastOrderAt", "orderDays", "computedAt")
SELECT c."shop", c."id",
  COALESCE(a."ordersCount", 0), COALESCE(a."cancelledCount", 0), COALESCE(a."spent", 0),
  COALESCE(a."refunded", 0),
  CASE WHEN COALESCE(a."ordersCount", 0) = 0 THEN NULL
       ELSE ${aov} END,
  a."firstOrderAt", a."lastOrderAt", COALESCE(a."orderDays", 0), ${now}
FROM "Customer" c
LEFT JOIN (
  SELECT o."customerId",
    SUM(CASE WHEN o."cancelledAt" IS NULL THEN 1 ELSE 0 END) AS "ordersCount",
    SUM(CASE WHEN o."cancelledAt" IS NULL THEN 0 ELSE 1 END) AS "cancelledCount",
    SUM(CASE WHEN o."cancelledAt" IS NULL THEN o."totalMinor" - o."refundedMinor" ELSE 0 END) AS "spent",
    SUM(CASE WHEN o."cancelledAt" IS NULL THEN o."refundedMinor" ELSE 0 END) AS "refunded",
    MIN(CASE WHEN o."cancelledAt" IS NULL THEN o."processedAt" END) AS "firstOrderAt",
    MAX(CASE WHEN o."cancelledAt" IS NULL THEN o."processedAt" END) AS "lastOrderAt",
    COUNT(DISTINCT CASE WHEN o."cancelledAt" IS NULL THEN ${day} END) AS "orderDays"
  FROM "Order" o
  WHERE o."shop" = ${shop} AND o."test" = false AND o."customerId" IS NOT NULL${filterOrders}
  GROUP BY o."customerId"
) a ON a."customerId" = c."id"
WHERE c."shop" = ${shop}${filterCustomers}
ON CONFLICT ("shop", "customerId") DO UPDATE SET
  "ordersCount" = excluded."ordersCount", "cancelledCount" = excluded."cancelledCount",
  "amountSpentMinor" = excluded."amountSpentMinor", "refundedMinor" = excluded."refundedMinor",
  "aovMinor" = excluded."aovMinor", "firstOrderAt" = excluded."firstOrderAt",
  "lastOrderAt" = excluded."lastOrderAt", "orderDays" = excluded."orderDays",
  "computedAt" = excluded."computedAt"`);
  }
}

/**
 * After a bulk load (seed, import, backfill) the query planner's statistics are stale or missing;
 * without them SQLite walks an index for a whole-shop aggregate instead of scanning the table (8.5 s
 * against 0.5 s over 3.2M orders). SQLite's analysis_limit keeps this to a sample.
 */
export async function refreshPlannerStatistics(
  db: Executor,
  { tables }: { tables?: readonly string[] } = {},
): Promise<void> {
  if (db.dialect === "sqlite") await db.all(sql`PRAGMA analysis_limit = 2000`);
  // Table names are ours, never input.
  for (const table of tables ?? [null]) await db.run(table === null ? sql`ANALYZE` : sql`ANALYZE ${raw(`"${table}"`)}`);
}

/**
 * Serialises writers of one shop's copy until the transaction ends. Two processes applying events of
 * the same shop at once could otherwise each recompute a customer's facts from a snapshot without the
 * other's order, or re-insert an order the other just deleted. PostgreSQL: a transaction-scoped
 * advisory lock per shop (shops still proceed in parallel). SQLite needs nothing: a write transaction
 * already excludes every other writer.
 */
export async function lockShop(tx: Executor, shop: string): Promise<void> {
  if (tx.dialect !== "postgres") return;
  await tx.all(sql`SELECT pg_advisory_xact_lock(hashtext(${`tailored:shop:${shop}`}))`);
}
