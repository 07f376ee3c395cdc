// The shop's own values for segment rules (app/domain/segments/vocabulary.ts says what they are for):
// read from the synced copy, most used first, capped, and kept for a minute per shop so that typing
// in the builder or the editor does not scan a million customers per key stroke. Only aggregate
// values are read (a tag, a city and how many customers have it), never who has them; after an erasure
// a cached count may still include the erased customer for up to that minute, never their identity.
import type { Executor } from "~/db/database.server";
import { decoder, int, nullable, raw, sql, text, type SqlQuery } from "~/db/sql";
import { cityCode } from "~/domain/segments/evaluate";
import {
  checkVocabulary,
  matchVocabulary,
  type VocabularyCheck,
  type VocabularyEntry,
  type VocabularyKind,
} from "~/domain/segments/vocabulary";

/** At most this many distinct values of a kind are kept (the most used). */
export const VOCABULARY_CAP = 2_000;
/** Distinct tag lists read to count single tags (a tag list is one string per customer). */
const TAG_LISTS_READ = 20_000;
const TTL_MS = 60_000;
const PRODUCT_MATCHES = 50;

// The promise is kept, so that key strokes arriving while a shop's list is first read share one read.
type Cached = { at: number; entries: Promise<VocabularyEntry[]> };
const cache = new Map<string, Cached>();

/** Forget a shop's cached values (its data was erased, or a test wants fresh reads). */
export function forgetVocabulary(shop?: string): void {
  if (shop === undefined) cache.clear();
  else for (const key of cache.keys()) if (key.startsWith(`${shop}\u0000`)) cache.delete(key);
}

/** The shop's values of a kind that match what the merchant typed, most used first. */
export async function suggestValues(
  db: Executor,
  {
    shop,
    kind,
    typed = "",
    limit = 20,
    now = Date.now(),
  }: {
    shop: string;
    kind: VocabularyKind;
    typed?: string;
    limit?: number;
    now?: number;
  },
): Promise<VocabularyEntry[]> {
  const capped = Math.max(1, Math.min(limit, 100));
  // A shop may have more products than the cap: titles are searched in the database instead.
  if (kind === "product") return searchProducts(db, shop, typed.slice(0, 100), capped);
  return matchVocabulary(await values(db, shop, kind, now), typed.slice(0, 100), capped);
}

/** Whether the shop has a value (as the engines compare it), or the nearest one it has. */
export async function checkValue(
  db: Executor,
  { shop, kind, value, now = Date.now() }: { shop: string; kind: VocabularyKind; value: string; now?: number },
): Promise<VocabularyCheck> {
  if (kind === "product") {
    const rows = await db.all(
      sql`SELECT "id" AS value, "title" AS label FROM "Product" WHERE "shop" = ${shop} AND "id" = ${value.trim()}`,
      decoder({ value: text, label: text }),
    );
    return rows[0] ? { found: true, entry: { ...rows[0], count: 1 } } : { found: false };
  }
  return checkVocabulary(kind, await values(db, shop, kind, now), value);
}

async function values(db: Executor, shop: string, kind: VocabularyKind, now: number): Promise<VocabularyEntry[]> {
  const key = `${shop}\u0000${kind}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < TTL_MS) return hit.entries;
  const entries = read(db, shop, kind);
  cache.set(key, { at: now, entries });
  // A failed read is not remembered: the next key stroke tries again.
  entries.catch(() => {
    if (cache.get(key)?.entries === entries) cache.delete(key);
  });
  return entries;
}

const counted = decoder({ value: nullable(text), n: int });

async function grouped(db: Executor, query: SqlQuery): Promise<{ value: string; n: number }[]> {
  const rows = await db.all(query, counted);
  return rows.filter((r): r is { value: string; n: number } => r.value !== null && r.value.trim() !== "");
}

/** How many of the shop's rows have each value of one column (table and column are ours, never input). */
function distinct(db: Executor, shop: string, table: string, column: string): Promise<{ value: string; n: number }[]> {
  return grouped(
    db,
    sql`SELECT ${raw(`"${column}"`)} AS value, COUNT(*) AS n FROM ${raw(`"${table}"`)} WHERE "shop" = ${shop}
        AND ${raw(`"${column}"`)} IS NOT NULL GROUP BY ${raw(`"${column}"`)} ORDER BY n DESC LIMIT ${VOCABULARY_CAP}`,
  );
}

function ranked(entries: VocabularyEntry[]): VocabularyEntry[] {
  return entries.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)).slice(0, VOCABULARY_CAP);
}

/** Comma lists ("a,b,c", as Customer.tags and Product.tags are stored) counted per single tag. */
function splitTags(rows: { value: string; n: number }[]): VocabularyEntry[] {
  const counts = new Map<string, VocabularyEntry>();
  for (const row of rows) {
    for (const tag of row.value.split(",")) {
      const t = tag.trim();
      if (t === "") continue;
      // Tags compare ignoring case: one entry per spelling-insensitive tag, the first spelling seen.
      const k = t.toLowerCase();
      const entry = counts.get(k) ?? { value: t, label: t, count: 0 };
      entry.count += row.n;
      counts.set(k, entry);
    }
  }
  return ranked([...counts.values()]);
}

async function read(db: Executor, shop: string, kind: VocabularyKind): Promise<VocabularyEntry[]> {
  switch (kind) {
    case "customer_tag":
      return splitTags(
        await grouped(
          db,
          sql`SELECT "tags" AS value, COUNT(*) AS n FROM "Customer" WHERE "shop" = ${shop} AND "tags" <> ''
              GROUP BY "tags" ORDER BY n DESC LIMIT ${TAG_LISTS_READ}`,
        ),
      );
    case "product_tag":
      return splitTags(
        await grouped(
          db,
          sql`SELECT "tags" AS value, COUNT(*) AS n FROM "Product" WHERE "shop" = ${shop} AND "tags" <> ''
              GROUP BY "tags" ORDER BY n DESC LIMIT ${TAG_LISTS_READ}`,
        ),
      );
    case "country":
      return plain(await distinct(db, shop, "Customer", "countryCode"));
    case "region":
      return plain(
        await grouped(
          db,
          sql`SELECT "countryCode" || '-' || "provinceCode" AS value, COUNT(*) AS n FROM "Customer"
              WHERE "shop" = ${shop} AND "countryCode" IS NOT NULL AND "provinceCode" IS NOT NULL
              GROUP BY "countryCode", "provinceCode" ORDER BY n DESC LIMIT ${VOCABULARY_CAP}`,
        ),
      );
    case "city":
      return cities(db, shop);
    case "product_type":
      return plain(await distinct(db, shop, "Product", "productType"));
    case "vendor":
      return plain(await distinct(db, shop, "Product", "vendor"));
    case "collection":
      // Tailored knows collections only by id, from what the Web Pixel saw shoppers view.
      return plain(await distinct(db, shop, "PixelEvent", "collectionId"));
    case "cluster":
      return plain(await distinct(db, shop, "CustomerPrediction", "clusterName"));
    case "product":
      return [];
  }
}

/** Values whose spelling differs only in case are one entry (the engines compare them ignoring case). */
function plain(rows: { value: string; n: number }[]): VocabularyEntry[] {
  const merged = new Map<string, VocabularyEntry>();
  for (const row of rows) {
    const value = row.value.trim();
    const k = value.toLowerCase();
    const entry = merged.get(k) ?? { value, label: value, count: 0 };
    entry.count += row.n;
    merged.set(k, entry);
  }
  return ranked([...merged.values()]);
}

/** City codes as Shopify writes them ('US-NY-NewYorkCity'), labelled as a merchant reads them. */
async function cities(db: Executor, shop: string): Promise<VocabularyEntry[]> {
  const rows = await db.all(
    sql`SELECT "countryCode" AS country, "provinceCode" AS province, "city" AS city, COUNT(*) AS n
        FROM "Customer" WHERE "shop" = ${shop} AND "countryCode" IS NOT NULL AND "city" IS NOT NULL
        GROUP BY "countryCode", "provinceCode", "city" ORDER BY n DESC LIMIT ${VOCABULARY_CAP * 2}`,
    decoder({ country: text, province: nullable(text), city: text, n: int }),
  );
  const merged = new Map<string, VocabularyEntry>();
  for (const row of rows) {
    const code = cityCode(row.city.trim());
    if (code === "") continue;
    const value = row.province ? `${row.country}-${row.province}-${code}` : `${row.country}-${code}`;
    const k = value.toLowerCase();
    const label = [row.city.trim(), row.province, row.country].filter(Boolean).join(", ");
    const entry = merged.get(k) ?? { value, label, count: 0 };
    entry.count += row.n;
    merged.set(k, entry);
  }
  return ranked([...merged.values()]);
}

/** Products by title (or id), for the product picker: active ones first, then by title. */
async function searchProducts(db: Executor, shop: string, typed: string, limit: number): Promise<VocabularyEntry[]> {
  const needle = typed.trim().toLowerCase();
  const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db.all(
    sql`SELECT "id" AS value, "title" AS label, "status" AS status FROM "Product" WHERE "shop" = ${shop}
        AND (LOWER("title") LIKE ${like} ESCAPE '\\' OR "id" = ${needle})
        ORDER BY CASE WHEN "status" = 'ACTIVE' THEN 0 ELSE 1 END, "title", "id" LIMIT ${Math.min(limit, PRODUCT_MATCHES)}`,
    decoder({ value: text, label: text, status: text }),
  );
  return rows.map((r) => ({
    value: r.value,
    label: r.status === "ACTIVE" ? r.label : `${r.label} (${r.status.toLowerCase()})`,
    count: 1,
  }));
}
