// Recommendations from the command line: what the storefront would show given customers, one JSON
// line each (the lists as stored; --refresh recomputes the shop's lists first).
import fs from "node:fs";
import type { Db } from "~/db/database.server";
import { parseNow, positiveInt, requireShop, str, UsageError, type CliCommand } from "../command";

const recommend: CliCommand = {
  name: "recommend",
  usage: `  recommend --shop DOMAIN (--customer ID | --customers-file FILE) [--limit K] [--refresh] [--now ISO] [--json]
        the products recommended to each customer (K, 1-24, default 10), one line each: with --json
        {"customer": "<id>", "products": ["<product id>", ...]}; the file holds one customer id a line;
        --refresh recomputes the shop's lists first (alone: only that)`,
  options: {
    shop: { type: "string" },
    customer: { type: "string" },
    "customers-file": { type: "string" },
    limit: { type: "string" },
    refresh: { type: "boolean", default: false },
    now: { type: "string" },
  },
  database: "write",
  check: (values) => {
    requireShop(values.shop);
    customerIdsFrom(values, { read: false });
    limitFrom(values.limit);
  },
  async run({ db, values, out }) {
    const shop = requireShop(values.shop);
    const customerIds = customerIdsFrom(values, { read: true });
    const limit = limitFrom(values.limit);
    const now = parseNow(values.now);
    if (values.refresh) {
      const { refreshRecommendations } = await import("~/models/recommendations-refresh.server");
      const result = await refreshRecommendations(db, { shop, now });
      if (customerIds.length === 0) {
        out.print(
          { shop, refreshed: { ...result, ms: Math.round(result.ms) } },
          `refreshed ${result.lists} lists (${result.customers} customers, ${result.items} products, ${result.model}) in ${(result.ms / 1000).toFixed(1)} s`,
        );
      } else if (!out.json) {
        console.log(
          `refreshed ${result.lists} lists (${result.customers} customers, ${result.items} products, ${result.model}) in ${(result.ms / 1000).toFixed(1)} s`,
        );
      }
    }
    for (const { customer, products } of await recommendFor(db, { shop, customerIds, limit, now })) {
      out.print({ customer, products }, `${customer}\t${products.join(",")}`);
    }
    return 0;
  },
};

function limitFrom(value: string | boolean | undefined): number {
  const limit = positiveInt("limit", value, 10);
  if (limit < 1 || limit > 24) throw new UsageError(`--limit must be from 1 to 24, got ${limit}`);
  return limit;
}

const CUSTOMER_ID = /^[1-9][0-9]{0,19}$/;

/** The customer ids asked for: --customer, or the file's lines (blank lines skipped). */
function customerIdsFrom(values: Record<string, string | boolean | undefined>, { read }: { read: boolean }): string[] {
  const one = str(values, "customer");
  const file = str(values, "customers-file");
  if (one === undefined && file === undefined && values.refresh === true) return []; // refresh only
  if ((one === undefined) === (file === undefined)) {
    throw new UsageError("recommend needs exactly one of --customer ID and --customers-file FILE (or only --refresh)");
  }
  if (one !== undefined) {
    if (!CUSTOMER_ID.test(one)) throw new UsageError(`--customer must be a numeric Shopify customer id, got "${one}"`);
    return [one];
  }
  if (!read) return [];
  let content: string;
  try {
    content = fs.readFileSync(file!, "utf8");
  } catch (error) {
    throw new UsageError(`--customers-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const ids: string[] = [];
  for (const [n, raw] of content.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "") continue;
    if (!CUSTOMER_ID.test(line)) {
      throw new UsageError(`--customers-file line ${n + 1}: not a numeric Shopify customer id: "${line.slice(0, 40)}"`);
    }
    ids.push(line);
  }
  return ids;
}

/**
 * Each customer's products as the storefront would get them: with their segments; a customer the shop
 * does not have is served as an anonymous visitor.
 */
export async function recommendFor(
  db: Db,
  { shop, customerIds, limit, now }: { shop: string; customerIds: readonly string[]; limit: number; now: Date },
): Promise<{ customer: string; products: string[] }[]> {
  const { recommendedProducts } = await import("~/models/recommendations.server");
  const { decoder, sql, sqlIn, text } = await import("~/db/sql");
  const known = new Map<string, number[]>();
  const unique = [...new Set(customerIds)];
  for (let i = 0; i < unique.length; i += 500) {
    for (const row of await db.all(
      sql`SELECT "id", "segmentIds" FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, unique.slice(i, i + 500))}`,
      decoder({ id: text, segmentIds: text }),
    ))
      known.set(row.id, row.segmentIds.split(",").filter(Boolean).map(Number));
  }
  const out: { customer: string; products: string[] }[] = [];
  for (const customer of customerIds) {
    const segmentIds = known.get(customer);
    const products = await recommendedProducts(db, {
      shop,
      customerId: segmentIds ? customer : null,
      productId: null,
      segmentIds: segmentIds ?? [],
      limit,
      now,
    });
    out.push({ customer, products: products.map((p) => p.id) });
  }
  return out;
}

export const recommendCommands: CliCommand[] = [recommend];
