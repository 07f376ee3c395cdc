// Membership changes: written (members, the customers' lists, enter/leave events, counts) for the
// full recompute and the per-event path alike, and the per-event path itself: every active segment
// re-evaluated in memory for the customers an event touched.
import type { Executor } from "~/db/database.server";
import { decoder, int, join, raw, reused, sql, sqlIn, text } from "~/db/sql";
import { readsBehaviour, readsPurchases, type EngineContext, type Prepared } from "~/domain/segments/engine";
import { evaluate } from "~/domain/segments/evaluate";
import { membershipsChanged } from "~/models/campaigns/cache.server";
import { preparedStored } from "./rules.server";
import { customersWithSegments } from "./subjects.server";

export type MembershipChange = { segmentId: number; customerId: string; entered: boolean };

/** Rows per statement on SQLite (at most 5 parameters each, far below its 32,766 limit). */
const WRITE_BATCH = 500;

/**
 * Applies membership changes inside the caller's transaction: the member rows, one enter/leave event
 * each, and the segments' counts (kept by difference: a recount would read every member).
 */
export async function writeMembershipChanges(
  tx: Executor,
  { shop, at, changes }: { shop: string; at: Date; changes: readonly MembershipChange[] },
): Promise<void> {
  if (changes.length === 0) return;
  // The storefront's cached product lists of this shop (segment top sellers) are read again.
  membershipsChanged(shop);
  const entering = changes.filter((c) => c.entered);
  const leaving = changes.filter((c) => !c.entered);
  if (tx.dialect === "postgres") {
    const pairs = (list: readonly MembershipChange[]) =>
      sql`unnest(${list.map((c) => c.segmentId)}::int[], ${list.map((c) => c.customerId)}::text[]) AS u("segmentId", "customerId")`;
    if (entering.length > 0) {
      await tx.run(
        sql`INSERT INTO "SegmentMember" ("shop", "segmentId", "customerId", "since")
         SELECT ${shop}, u."segmentId", u."customerId", ${at} FROM ${pairs(entering)}
         ON CONFLICT ("shop", "segmentId", "customerId") DO NOTHING`,
      );
    }
    if (leaving.length > 0) {
      await tx.run(
        sql`DELETE FROM "SegmentMember" m USING ${pairs(leaving)}
         WHERE m."shop" = ${shop} AND m."segmentId" = u."segmentId" AND m."customerId" = u."customerId"`,
      );
    }
    await tx.run(
      sql`INSERT INTO "SegmentEvent" ("shop", "segmentId", "customerId", "entered", "at")
       SELECT ${shop}, u."segmentId", u."customerId", u."entered", ${at}
       FROM unnest(${changes.map((c) => c.segmentId)}::int[], ${changes.map((c) => c.customerId)}::text[], ${changes.map((c) => c.entered)}::boolean[])
         AS u("segmentId", "customerId", "entered")`,
    );
  } else {
    // A statement's text depends on its number of rows only, so its prepared form is reused.
    for (let i = 0; i < entering.length; i += WRITE_BATCH) {
      const rows = entering
        .slice(i, i + WRITE_BATCH)
        .map((c) => sql`(${shop}, ${c.segmentId}, ${c.customerId}, ${at})`);
      await tx.run(
        sql`INSERT INTO "SegmentMember" ("shop", "segmentId", "customerId", "since") VALUES ${join(rows)}
         ON CONFLICT ("shop", "segmentId", "customerId") DO NOTHING`,
      );
    }
    for (let i = 0; i < leaving.length; i += WRITE_BATCH) {
      const pairs = leaving.slice(i, i + WRITE_BATCH).map((c) => sql`(${c.segmentId}, ${c.customerId})`);
      await tx.run(
        sql`DELETE FROM "SegmentMember" WHERE "shop" = ${shop} AND ("segmentId", "customerId") IN (VALUES ${join(pairs)})`,
      );
    }
    for (let i = 0; i < changes.length; i += WRITE_BATCH) {
      const rows = changes
        .slice(i, i + WRITE_BATCH)
        .map((c) => sql`(${shop}, ${c.segmentId}, ${c.customerId}, ${c.entered}, ${at})`);
      await tx.run(
        sql`INSERT INTO "SegmentEvent" ("shop", "segmentId", "customerId", "entered", "at") VALUES ${join(rows)}`,
      );
    }
  }
  await writeSegmentLists(tx, { shop, changes });
  const delta = new Map<number, number>();
  for (const c of changes) delta.set(c.segmentId, (delta.get(c.segmentId) ?? 0) + (c.entered ? 1 : -1));
  for (const [id, change] of delta) {
    if (change === 0) continue;
    await tx.run(sql`UPDATE "Segment" SET "memberCount" = "memberCount" + ${change} WHERE "id" = ${id}`);
  }
}
/**
 * The same changes on the customers' side (Customer.segmentIds), one statement per segment and
 * direction: a segment's id is appended to the lists of those entering (unless already there) and
 * cut out of the lists of those leaving.
 */
async function writeSegmentLists(
  tx: Executor,
  { shop, changes }: { shop: string; changes: readonly MembershipChange[] },
): Promise<void> {
  const groups = new Map<string, { segmentId: number; entered: boolean; customerIds: string[] }>();
  for (const c of changes) {
    const key = `${c.segmentId}:${c.entered}`;
    const group = groups.get(key) ?? { segmentId: c.segmentId, entered: c.entered, customerIds: [] };
    group.customerIds.push(c.customerId);
    groups.set(key, group);
  }
  const position = raw(tx.dialect === "postgres" ? "strpos" : "instr");
  const step = tx.dialect === "postgres" ? Number.POSITIVE_INFINITY : WRITE_BATCH * 4;
  for (const { segmentId, entered, customerIds } of groups.values()) {
    for (let i = 0; i < customerIds.length; i += step) {
      const who = sqlIn(`"id"`, customerIds.slice(i, i + step));
      const mark = `,${segmentId},`;
      await tx.run(
        entered
          ? sql`UPDATE "Customer" SET "segmentIds" = "segmentIds" || ${`${segmentId},`} WHERE "shop" = ${shop} AND ${who} AND ${position}("segmentIds", ${mark}) = 0`
          : sql`UPDATE "Customer" SET "segmentIds" = replace("segmentIds", ${mark}, ',') WHERE "shop" = ${shop} AND ${who}`,
      );
    }
  }
}

/**
 * The per-event path: every active segment of the shop re-evaluated, in memory, for the customers an
 * event touched only. Runs inside the processor's transaction, after their facts were recomputed.
 */
export async function updateMemberships(
  tx: Executor,
  { shop, customerIds, ctx }: { shop: string; customerIds: readonly string[]; ctx: EngineContext },
): Promise<{ entered: number; left: number }> {
  if (customerIds.length === 0) return { entered: 0, left: 0 };
  const segments = await tx.all(
    reused(sql`SELECT "id", "rule" FROM "Segment" WHERE "shop" = ${shop} AND "active" = ${true}`),
    decoder({ id: int, rule: text }),
  );
  if (segments.length === 0) return { entered: 0, left: 0 };
  const rules: { id: number; prepared: Prepared }[] = [];
  for (const segment of segments) {
    const prepared = preparedStored(segment.rule, ctx);
    if (prepared.ok) rules.push({ id: segment.id, prepared: prepared.prepared });
    // else: recomputes report it; an event must not fail over a stale rule
  }
  // The customers with their current segments; orders only when some active rule looks at purchases.
  const people = await customersWithSegments(tx, {
    shop,
    ids: customerIds,
    purchases: rules.some((r) => readsPurchases(r.prepared)),
    behaviour: rules.some((r) => readsBehaviour(r.prepared)),
  });
  // A customer deleted by this event has no row left to list its segments: they come from the members.
  const gone = customerIds.filter((id) => !people.has(id));
  const heldByGone = new Map<string, Set<number>>();
  if (gone.length > 0) {
    const rows = await tx.all(
      sql`SELECT "segmentId", "customerId" FROM "SegmentMember" WHERE "shop" = ${shop} AND ${sqlIn(`"customerId"`, gone)}`,
      decoder({ segmentId: int, customerId: text }),
    );
    for (const r of rows) {
      const set = heldByGone.get(r.customerId) ?? new Set<number>();
      set.add(r.segmentId);
      heldByGone.set(r.customerId, set);
    }
  }
  const changes: MembershipChange[] = [];
  for (const { id, prepared } of rules) {
    for (const customerId of customerIds) {
      const person = people.get(customerId);
      const should = person !== undefined && evaluate(prepared, person.subject);
      const held = (person ? person.segmentIds : heldByGone.get(customerId))?.has(id) ?? false;
      if (should !== held) changes.push({ segmentId: id, customerId, entered: should });
    }
  }
  await writeMembershipChanges(tx, { shop, at: ctx.now, changes });
  const entered = changes.filter((c) => c.entered).length;
  return { entered, left: changes.length - entered };
}
