// Seeds the demo shop from the generator, streamed: customers and their orders are written in batches
// and never held all at once, so a million customers fit in a small, flat amount of memory.
import type { Db } from "~/db/database.server";
import { raw, sql } from "~/db/sql";
import { refreshRfm } from "~/models/rfm.server";
import { demoCustomers, demoProducts, demoShop, type DemoOptions } from "~/demo/generator";
import type { CustomerRow, OrderRow } from "~/domain/rows";
import {
  recomputeFacts,
  refreshPlannerStatistics,
  upsertCustomers,
  upsertOrders,
  upsertProducts,
  upsertShop,
} from "~/models/store.server";

export type SeedResult = { customers: number; orders: number; products: number };

const BATCH = 1_000; // customers per transaction

export async function seedDemoShop(
  db: Db,
  options: DemoOptions & { onProgress?: (customersDone: number) => void },
): Promise<SeedResult> {
  const shop = options.shopDomain;
  const now = options.now;
  await upsertShop(db, { ...demoShop(options), domain: shop, isDemo: true });
  const products = demoProducts(options);
  await upsertProducts(db, { shop, rows: products, now });

  let customers: CustomerRow[] = [];
  let orders: OrderRow[] = [];
  let customerCount = 0;
  let orderCount = 0;
  const flush = async () => {
    await db.transaction(async (tx) => {
      await upsertCustomers(tx, { shop, rows: customers, now });
      await upsertOrders(tx, { shop, rows: orders, now });
    });
    customers = [];
    orders = [];
    options.onProgress?.(customerCount);
  };
  for (const generated of demoCustomers(options)) {
    customers.push(generated.customer);
    for (const order of generated.orders) orders.push(order);
    customerCount += 1;
    orderCount += generated.orders.length;
    if (customers.length >= BATCH) await flush();
  }
  if (customers.length > 0) await flush();
  await recomputeFacts(db, { shop, now });
  await refreshRfm(db, { shop });
  await refreshPlannerStatistics(db);
  return { customers: customerCount, orders: orderCount, products: products.length };
}

/** Removes a shop's customers, orders and products (used before re-seeding the demo shop). */
export async function clearShopData(db: Db, { shop }: { shop: string }): Promise<void> {
  await db.transaction(async (tx) => {
    for (const table of ["CustomerFacts", "OrderLine", "Order", "Customer", "Product"]) {
      await tx.run(sql`DELETE FROM ${raw(`"${table}"`)} WHERE "shop" = ${shop}`);
    }
  });
}
