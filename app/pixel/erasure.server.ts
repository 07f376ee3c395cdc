// What customers/redact removes of the pixel's data (called by app/models/erasure.server.ts inside its
// transaction): the customer's events, the events of every visitor (clientId) linked to them, anonymous
// ones from before the link included, and the links. shop/redact deletes the shop's rows in every
// table through SHOP_TABLES.
import type { Executor } from "~/db/database.server";
import { decoder, nullable, sql, sqlIn, text } from "~/db/sql";
import { customersOf, lockActivity, refreshActivity } from "./activity.server";

export async function erasePixelData(
  tx: Executor,
  { shop, customerIds }: { shop: string; customerIds: readonly string[] },
): Promise<void> {
  if (customerIds.length === 0) return;
  await lockActivity(tx, shop);
  const gone = decoder({ customerId: nullable(text) });
  // A linked browser's events may be another customer's (a shared device: the link moved to the erased
  // one later): theirs go too, and their PixelActivity follows.
  const ofBrowsers = await tx.all(
    sql`DELETE FROM "PixelEvent" WHERE "shop" = ${shop} AND "clientId" IN (
       SELECT "clientId" FROM "PixelVisitor" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)})
     RETURNING "customerId"`,
    gone,
  );
  await tx.run(sql`DELETE FROM "PixelEvent" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`);
  await tx.run(sql`DELETE FROM "PixelVisitor" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, customerIds)}`);
  // The erased customers have no event left: their rows go.
  await refreshActivity(tx, { shop, customerIds: [...customerIds, ...customersOf(ofBrowsers)] });
}
