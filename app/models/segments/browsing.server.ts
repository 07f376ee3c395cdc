// Customers' Web Pixel events as the in-memory evaluator reads them (Subject.events,
// app/domain/segments/engine/behaviour.ts), for the customers an event touched or the whole shop.
import type { Executor } from "~/db/database.server";
import { date, decoder, nullable, raw, reused, sql, sqlIn, text } from "~/db/sql";
import { normalizeTags } from "~/domain/rows";
import type { BrowseEvent } from "~/domain/segments/engine";

export async function browsingOf(
  db: Executor,
  { shop, ids }: { shop: string; ids?: readonly string[] },
): Promise<Map<string, BrowseEvent[]>> {
  const rows = await db.all(
    reused(
      sql`SELECT pe."customerId", pe."name", pe."at", pe."sessionId", pe."productId", pe."productType", pe."vendor",
       pe."collectionId", pe."query", pr."tags" AS "productTags"
     FROM "PixelEvent" pe
     LEFT JOIN "Product" pr ON pr."shop" = pe."shop" AND pr."id" = pe."productId"
     WHERE pe."shop" = ${shop} AND pe."customerId" IS NOT NULL${ids ? sql` AND ${sqlIn(`pe."customerId"`, ids)}` : raw("")}`,
      ids !== undefined,
    ),
    decoder({
      customerId: text,
      name: text,
      at: date,
      sessionId: nullable(text),
      productId: nullable(text),
      productType: nullable(text),
      vendor: nullable(text),
      collectionId: nullable(text),
      query: nullable(text),
      productTags: nullable(text),
    }),
  );
  const byCustomer = new Map<string, BrowseEvent[]>();
  for (const { customerId, productTags, at, ...event } of rows) {
    const list = byCustomer.get(customerId) ?? [];
    list.push({ ...event, at: at!, productTags: productTags ? normalizeTags(productTags) : [] });
    byCustomer.set(customerId, list);
  }
  return byCustomer;
}
