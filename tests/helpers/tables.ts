// The shop's copy as plain data, for comparing two runs (sync time stamps left out, and RFM scores,
// which between full passes are placed against cut points taken when the shop's data was partial).
import type { Db } from "~/db/database.server";

export async function snapshot(db: Db, shop: string) {
  const [customers, orders, lines, facts, tombstones] = await Promise.all([
    db.prisma.customer.findMany({ where: { shop }, orderBy: { id: "asc" }, omit: { syncedAt: true } }),
    db.prisma.order.findMany({ where: { shop }, orderBy: { id: "asc" }, omit: { syncedAt: true } }),
    db.prisma.orderLine.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    db.prisma.customerFacts.findMany({
      where: { shop },
      orderBy: { customerId: "asc" },
      omit: { computedAt: true, rfmR: true, rfmF: true, rfmM: true, rfmGroup: true },
    }),
    db.prisma.tombstone.findMany({
      where: { shop },
      orderBy: [{ kind: "asc" }, { id: "asc" }],
      omit: { deletedAt: true },
    }),
  ]);
  return { customers, orders, lines, facts, tombstones };
}
