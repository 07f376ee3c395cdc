// For the privacy tests: webhook payloads about a made-up person (from the Shopify-shaped fixtures, with
// their identity swapped in), and scans of everything Tailored stores — every table the database's
// catalog lists, and every file beside a SQLite database — for strings that must be gone.
import fs from "node:fs";
import path from "node:path";
import type { Db } from "~/db/database.server";
import { bool, decoder, raw, sql, text } from "~/db/sql";
import { ROOT } from "./env";

export type Person = { id: string; email: string; firstName: string; lastName: string; phone: string };

const FIXTURES = path.join(ROOT, "tests", "fixtures", "webhooks");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8");

// What the fixtures say about their one customer, Maya Patel of fixture-shop.
const FIXTURE = {
  shop: "fixture-shop.myshopify.com",
  customerId: "7731250036789",
  addressId: "9123456789012",
  email: "maya.patel@example.com",
  firstName: "Maya",
  lastName: "Patel",
  phones: ["+14165550142", "+16135550142"],
  orderId: "6012345678901",
};

/** The fixture's text with `person` (or nobody's data: null) in place of Maya Patel and `shop` for the shop. */
function swap(text: string, shop: string, person: Person): string {
  let out = text.replaceAll(FIXTURE.shop, shop);
  out = out.replaceAll(FIXTURE.customerId, person.id).replaceAll(FIXTURE.addressId, `${person.id}7`);
  out = out
    .replaceAll(FIXTURE.email, person.email)
    .replaceAll(FIXTURE.firstName, person.firstName)
    .replaceAll(FIXTURE.lastName, person.lastName);
  for (const phone of FIXTURE.phones) out = out.replaceAll(phone, person.phone);
  return out;
}

export const payloads = {
  customer(shop: string, person: Person, updatedAt: string): string {
    const body = JSON.parse(swap(fixture("customers__create"), shop, person)) as Record<string, unknown>;
    return JSON.stringify({ ...body, phone: person.phone, updated_at: updatedAt });
  },
  /** An order by `person` (a guest order with `guestEmail` when person is null). */
  order(
    shop: string,
    orderId: string,
    person: Person | null,
    { updatedAt, guest }: { updatedAt?: string; guest?: Person } = {},
  ): string {
    const who = person ?? guest!;
    const body = JSON.parse(swap(fixture("orders__create"), shop, who).replaceAll(FIXTURE.orderId, orderId)) as Record<
      string,
      unknown
    > & {
      line_items: { id: number; admin_graphql_api_id: string }[];
    };
    body.name = `#${orderId.slice(-4)}`;
    body.line_items = body.line_items.map((line, i) => ({
      ...line,
      id: Number(`${orderId}${i}`),
      admin_graphql_api_id: `gid://shopify/LineItem/${orderId}${i}`,
    }));
    if (!person) body.customer = null;
    if (updatedAt) body.updated_at = updatedAt;
    return JSON.stringify(body);
  },
  tagsAdded: (shop: string, person: Person, tags: string[], occurredAt: string) =>
    JSON.stringify({ ...JSON.parse(swap(fixture("customer.tags_added"), shop, person)), tags, occurredAt }),
  emailConsent: (shop: string, person: Person) =>
    swap(fixture("customers_email_marketing_consent__update"), shop, person),
  smsConsent: (shop: string, person: Person) => swap(fixture("customers_marketing_consent__update"), shop, person),
  dataRequest: (shop: string, person: Person) => swap(fixture("customers__data_request"), shop, person),
  customerRedact: (shop: string, person: Person, ordersToRedact: string[]) =>
    JSON.stringify({
      shop_id: 87654321098,
      shop_domain: shop,
      customer: { id: Number(person.id), email: person.email, phone: person.phone },
      orders_to_redact: ordersToRedact.map(Number),
    }),
  shopRedact: (shop: string) => JSON.stringify({ shop_id: 87654321098, shop_domain: shop }),
  product: (shop: string) => fixture("products__create").replaceAll(FIXTURE.shop, shop),
};

export type Finding = { where: string; needle: string };

/** Lower-cased haystack: ids, e-mail addresses and names are searched for whatever their case. */
function findIn(where: string, haystack: string, needles: readonly string[], out: Finding[]): void {
  const text = haystack.toLowerCase();
  for (const needle of needles) if (text.includes(needle.toLowerCase())) out.push({ where, needle });
}

/**
 * Every row of every table the catalog lists (SQLite: sqlite_schema, with sqlite_stat* and the
 * migrations' own; PostgreSQL: every base table outside the system schemas, and the planner's samples
 * in pg_stats), each value as text.
 */
export async function scanTables(db: Db, needles: readonly string[]): Promise<Finding[]> {
  const found: Finding[] = [];
  if (db.dialect === "sqlite") {
    // Table names from the database's own catalog, as are those below.
    const tables = await db.all(sql`SELECT "name" FROM sqlite_schema WHERE "type" = 'table'`, decoder({ name: text }));
    for (const { name } of tables) {
      const rows = await db.all(sql`SELECT * FROM ${raw(`"${name}"`)}`);
      for (const row of rows) {
        const values = Object.values(row)
          .map((v) => (Buffer.isBuffer(v) ? v.toString("latin1") : String(v)))
          .join("\u0000");
        findIn(name, values, needles, found);
      }
    }
    return found;
  }
  const tables = await db.all(
    sql`SELECT table_schema AS s, table_name AS t FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    decoder({ s: text, t: text }),
  );
  for (const { s, t } of tables) {
    const rows = await db.all(sql`SELECT x::text AS r FROM ${raw(`"${s}"."${t}"`)} x`, decoder({ r: text }));
    for (const { r } of rows) findIn(`${s}.${t}`, r, needles, found);
  }
  // The planner's samples, of tables that still hold rows: PostgreSQL (before 18, which can clear them)
  // keeps a table's last statistics when ANALYZE finds it empty (docs/decisions/013-erasure.md).
  const stats = await db.all(
    sql`SELECT schemaname, tablename, attname, x::text AS r FROM pg_stats x WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    decoder({ schemaname: text, tablename: text, attname: text, r: text }),
  );
  for (const { schemaname, tablename, attname, r } of stats) {
    const [rows] = await db.all(
      sql`SELECT EXISTS (SELECT 1 FROM ${raw(`"${schemaname}"."${tablename}"`)}) AS held`,
      decoder({ held: bool }),
    );
    if (rows?.held) findIn(`pg_stats ${tablename}.${attname}`, r, needles, found);
  }
  return found;
}

/** Every file under `dir` (the database, its -wal and -shm, the webhook journal), as raw bytes. */
export function scanFiles(dir: string, needles: readonly string[]): Finding[] {
  const found: Finding[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      // A journal file deleted between listing and reading holds nothing any more.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    findIn(entry.name, bytes.toString("latin1"), needles, found);
  }
  return found;
}

export async function eventually<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  { timeoutMs = 15_000, everyMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
