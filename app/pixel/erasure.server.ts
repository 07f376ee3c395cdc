// What customers/redact removes of the pixel's data (called by app/models/erasure.server.ts inside its
// transaction): the customer's events, the events of every visitor (clientId) linked to them, anonymous
// ones from before the link included, and the links. shop/redact deletes the shop's rows in every
// table through SHOP_TABLES.
import type { Executor } from "~/db/database.server";
import { sql, sqlIn } from "~/db/sql";

export async function erasePixelData(
  tx: Executor,
  { shop, customerIds }: { shop: string; customerIds: readonly string[] },
): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.run(
    sql`DELETE FROM "PixelEvent" WHERE "shop" = ${shop} AND "clientId" IN (
       SELECT "clientId" FROM "PixelVisitor" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)})`,
  );
  await tx.run(sql`DELETE FROM "PixelEvent" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`);
  await tx.run(sql`DELETE FROM "PixelVisitor" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`);
}
