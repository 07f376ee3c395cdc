// Saved segments: create, read, edit, delete and list them, and the shop's lifecycle thresholds they
// may speak of. Every save is checked before it writes and computed at once (recompute.server.ts);
// a save whose computation fails leaves the segment as it was (decision 014).
import type { Db, Executor } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import { DEFAULT_LIFECYCLE, prepare, type EngineContext, type LifecycleThresholds } from "~/domain/segments/engine";
import type { Rule } from "~/domain/segments/rule";
import { isSegmentId } from "~/domain/segments/segment-id";
import { lockShop } from "~/models/store.server";
import { compileSql } from "./compile-sql";
import { SegmentRuleError } from "./errors";
import { MAX_COMPUTES_PER_SHOP, withComputeSlot } from "./slots.server";
import { recomputeSegment, recomputeSegments } from "./recompute.server";
import { parseQuery, readsAttribute, shopContext, storedRuleOrNull } from "./rules.server";

// ---------------------------------------------------------------------------------------------
// Saved segments and their materialised members.

export type SegmentRow = {
  id: number;
  name: string;
  query: string;
  template: string | null;
  memberCount: number;
  lastComputedAt: Date | null;
  /** Why the last recompute could not compute it; null when it could. */
  computeError: string | null;
  createdAt: Date;
  /** Entered minus left over the last 7 days. */
  change7d: number;
  /** Created within the last 7 days: "New" rather than a change since before it existed. */
  isNew: boolean;
};

/**
 * What a save checks before it writes anything: the query parses within the limits, prepares for
 * the shop, and compiles to SQL. A failure throws SegmentRuleError with where the query is wrong.
 */
function checkForSave(dialect: Executor["dialect"], query: string, ctx: EngineContext): Rule {
  const checked = parseQuery(query, ctx);
  if (!checked.ok) throw new SegmentRuleError(checked.error);
  const prepared = prepare(checked.rule, ctx);
  if (!prepared.ok) throw new SegmentRuleError(prepared.error);
  compileSql(prepared.prepared, dialect).render(dialect);
  return checked.rule;
}

/**
 * Saves a segment and computes its members. All or nothing: the query is checked and compiled first,
 * and if the first computation fails (a statement the database refuses or stops at its time bound),
 * the segment is removed again with whatever members and events it had been given, and the error
 * thrown (SegmentRuleError, or SegmentTimeoutError).
 */
export async function createSegment(
  db: Db,
  {
    shop,
    name,
    query,
    template = null,
    now,
  }: { shop: string; name: string; query: string; template?: string | null; now: Date },
): Promise<number> {
  const ctx = await shopContext(db, { shop, now });
  const rule = checkForSave(db.dialect, query, ctx);
  // The slot is taken before anything is written: a save that finds the shop busy leaves no trace.
  return withComputeSlot(shop, busy("saved"), async () => {
    const created = await db.prisma.segment.create({
      data: { shop, name, query, rule: JSON.stringify(rule), template, createdAt: now, updatedAt: now },
      select: { id: true },
    });
    try {
      await recomputeSegment(db, { shop, segmentId: created.id, ctx });
    } catch (error) {
      // On SQLite the computation commits chunk by chunk (decision 007), so some members may be written.
      // If even the removal fails the database is gone; the original error says more than its own.
      await deleteSegment(db, { shop, id: created.id }).catch(() => false);
      throw error;
    }
    return created.id;
  });
}

/** One saved segment as the editor shows it; null when the shop has no such segment. */
export async function getSegment(
  db: Db,
  { shop, id }: { shop: string; id: number },
): Promise<{ id: number; name: string; query: string } | null> {
  if (!isSegmentId(id)) return null;
  return db.prisma.segment.findFirst({ where: { shop, id }, select: { id: true, name: true, query: true } });
}

/**
 * A new name and query for a saved segment. A bad query throws SegmentRuleError before anything is
 * written; a good one is stored and the members recomputed at once, so who entered and who left
 * because of the edit is recorded as events like any other change. If that computation fails, the
 * segment is put back as it was (its members recomputed by the old rule) and the error thrown. Null
 * when the segment is not the shop's.
 */
export async function updateSegment(
  db: Db,
  { shop, id, name, query, now }: { shop: string; id: number; name: string; query: string; now: Date },
): Promise<{ id: number; entered: number; left: number; members: number } | null> {
  if (!isSegmentId(id)) return null;
  const ctx = await shopContext(db, { shop, now });
  const rule = checkForSave(db.dialect, query, ctx);
  const previous = await db.prisma.segment.findFirst({
    where: { shop, id },
    select: { name: true, query: true, rule: true, updatedAt: true },
  });
  if (!previous) return null;
  const store = (definition: { name: string; query: string; rule: string; updatedAt: Date }) =>
    db.transaction(async (tx) => {
      // The per-event path reads rules under the same lock: it sees the old rule or the new one, never half.
      await lockShop(tx, shop);
      return tx.run(
        sql`UPDATE "Segment" SET "name" = ${definition.name}, "query" = ${definition.query}, "rule" = ${definition.rule},
           "updatedAt" = ${definition.updatedAt} WHERE "shop" = ${shop} AND "id" = ${id}`,
      );
    });
  return withComputeSlot(shop, busy("saved"), async () => {
    if ((await store({ name, query, rule: JSON.stringify(rule), updatedAt: now })) === 0) return null;
    try {
      return { id, ...(await recomputeSegment(db, { shop, segmentId: id, ctx })) };
    } catch (error) {
      // Members the new rule already moved (SQLite commits chunk by chunk) move back; if the old rule
      // cannot be computed now either, the recompute marks the segment for the list rather than throw.
      await store(previous);
      await recomputeSegments(db, { shop, ctx, segmentIds: [id] });
      throw error;
    }
  });
}

const busy = (what: string) =>
  `This shop is already computing ${MAX_COMPUTES_PER_SHOP} segments or previews: nothing was ${what}; try again in a moment`;

/** Removes a segment with its members and its history; false when the shop has no such segment. */
export async function deleteSegment(db: Db, { shop, id }: { shop: string; id: number }): Promise<boolean> {
  return (await deleteSegments(db, { shop, ids: [id] })).length === 1;
}

/**
 * Removes segments with their members and history in one transaction (the list's bulk delete): all
 * of them or, if anything fails, none. Ids that are not the shop's segments are passed over; the
 * answer is what was removed, in id order.
 */
export async function deleteSegments(
  db: Db,
  { shop, ids }: { shop: string; ids: readonly number[] },
): Promise<{ id: number; name: string }[]> {
  const wanted = [...new Set(ids.filter(isSegmentId))].sort((a, b) => a - b);
  if (wanted.length === 0) return [];
  return db.transaction(async (tx) => {
    await lockShop(tx, shop);
    const removed: { id: number; name: string }[] = [];
    for (const id of wanted) {
      const [row] = await tx.all(
        sql`SELECT "name" FROM "Segment" WHERE "shop" = ${shop} AND "id" = ${id}`,
        decoder({ name: text }),
      );
      if (!row) continue;
      await tx.run(
        sql`UPDATE "Customer" SET "segmentIds" = replace("segmentIds", ${`,${id},`}, ',')
         WHERE "shop" = ${shop} AND "id" IN (SELECT m."customerId" FROM "SegmentMember" m WHERE m."shop" = ${shop} AND m."segmentId" = ${id})`,
      );
      await tx.run(sql`DELETE FROM "SegmentMember" WHERE "shop" = ${shop} AND "segmentId" = ${id}`);
      await tx.run(sql`DELETE FROM "SegmentEvent" WHERE "shop" = ${shop} AND "segmentId" = ${id}`);
      await tx.run(sql`DELETE FROM "Segment" WHERE "shop" = ${shop} AND "id" = ${id}`);
      removed.push({ id, name: row.name });
    }
    return removed;
  });
}

/**
 * A copy of a saved segment, "Copy of …", with the same query, computed at once (createSegment): a
 * starting point for a variant. Not a template's segment, so the template's card still shows the
 * original. Null when the shop has no such segment.
 */
export async function duplicateSegment(
  db: Db,
  { shop, id, now }: { shop: string; id: number; now: Date },
): Promise<{ id: number; name: string } | null> {
  const original = await getSegment(db, { shop, id });
  if (!original) return null;
  const name = copyName(original.name);
  return { id: await createSegment(db, { shop, name, query: original.query, now }), name };
}

/** "Copy of X", kept within the form's 120 characters. */
export function copyName(name: string): string {
  const copy = `Copy of ${name}`;
  return copy.length <= 120 ? copy : `${copy.slice(0, 119)}…`;
}

export async function listSegments(db: Db, { shop, now }: { shop: string; now: Date }): Promise<SegmentRow[]> {
  const rows = await db.prisma.segment.findMany({ where: { shop }, orderBy: { id: "asc" } });
  const since = new Date(now.getTime() - 7 * 86_400_000);
  const changes = await db.prisma.segmentEvent.groupBy({
    by: ["segmentId", "entered"],
    where: { shop, at: { gte: since } },
    _count: true,
  });
  const change = new Map<number, number>();
  for (const c of changes) change.set(c.segmentId, (change.get(c.segmentId) ?? 0) + (c.entered ? c._count : -c._count));
  return rows.map((s) => ({
    id: s.id,
    name: s.name,
    query: s.query,
    template: s.template,
    memberCount: s.memberCount,
    lastComputedAt: s.lastComputedAt,
    computeError: s.computeError,
    createdAt: s.createdAt,
    change7d: change.get(s.id) ?? 0,
    isNew: s.createdAt > since,
  }));
}

/**
 * New lifecycle thresholds for a shop (already validated with LifecycleThresholdsSchema). The stages
 * move at once: every active segment that speaks of lifecycle_stage is recomputed, and only those.
 */
export async function setLifecycleThresholds(
  db: Db,
  { shop, thresholds, now }: { shop: string; thresholds: LifecycleThresholds; now: Date },
): Promise<{ changed: boolean; recomputed: number }> {
  const current = (await shopContext(db, { shop, now })).lifecycle ?? DEFAULT_LIFECYCLE;
  const same =
    current.lapsingDays === thresholds.lapsingDays &&
    current.lapsedDays === thresholds.lapsedDays &&
    current.loyalOrders === thresholds.loyalOrders;
  if (same) return { changed: false, recomputed: 0 };
  await db.prisma.shop.update({
    where: { domain: shop },
    data: {
      lifecycleLapsingDays: thresholds.lapsingDays,
      lifecycleLapsedDays: thresholds.lapsedDays,
      lifecycleLoyalOrders: thresholds.loyalOrders,
    },
  });
  const segments = await db.prisma.segment.findMany({
    where: { shop, active: true },
    select: { id: true, rule: true },
  });
  const ids = segments
    .filter((s) => {
      const rule = storedRuleOrNull(s.rule);
      return rule !== null && readsAttribute(rule, "lifecycle_stage");
    })
    .map((s) => s.id);
  if (ids.length > 0) await recomputeSegments(db, { shop, ctx: await shopContext(db, { shop, now }), segmentIds: ids });
  return { changed: true, recomputed: ids.length };
}
