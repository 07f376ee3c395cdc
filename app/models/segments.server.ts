// Segments against the database: the rule compiled to one WHERE clause over the shop's customers
// (app/domain/segments/engine.ts), and the same customers read as evaluator subjects.
import {
  epochDayExpr,
  isStatementCancelled,
  isStatementFailure,
  setStatementTimeout,
  Sql,
  toBigInt,
  toDate,
  toNumber,
  withStatementTimeout,
  type Db,
  type Executor,
} from "~/db/database.server";
import {
  DEFAULT_LIFECYCLE,
  prepare,
  readsPurchases,
  type EngineContext,
  type LifecycleThresholds,
  type Prepared,
  type PurchaseLine,
  type PurchaseOrder,
  type Subject,
} from "~/domain/segments/engine";
import { evaluate } from "~/domain/segments/evaluate";
import { compileSql, CUSTOMERS_FROM as FROM } from "~/models/segments/compile-sql";
import { formatError, parse } from "~/domain/segments/query-language";
import { validateRule, type Rule } from "~/domain/segments/rule";
import { isSegmentId } from "~/domain/segments/segment-id";
import { lockShop, refreshPlannerStatistics } from "~/models/store.server";
import { formatMinor } from "~/domain/money";
import { localDate } from "~/domain/calendar";
import { normalizeTags } from "~/domain/rows";

export class SegmentRuleError extends Error {}
/** PostgreSQL stopped a merchant's segment statement at its time bound (statement_timeout). */
export class SegmentTimeoutError extends Error {}
/** The shop already has as many previews running as it may (MAX_PREVIEWS_PER_SHOP). */
export class SegmentBusyError extends Error {}

function positiveMs(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * How long a preview or a count may run on PostgreSQL before it is cancelled:
 * TAILORED_SEGMENT_QUERY_TIMEOUT_MS, 20 s unless set. (SQLite has no such bound: the rule's size caps
 * are what bound a statement there; docs/decisions/014-segment-limits.md.)
 */
export function segmentQueryTimeoutMs(): number {
  return positiveMs(process.env.TAILORED_SEGMENT_QUERY_TIMEOUT_MS, 20_000);
}

/**
 * How long a recompute's evaluating statement (one pass over the shop's customers for up to 30 rules)
 * may run on PostgreSQL: TAILORED_SEGMENT_RECOMPUTE_TIMEOUT_MS, 120 s unless set; a million customers
 * take about 10 s (docs/BENCHMARKS.md). Writing the changes is not bounded: it is ours, not the rule's.
 */
export function segmentRecomputeTimeoutMs(): number {
  return positiveMs(process.env.TAILORED_SEGMENT_RECOMPUTE_TIMEOUT_MS, 120_000);
}

const seconds = (ms: number) => String(Math.round(ms / 100) / 10);

/** A merchant's query under the preview's time bound; a cancelled one becomes a SegmentTimeoutError. */
async function bounded<T>(db: Executor, fn: (tx: Executor) => Promise<T>): Promise<T> {
  const ms = segmentQueryTimeoutMs();
  try {
    return await withStatementTimeout(db, ms, fn);
  } catch (error) {
    if (!isStatementCancelled(error)) throw error;
    throw new SegmentTimeoutError(
      `Counting the customers took longer than ${seconds(ms)} s and was stopped: try a simpler query (fewer products_purchased or orders_placed conditions), or again in a moment`,
    );
  }
}

export async function shopContext(db: Executor, { shop, now }: { shop: string; now: Date }): Promise<EngineContext> {
  const sql = new Sql(db.dialect);
  const [row] = await db.all(
    sql,
    `SELECT "ianaTimezone", "currencyCode", "lifecycleLapsingDays", "lifecycleLapsedDays", "lifecycleLoyalOrders"
     FROM "Shop" WHERE "domain" = ${sql.p(shop)}`,
  );
  if (!row) return { now, timeZone: "UTC", currencyCode: "USD", lifecycle: DEFAULT_LIFECYCLE, shop };
  return {
    now,
    shop,
    timeZone: String(row.ianaTimezone),
    currencyCode: String(row.currencyCode),
    lifecycle: {
      lapsingDays: toNumber(row.lifecycleLapsingDays),
      lapsedDays: toNumber(row.lifecycleLapsedDays),
      loyalOrders: toNumber(row.lifecycleLoyalOrders),
    },
  };
}

function compiled(db: Executor, sql: Sql, rule: Rule, ctx: EngineContext): string {
  const prepared = prepare(rule, ctx);
  if (!prepared.ok) throw new SegmentRuleError(prepared.error);
  return compileSql(prepared.prepared, db.dialect, (v) => sql.p(v));
}

/** How many of the shop's customers the rule selects, counted by the database (within the preview's time bound). */
export async function countMatching(db: Executor, { shop, rule, ctx }: { shop: string; rule: Rule; ctx: EngineContext }): Promise<number> {
  return bounded(db, (tx) => count(tx, { shop, rule, ctx }));
}

async function count(db: Executor, { shop, rule, ctx }: { shop: string; rule: Rule; ctx: EngineContext }): Promise<number> {
  const sql = new Sql(db.dialect);
  const shopParam = sql.p(shop);
  const where = compiled(db, sql, rule, ctx);
  const [row] = await db.all(sql, `SELECT COUNT(*) AS n ${FROM} WHERE c."shop" = ${shopParam} AND ${where}`);
  return toNumber(row?.n);
}

export async function matchingIds(db: Executor, { shop, rule, ctx }: { shop: string; rule: Rule; ctx: EngineContext }): Promise<string[]> {
  const sql = new Sql(db.dialect);
  const shopParam = sql.p(shop);
  const where = compiled(db, sql, rule, ctx);
  const rows = await bounded(db, (tx) => tx.all(sql, `SELECT c."id" ${FROM} WHERE c."shop" = ${shopParam} AND ${where} ORDER BY c."id"`));
  return rows.map((r) => String(r.id));
}

/**
 * Customers as the in-memory evaluator sees them. `purchases` also loads their counted orders and
 * lines (for products_purchased / orders_placed; see readsPurchases), in one more query.
 */
export async function subjects(
  db: Executor,
  options: { shop: string; ids?: readonly string[]; purchases?: boolean },
): Promise<Map<string, Subject>> {
  return new Map([...(await customersWithSegments(db, options))].map(([id, c]) => [id, c.subject]));
}

/** Subjects with the segments each customer is a member of now (Customer.segmentIds). */
async function customersWithSegments(
  db: Executor,
  { shop, ids, purchases = false }: { shop: string; ids?: readonly string[]; purchases?: boolean },
): Promise<Map<string, { subject: Subject; segmentIds: ReadonlySet<number> }>> {
  const sql = new Sql(db.dialect);
  const rows = await db.all(
    sql,
    `SELECT c."id", c."createdAt", c."email", c."tags", c."countryCode", c."provinceCode", c."city", c."emailMarketingState",
       c."smsMarketingState", c."segmentIds", f."rfmGroup", f."ordersCount", f."amountSpentMinor", f."aovMinor", f."firstOrderAt", f."lastOrderAt"
     ${FROM} WHERE c."shop" = ${sql.p(shop)}${ids ? ` AND ${sql.in(`c."id"`, ids)}` : ""}`,
  );
  const orders = purchases ? await purchasesOf(db, { shop, ids }) : undefined;
  return new Map(
    rows.map((r) => [
      String(r.id),
      {
        subject: {
          createdAt: toDate(r.createdAt)!,
          email: r.email == null ? null : String(r.email),
          tags: normalizeTags(String(r.tags ?? "")),
          countryCode: r.countryCode == null ? null : String(r.countryCode),
          provinceCode: r.provinceCode == null ? null : String(r.provinceCode),
          city: r.city == null ? null : String(r.city),
          emailMarketingState: String(r.emailMarketingState),
          smsMarketingState: String(r.smsMarketingState),
          rfmGroup: r.rfmGroup == null ? null : String(r.rfmGroup),
          ordersCount: r.ordersCount == null ? 0 : toNumber(r.ordersCount),
          amountSpentMinor: r.amountSpentMinor == null ? 0n : toBigInt(r.amountSpentMinor),
          aovMinor: r.aovMinor == null ? null : toBigInt(r.aovMinor),
          firstOrderAt: toDate(r.firstOrderAt),
          lastOrderAt: toDate(r.lastOrderAt),
          ...(orders ? { orders: orders.get(String(r.id)) ?? [] } : {}),
        },
        segmentIds: parseSegmentIds(String(r.segmentIds ?? ",")),
      },
    ]),
  );
}

/** ",3,7," -> {3, 7}. */
function parseSegmentIds(list: string): Set<number> {
  const ids = new Set<number>();
  for (const part of list.split(",")) if (part !== "") ids.add(Number(part));
  return ids;
}

/**
 * The counted orders (as recomputeFacts counts them: not cancelled, not test) of some customers, or
 * of the whole shop, with their lines and the lines' product tags: one query, grouped here.
 */
async function purchasesOf(db: Executor, { shop, ids }: { shop: string; ids?: readonly string[] }): Promise<Map<string, PurchaseOrder[]>> {
  const sql = new Sql(db.dialect);
  const rows = await db.all(
    sql,
    `SELECT o."customerId", o."id" AS "orderId", o."processedAt", o."totalMinor", o."refundedMinor",
       l."id" AS "lineId", l."productId", l."productType", l."vendor", l."quantity", pr."tags" AS "productTags"
     FROM "Order" o
     LEFT JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."id"
     LEFT JOIN "Product" pr ON pr."shop" = l."shop" AND pr."id" = l."productId"
     WHERE o."shop" = ${sql.p(shop)} AND o."customerId" IS NOT NULL AND o."test" = false AND o."cancelledAt" IS NULL${
       ids ? ` AND ${sql.in(`o."customerId"`, ids)}` : ""
     }
     ORDER BY o."customerId", o."id"`,
  );
  const byCustomer = new Map<string, PurchaseOrder[]>();
  let current: { key: string; order: PurchaseOrder & { lines: PurchaseLine[] } } | undefined;
  for (const r of rows) {
    const customerId = String(r.customerId);
    const key = `${customerId}\u0000${String(r.orderId)}`;
    if (current?.key !== key) {
      current = {
        key,
        order: { processedAt: toDate(r.processedAt)!, amountMinor: toBigInt(r.totalMinor) - toBigInt(r.refundedMinor), lines: [] },
      };
      const list = byCustomer.get(customerId) ?? [];
      list.push(current.order);
      byCustomer.set(customerId, list);
    }
    if (r.lineId == null) continue; // an order without lines still counts for orders_placed
    current.order.lines.push({
      productId: r.productId == null ? null : String(r.productId),
      productType: r.productType == null ? null : String(r.productType),
      vendor: r.vendor == null ? null : String(r.vendor),
      tags: normalizeTags(String(r.productTags ?? "")),
      quantity: toNumber(r.quantity),
    });
  }
  return byCustomer;
}

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
};

/** Parses and checks a query for a shop; the error says where and what, for the editor and the CLI. */
export function parseQuery(query: string, ctx: EngineContext): { ok: true; rule: Rule } | { ok: false; error: string } {
  const parsed = parse(query);
  if (!parsed.ok) return { ok: false, error: parsed.errors.map((e) => formatError(query, e)).join("\n") };
  const prepared = prepare(parsed.rule, ctx);
  if (!prepared.ok) return { ok: false, error: prepared.error };
  return { ok: true, rule: parsed.rule };
}

/**
 * What a save checks before it writes anything: the query parses within the limits, prepares for
 * the shop, and compiles to SQL. A failure throws SegmentRuleError with where the query is wrong.
 */
function checkForSave(dialect: Executor["dialect"], query: string, ctx: EngineContext): Rule {
  const checked = parseQuery(query, ctx);
  if (!checked.ok) throw new SegmentRuleError(checked.error);
  const prepared = prepare(checked.rule, ctx);
  if (!prepared.ok) throw new SegmentRuleError(prepared.error);
  const sql = new Sql(dialect);
  compileSql(prepared.prepared, dialect, (v) => sql.p(v));
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
  { shop, name, query, template = null, now }: { shop: string; name: string; query: string; template?: string | null; now: Date },
): Promise<number> {
  const ctx = await shopContext(db, { shop, now });
  const rule = checkForSave(db.dialect, query, ctx);
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
}

/** One saved segment as the editor shows it; null when the shop has no such segment. */
export async function getSegment(db: Db, { shop, id }: { shop: string; id: number }): Promise<{ id: number; name: string; query: string } | null> {
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
  const previous = await db.prisma.segment.findFirst({ where: { shop, id }, select: { name: true, query: true, rule: true, updatedAt: true } });
  if (!previous) return null;
  const store = (definition: { name: string; query: string; rule: string; updatedAt: Date }) =>
    db.transaction(async (tx) => {
      // The per-event path reads rules under the same lock: it sees the old rule or the new one, never half.
      await lockShop(tx, shop);
      const sql = new Sql(tx.dialect);
      return tx.run(
        sql,
        `UPDATE "Segment" SET "name" = ${sql.p(definition.name)}, "query" = ${sql.p(definition.query)}, "rule" = ${sql.p(definition.rule)},
           "updatedAt" = ${sql.p(definition.updatedAt)} WHERE "shop" = ${sql.p(shop)} AND "id" = ${sql.p(id)}`,
      );
    });
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
}

/** Removes a segment with its members and its history; false when the shop has no such segment. */
export async function deleteSegment(db: Db, { shop, id }: { shop: string; id: number }): Promise<boolean> {
  if (!isSegmentId(id)) return false;
  return db.transaction(async (tx) => {
    await lockShop(tx, shop);
    const s1 = new Sql(tx.dialect);
    const removed = await tx.run(s1, `DELETE FROM "Segment" WHERE "shop" = ${s1.p(shop)} AND "id" = ${s1.p(id)}`);
    if (removed === 0) return false;
    const sl = new Sql(tx.dialect);
    await tx.run(
      sl,
      `UPDATE "Customer" SET "segmentIds" = replace("segmentIds", ${sl.p(`,${id},`)}, ',')
       WHERE "shop" = ${sl.p(shop)} AND "id" IN (SELECT m."customerId" FROM "SegmentMember" m WHERE m."shop" = ${sl.p(shop)} AND m."segmentId" = ${sl.p(id)})`,
    );
    const s2 = new Sql(tx.dialect);
    await tx.run(s2, `DELETE FROM "SegmentMember" WHERE "shop" = ${s2.p(shop)} AND "segmentId" = ${s2.p(id)}`);
    const s3 = new Sql(tx.dialect);
    await tx.run(s3, `DELETE FROM "SegmentEvent" WHERE "shop" = ${s3.p(shop)} AND "segmentId" = ${s3.p(id)}`);
    return true;
  });
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
  }));
}

// Validating a stored rule (zod) costs far more than evaluating it; the per-event path would pay it
// for every segment on every event. Rules are immutable per stored JSON text, so cache by text.
const validated = new Map<string, Rule>();

function storedRule(json: string): Rule {
  const cached = validated.get(json);
  if (cached) return cached;
  const rule = validateStored(json);
  if (validated.size > 10_000) validated.clear();
  validated.set(json, rule);
  return rule;
}

// Preparing a rule resolves its dates for a day in the shop's zone: the prepared form depends on the
// moment only through that local date (engine.ts reads ctx.now nowhere else), so within a day every
// event of the shop can share it. Keyed by everything prepare reads.
const preparedRules = new Map<string, ReturnType<typeof prepare>>();

/** A stored rule prepared for the moment, or why it cannot be: an invalid stored rule is not thrown. */
function preparedStored(json: string, ctx: EngineContext): ReturnType<typeof prepare> {
  const l = ctx.lifecycle ?? DEFAULT_LIFECYCLE;
  const key = [localDate(ctx.now, ctx.timeZone), ctx.timeZone, ctx.currencyCode, ctx.shop ?? "", l.lapsingDays, l.lapsedDays, l.loyalOrders, json].join("\u0000");
  const cached = preparedRules.get(key);
  if (cached) return cached;
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(storedRule(json), ctx);
  } catch (error) {
    if (!(error instanceof SegmentRuleError)) throw error;
    prepared = { ok: false, error: error.message };
  }
  if (preparedRules.size > 10_000) preparedRules.clear();
  preparedRules.set(key, prepared);
  return prepared;
}

function validateStored(json: string): Rule {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch {
    throw new SegmentRuleError("stored rule is not valid JSON: save the segment's query again");
  }
  const checked = validateRule(input);
  if (!checked.ok) throw new SegmentRuleError(`stored rule is invalid: ${checked.issues.map((i) => i.message).join("; ")}`);
  return checked.rule;
}

/** The stored rule, or null when it is not a valid one (a recompute marks that segment; others go on). */
function storedRuleOrNull(json: string): Rule | null {
  try {
    return storedRule(json);
  } catch (error) {
    if (error instanceof SegmentRuleError) return null;
    throw error;
  }
}

/**
 * One segment's outcome of a full recompute. `error` says why it could not be computed (its stored
 * rule is invalid, or the database refused or stopped its statement); the others were computed.
 */
export type RecomputeResult = {
  segmentId: number;
  name: string;
  entered: number;
  left: number;
  members: number;
  error?: string;
  errorKind?: "rule" | "timeout" | "database";
};

/**
 * Full recompute of one segment (after it is created or its rule changes). Throws when it cannot be
 * computed: SegmentTimeoutError past its time bound, SegmentRuleError otherwise.
 */
export async function recomputeSegment(
  db: Db,
  { shop, segmentId, ctx }: { shop: string; segmentId: number; ctx: EngineContext },
): Promise<{ entered: number; left: number; members: number }> {
  const [result] = await recomputeSegments(db, { shop, ctx, segmentIds: [segmentId] });
  if (!result) throw new SegmentRuleError(`no segment ${segmentId} in ${shop}`);
  if (result.error) throw result.errorKind === "timeout" ? new SegmentTimeoutError(result.error) : new SegmentRuleError(result.error);
  return { entered: result.entered, left: result.left, members: result.members };
}

/** Customers read per transaction: between chunks the webhook processor gets the database back. */
const RECOMPUTE_CHUNK = 50_000;
/** Segments evaluated per pass: each one is a bit of a 32-bit mask on both databases. */
const MASK_BITS = 30;
/**
 * Statements one recompute may see fail before it stops looking for the segment to blame: each
 * failed batch is split in two and tried again, which finds one bad segment among 30 in about ten
 * statements; past this many (a database where everything times out), what is left fails whole.
 */
const MAX_FAILED_STATEMENTS = 8;

type Failure = { kind: "rule" | "timeout" | "database"; message: string };

function statementFailure(error: unknown): Failure {
  if (isStatementCancelled(error)) {
    return {
      kind: "timeout",
      message: `Computing this segment took longer than ${seconds(segmentRecomputeTimeoutMs())} s and was stopped: simplify its query (fewer products_purchased or orders_placed conditions)`,
    };
  }
  return { kind: "database", message: `The database could not compute this segment: ${error instanceof Error ? error.message : String(error)}` };
}

/**
 * Full recompute, in the database, in one pass over the shop's customers for up to 30 segments at a
 * time. Each customer's new memberships are a bit mask of the compiled rules; the old ones the same
 * mask summed from SegmentMember; only the customers whose masks differ come back, and only their
 * changes are written (members, enter/leave events, the segment's count), chunk by chunk, each chunk
 * one transaction under the shop's lock. A nightly pass over an unchanged shop therefore writes
 * nothing, and a customer the webhook processor updates between two chunks is never half-counted.
 * Customers who were deleted left their segments on the per-event path (deleteRecords runs there).
 *
 * One segment cannot stop the others (decision 014): a stored rule that is invalid or will not
 * prepare is left out; a statement the database refuses or stops at its time bound is split in two
 * and each half tried again from the chunk that failed, down to the one segment to blame. Those left
 * out keep their members, get `computeError` (shown on the list) and an `error` in the result; the
 * others are computed and their mark cleared.
 */
export async function recomputeSegments(
  db: Db,
  {
    shop,
    ctx,
    segmentIds,
    onProgress,
    chunkSize = db.dialect === "sqlite" ? RECOMPUTE_CHUNK : Number.POSITIVE_INFINITY,
  }: { shop: string; ctx: EngineContext; segmentIds?: readonly number[]; onProgress?: (done: number, total: number) => void; chunkSize?: number },
): Promise<RecomputeResult[]> {
  const segments = await db.prisma.segment.findMany({
    where: { shop, ...(segmentIds ? { id: { in: [...segmentIds] } } : { active: true }) },
    orderBy: { id: "asc" },
    select: { id: true, name: true, rule: true },
  });
  const failures = new Map<number, Failure>();
  const rules: { id: number; prepared: Prepared }[] = [];
  for (const s of segments) {
    const prepared = preparedStored(s.rule, ctx);
    if (prepared.ok) rules.push({ id: s.id, prepared: prepared.prepared });
    else failures.set(s.id, { kind: "rule", message: prepared.error });
  }
  if (segments.length === 0) return [];
  const tally = new Map(rules.map((r) => [r.id, { entered: 0, left: 0 }]));
  if (rules.length > 0) {
    const s0 = new Sql(db.dialect);
    const [counted] = await db.all(s0, `SELECT COUNT(*) AS n FROM "Customer" WHERE "shop" = ${s0.p(shop)}`);
    const customers = toNumber(counted?.n);
    const batches = Math.ceil(rules.length / MASK_BITS);
    const total = customers * batches;
    let done = 0;
    let failedStatements = 0;
    /**
     * `batch` over the customers after `after`, chunk by chunk; `chunk` counts the chunks done before.
     * Only the last piece of a split batch reports progress, so progress never goes back.
     */
    const pass = async (b: number, batch: typeof rules, after: string | null, chunk: number, reports: boolean): Promise<void> => {
      for (;;) {
        // The chunk's last customer, found on the primary key alone.
        const sb = new Sql(db.dialect);
        const [bound]: Record<string, unknown>[] = Number.isFinite(chunkSize)
          ? await db.all(
              sb,
              `SELECT "id" FROM "Customer" WHERE "shop" = ${sb.p(shop)}${after === null ? "" : ` AND "id" > ${sb.p(after)}`}
               ORDER BY "id" LIMIT 1 OFFSET ${sb.p(chunkSize - 1)}`,
            )
          : [];
        const upTo: string | null = bound ? String(bound.id) : null;
        try {
          // The tally is the chunk's only once it has committed.
          const chunkTally = new Map(batch.map((r) => [r.id, { entered: 0, left: 0 }]));
          await db.transaction(async (tx) => {
            await lockShop(tx, shop);
            await recomputeChunk(tx, { shop, batch, ctx, after, upTo, tally: chunkTally });
          });
          for (const [id, t] of chunkTally) {
            const sum = tally.get(id)!;
            sum.entered += t.entered;
            sum.left += t.left;
          }
        } catch (error) {
          if (!isStatementFailure(error)) throw error;
          failedStatements += 1;
          if (batch.length === 1 || failedStatements >= MAX_FAILED_STATEMENTS) {
            for (const r of batch) failures.set(r.id, statementFailure(error));
            return;
          }
          const half = Math.ceil(batch.length / 2);
          await pass(b, batch.slice(0, half), after, chunk, false);
          await pass(b, batch.slice(half), after, chunk, reports);
          return;
        }
        chunk += 1;
        if (reports) {
          const reached = upTo === null ? (b + 1) * customers : Math.min(b * customers + chunk * chunkSize, (b + 1) * customers);
          if (reached > done) onProgress?.(Math.min(reached, total), total);
          done = Math.max(done, reached);
        }
        if (upTo === null) return;
        after = upTo;
      }
    };
    for (let b = 0; b < batches; b++) await pass(b, rules.slice(b * MASK_BITS, (b + 1) * MASK_BITS), null, 0, true);
  }
  const computed = rules.filter((r) => !failures.has(r.id)).map((r) => r.id);
  if (computed.length > 0) {
    await db.prisma.segment.updateMany({ where: { id: { in: computed } }, data: { lastComputedAt: ctx.now, computeError: null } });
  }
  for (const [id, failure] of failures) await db.prisma.segment.updateMany({ where: { id }, data: { computeError: failure.message } });
  const ids = segments.map((s) => s.id);
  const counts = new Map((await db.prisma.segment.findMany({ where: { id: { in: ids } }, select: { id: true, memberCount: true } })).map((s) => [s.id, s.memberCount]));
  return segments.map((s) => {
    const failure = failures.get(s.id);
    return {
      segmentId: s.id,
      name: s.name,
      ...(tally.get(s.id) ?? { entered: 0, left: 0 }),
      members: counts.get(s.id) ?? 0,
      ...(failure ? { error: failure.message, errorKind: failure.kind } : {}),
    };
  });
}

async function recomputeChunk(
  tx: Executor,
  {
    shop,
    batch,
    ctx,
    after,
    upTo,
    tally,
  }: {
    shop: string;
    batch: { id: number; prepared: Prepared }[];
    ctx: EngineContext;
    after: string | null;
    upTo: string | null;
    tally: Map<number, { entered: number; left: number }>;
  },
): Promise<void> {
  const sql = new Sql(tx.dialect);
  const shopParam = sql.p(shop);
  // Bit i stands for batch[i]; the numbers are ours (1 << i), never input.
  const fresh = batch
    .map((s, i) => `(CASE WHEN ${compileSql(s.prepared, tx.dialect, (v) => sql.p(v), { after, upTo })} THEN ${2 ** i} ELSE 0 END)`)
    .join(" + ");
  // What the customer holds now, from the same row: Customer.segmentIds lists them as ",3,7,". The
  // ids are the database's integers, never input.
  const position = tx.dialect === "postgres" ? "strpos" : "instr";
  const held = batch.map((s, i) => `(CASE WHEN ${position}(c."segmentIds", ',${s.id},') > 0 THEN ${2 ** i} ELSE 0 END)`).join(" + ");
  const range = (column: string) =>
    `${after === null ? "" : ` AND ${column} > ${sql.p(after)}`}${upTo === null ? "" : ` AND ${column} <= ${sql.p(upTo)}`}`;
  if (tx.dialect === "postgres") {
    // No JIT: its compile time (about a second) exceeds the work it saves here. The app's connections
    // start without it (POSTGRES_CONNECTION_OPTIONS); said again here in case a URL's options win.
    await tx.run(new Sql(tx.dialect), "SET LOCAL jit = off");
    await tx.run(new Sql(tx.dialect), "SET LOCAL work_mem = '256MB'");
    // Purchase rules: the planner cannot estimate a filter on a line's type or vendor and, guessing a
    // few rows, looks each matching line's order up by index; over a shop's millions of lines hash
    // joins (one pass over orders, one over lines) are what work.
    await tx.run(new Sql(tx.dialect), "SET LOCAL enable_nestloop = off");
  }
  // The fence (LIMIT -1 / OFFSET 0) keeps the subquery from being flattened into the outer one, which
  // would evaluate both masks twice per customer: once to filter, once to return them.
  const fence = tx.dialect === "sqlite" ? "LIMIT -1" : "OFFSET 0";
  // The merchants' rules are bounded in time (after the shop's lock is held: waiting for it is not
  // theirs); writing what changed is not.
  await setStatementTimeout(tx, segmentRecomputeTimeoutMs());
  const rows = await tx.all(
    sql,
    `SELECT t."id", t."fresh", t."held" FROM (
       SELECT c."id", ${fresh} AS "fresh", ${held} AS "held"
       ${FROM} WHERE c."shop" = ${shopParam}${range(`c."id"`)} ${fence}
     ) t WHERE t."fresh" <> t."held"`,
  );
  await setStatementTimeout(tx, 0);
  const changes: MembershipChange[] = [];
  for (const row of rows) {
    const now = toNumber(row.fresh);
    const before = toNumber(row.held);
    batch.forEach((s, i) => {
      const bit = 2 ** i;
      const should = (now & bit) !== 0;
      if (should === ((before & bit) !== 0)) return;
      changes.push({ segmentId: s.id, customerId: String(row.id), entered: should });
    });
  }
  await writeMembershipChanges(tx, { shop, at: ctx.now, changes });
  for (const c of changes) {
    const t = tally.get(c.segmentId)!;
    if (c.entered) t.entered += 1;
    else t.left += 1;
  }
}

export type MembershipChange = { segmentId: number; customerId: string; entered: boolean };

/** Rows per statement on SQLite (4 parameters each, far below its 32,766 limit). */
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
  const entering = changes.filter((c) => c.entered);
  const leaving = changes.filter((c) => !c.entered);
  if (tx.dialect === "postgres") {
    const sql = new Sql(tx.dialect);
    const pairs = (list: readonly MembershipChange[]) =>
      `unnest(${sql.p(list.map((c) => c.segmentId))}::int[], ${sql.p(list.map((c) => c.customerId))}::text[]) AS u("segmentId", "customerId")`;
    if (entering.length > 0) {
      await tx.run(
        sql,
        `INSERT INTO "SegmentMember" ("shop", "segmentId", "customerId", "since")
         SELECT ${sql.p(shop)}, u."segmentId", u."customerId", ${sql.p(at)} FROM ${pairs(entering)}
         ON CONFLICT ("shop", "segmentId", "customerId") DO NOTHING`,
      );
    }
    if (leaving.length > 0) {
      const del = new Sql(tx.dialect);
      await tx.run(
        del,
        `DELETE FROM "SegmentMember" m USING unnest(${del.p(leaving.map((c) => c.segmentId))}::int[], ${del.p(leaving.map((c) => c.customerId))}::text[]) AS u("segmentId", "customerId")
         WHERE m."shop" = ${del.p(shop)} AND m."segmentId" = u."segmentId" AND m."customerId" = u."customerId"`,
      );
    }
    const ev = new Sql(tx.dialect);
    await tx.run(
      ev,
      `INSERT INTO "SegmentEvent" ("shop", "segmentId", "customerId", "entered", "at")
       SELECT ${ev.p(shop)}, u."segmentId", u."customerId", u."entered", ${ev.p(at)}
       FROM unnest(${ev.p(changes.map((c) => c.segmentId))}::int[], ${ev.p(changes.map((c) => c.customerId))}::text[], ${ev.p(changes.map((c) => c.entered))}::boolean[])
         AS u("segmentId", "customerId", "entered")`,
    );
  } else {
    for (let i = 0; i < entering.length; i += WRITE_BATCH) {
      const sql = new Sql(tx.dialect);
      const shopParam = sql.p(shop);
      const atParam = sql.p(at);
      const values = entering.slice(i, i + WRITE_BATCH).map((c) => `(${shopParam}, ${sql.p(c.segmentId)}, ${sql.p(c.customerId)}, ${atParam})`);
      await tx.run(
        sql,
        `INSERT INTO "SegmentMember" ("shop", "segmentId", "customerId", "since") VALUES ${values.join(", ")}
         ON CONFLICT ("shop", "segmentId", "customerId") DO NOTHING`,
      );
    }
    for (let i = 0; i < leaving.length; i += WRITE_BATCH) {
      const sql = new Sql(tx.dialect);
      const shopParam = sql.p(shop);
      const pairs = leaving.slice(i, i + WRITE_BATCH).map((c) => `(${sql.p(c.segmentId)}, ${sql.p(c.customerId)})`);
      await tx.run(sql, `DELETE FROM "SegmentMember" WHERE "shop" = ${shopParam} AND ("segmentId", "customerId") IN (VALUES ${pairs.join(", ")})`);
    }
    for (let i = 0; i < changes.length; i += WRITE_BATCH) {
      const sql = new Sql(tx.dialect);
      const shopParam = sql.p(shop);
      const atParam = sql.p(at);
      const values = changes
        .slice(i, i + WRITE_BATCH)
        .map((c) => `(${shopParam}, ${sql.p(c.segmentId)}, ${sql.p(c.customerId)}, ${sql.p(c.entered)}, ${atParam})`);
      await tx.run(sql, `INSERT INTO "SegmentEvent" ("shop", "segmentId", "customerId", "entered", "at") VALUES ${values.join(", ")}`);
    }
  }
  await writeSegmentLists(tx, { shop, changes });
  const delta = new Map<number, number>();
  for (const c of changes) delta.set(c.segmentId, (delta.get(c.segmentId) ?? 0) + (c.entered ? 1 : -1));
  for (const [id, change] of delta) {
    if (change === 0) continue;
    const sql = new Sql(tx.dialect);
    await tx.run(sql, `UPDATE "Segment" SET "memberCount" = "memberCount" + ${sql.p(change)} WHERE "id" = ${sql.p(id)}`);
  }
}
/**
 * The same changes on the customers' side (Customer.segmentIds), one statement per segment and
 * direction: a segment's id is appended to the lists of those entering (unless already there) and
 * cut out of the lists of those leaving.
 */
async function writeSegmentLists(tx: Executor, { shop, changes }: { shop: string; changes: readonly MembershipChange[] }): Promise<void> {
  const groups = new Map<string, { segmentId: number; entered: boolean; customerIds: string[] }>();
  for (const c of changes) {
    const key = `${c.segmentId}:${c.entered}`;
    const group = groups.get(key) ?? { segmentId: c.segmentId, entered: c.entered, customerIds: [] };
    group.customerIds.push(c.customerId);
    groups.set(key, group);
  }
  const position = tx.dialect === "postgres" ? "strpos" : "instr";
  const step = tx.dialect === "postgres" ? Number.POSITIVE_INFINITY : WRITE_BATCH * 4;
  for (const { segmentId, entered, customerIds } of groups.values()) {
    for (let i = 0; i < customerIds.length; i += step) {
      const part = customerIds.slice(i, i + step);
      const sql = new Sql(tx.dialect);
      const mark = sql.p(`,${segmentId},`);
      const who = tx.dialect === "postgres" ? `"id" = ANY(${sql.p(part)}::text[])` : sql.in(`"id"`, part);
      const change = entered
        ? `"segmentIds" = "segmentIds" || ${sql.p(`${segmentId},`)} WHERE "shop" = ${sql.p(shop)} AND ${who} AND ${position}("segmentIds", ${mark}) = 0`
        : `"segmentIds" = replace("segmentIds", ${mark}, ',') WHERE "shop" = ${sql.p(shop)} AND ${who}`;
      await tx.run(sql, `UPDATE "Customer" SET ${change}`);
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
  const s0 = new Sql(tx.dialect);
  const segments = await tx.all(s0, `SELECT "id", "rule" FROM "Segment" WHERE "shop" = ${s0.p(shop)} AND "active" = ${s0.p(true)}`);
  if (segments.length === 0) return { entered: 0, left: 0 };
  const rules: { id: number; prepared: Prepared }[] = [];
  for (const segment of segments) {
    const prepared = preparedStored(String(segment.rule), ctx);
    if (prepared.ok) rules.push({ id: toNumber(segment.id), prepared: prepared.prepared });
    // else: recomputes report it; an event must not fail over a stale rule
  }
  // The customers with their current segments; orders only when some active rule looks at purchases.
  const people = await customersWithSegments(tx, { shop, ids: customerIds, purchases: rules.some((r) => readsPurchases(r.prepared)) });
  // A customer deleted by this event has no row left to list its segments: they come from the members.
  const gone = customerIds.filter((id) => !people.has(id));
  const heldByGone = new Map<string, Set<number>>();
  if (gone.length > 0) {
    const s1 = new Sql(tx.dialect);
    const rows = await tx.all(s1, `SELECT "segmentId", "customerId" FROM "SegmentMember" WHERE "shop" = ${s1.p(shop)} AND ${s1.in(`"customerId"`, gone)}`);
    for (const r of rows) {
      const set = heldByGone.get(String(r.customerId)) ?? new Set<number>();
      set.add(toNumber(r.segmentId));
      heldByGone.set(String(r.customerId), set);
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

/** Whether some node of a rule's tree passes the test. */
function someNode(rule: Rule, test: (node: Rule) => boolean): boolean {
  if (test(rule)) return true;
  switch (rule.kind) {
    case "and":
    case "or":
      return rule.children.some((c) => someNode(c, test));
    case "not":
      return someNode(rule.child, test);
    default:
      return false;
  }
}

/** Whether a rule reads an attribute anywhere in its tree. */
function readsAttribute(rule: Rule, attribute: string): boolean {
  return someNode(rule, (node) => node.kind === "condition" && node.attribute === attribute);
}

/** Whether a rule tests product tags (products_purchased(tag: …)), which live on the product, not the line. */
function readsProductTags(rule: Rule): boolean {
  return someNode(rule, (node) => node.kind === "function" && node.name === "products_purchased" && node.args.some((a) => a.name === "tag"));
}

/**
 * After products' tags changed: every active segment that tests product tags, recomputed in the
 * database (a product's buyers can be most of the shop, so not on the per-event path). None, nothing.
 */
export async function recomputeProductTagSegments(db: Db, { shop, now }: { shop: string; now: Date }): Promise<RecomputeResult[]> {
  const segments = await db.prisma.segment.findMany({ where: { shop, active: true }, select: { id: true, rule: true } });
  // An invalid stored rule tests nothing: the next full recompute marks it (recomputeSegments).
  const ids = segments.filter((s) => { const rule = storedRuleOrNull(s.rule); return rule !== null && readsProductTags(rule); }).map((s) => s.id);
  if (ids.length === 0) return [];
  return recomputeSegments(db, { shop, ctx: await shopContext(db, { shop, now }), segmentIds: ids });
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
    current.lapsingDays === thresholds.lapsingDays && current.lapsedDays === thresholds.lapsedDays && current.loyalOrders === thresholds.loyalOrders;
  if (same) return { changed: false, recomputed: 0 };
  await db.prisma.shop.update({
    where: { domain: shop },
    data: { lifecycleLapsingDays: thresholds.lapsingDays, lifecycleLapsedDays: thresholds.lapsedDays, lifecycleLoyalOrders: thresholds.loyalOrders },
  });
  const segments = await db.prisma.segment.findMany({ where: { shop, active: true }, select: { id: true, rule: true } });
  const ids = segments.filter((s) => { const rule = storedRuleOrNull(s.rule); return rule !== null && readsAttribute(rule, "lifecycle_stage"); }).map((s) => s.id);
  if (ids.length > 0) await recomputeSegments(db, { shop, ctx: await shopContext(db, { shop, now }), segmentIds: ids });
  return { changed: true, recomputed: ids.length };
}

/** Every active segment of a shop, recomputed in the database (on demand, and nightly for dates). */
export async function recomputeAll(
  db: Db,
  { shop, now, onProgress }: { shop: string; now: Date; onProgress?: (done: number, total: number) => void },
): Promise<RecomputeResult[]> {
  const ctx = await shopContext(db, { shop, now });
  const results = await recomputeSegments(db, { shop, ctx, onProgress });
  // Memberships may have grown by orders of magnitude: keep the lookups of members on their indexes.
  // Only the tables a recompute writes many rows to (a whole-database ANALYZE costs a second at 1M).
  await refreshPlannerStatistics(db, { tables: ["SegmentMember", "SegmentEvent"] });
  return results;
}

export type PreviewMember = { id: string; name: string; email: string | null; orders: number; spent: string; lastOrderAt: string | null };

/** A member as the editor's preview and the detail page list them. */
const MEMBER_COLUMNS = `c."id", c."firstName", c."lastName", c."email", f."ordersCount", f."amountSpentMinor", f."lastOrderAt"`;

function memberRow(r: Record<string, unknown>, currencyCode: string): PreviewMember {
  return {
    id: String(r.id),
    name: [r.firstName, r.lastName].filter((v) => v != null && v !== "").join(" ") || "—",
    email: r.email == null ? null : String(r.email),
    orders: r.ordersCount == null ? 0 : toNumber(r.ordersCount),
    spent: formatMinor(r.amountSpentMinor == null ? 0n : toBigInt(r.amountSpentMinor), currencyCode),
    lastOrderAt: toDate(r.lastOrderAt)?.toISOString() ?? null,
  };
}

/** Previews one shop may run at once, in this process: each is a statement over all its customers. */
export const MAX_PREVIEWS_PER_SHOP = 2;
const previewsRunning = new Map<string, number>();

/**
 * One of the shop's preview slots, or null when all are taken. The function returned gives it back
 * (once, however often it is called).
 */
export function acquirePreviewSlot(shop: string): (() => void) | null {
  const running = previewsRunning.get(shop) ?? 0;
  if (running >= MAX_PREVIEWS_PER_SHOP) return null;
  previewsRunning.set(shop, running + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (previewsRunning.get(shop) ?? 1) - 1;
    if (left > 0) previewsRunning.set(shop, left);
    else previewsRunning.delete(shop);
  };
}

/**
 * The editor's live preview: how many, and the first few with their key facts. A query with a mistake
 * answers where it is (no database work); a good one runs within the preview's time bound
 * (SegmentTimeoutError past it) and only if the shop has a preview slot free (SegmentBusyError if not).
 */
export async function previewQuery(
  db: Db,
  { shop, query, now, limit = 10 }: { shop: string; query: string; now: Date; limit?: number },
): Promise<{ ok: true; count: number; members: PreviewMember[] } | { ok: false; error: string }> {
  const ctx = await shopContext(db, { shop, now });
  const checked = parseQuery(query, ctx);
  if (!checked.ok) return checked;
  const release = acquirePreviewSlot(shop);
  if (!release) throw new SegmentBusyError(`Too many previews at once for this shop (at most ${MAX_PREVIEWS_PER_SHOP}): the count follows in a moment`);
  try {
    return await bounded(db, async (tx) => {
      const n = await count(tx, { shop, rule: checked.rule, ctx });
      const sql = new Sql(tx.dialect);
      const shopParam = sql.p(shop);
      const where = compiled(tx, sql, checked.rule, ctx);
      const rows = await tx.all(
        sql,
        `SELECT ${MEMBER_COLUMNS}
         ${FROM} WHERE c."shop" = ${shopParam} AND ${where} ORDER BY c."id" LIMIT ${sql.p(limit)}`,
      );
      return { ok: true as const, count: n, members: rows.map((r) => memberRow(r, ctx.currencyCode)) };
    });
  } finally {
    release();
  }
}

export type SegmentDetail = {
  id: number;
  name: string;
  query: string;
  memberCount: number;
  lastComputedAt: Date | null;
  /** Members at the end of each of the last `days` days (UTC), oldest first. */
  sizeOverTime: { day: string; size: number }[];
  profile: { averageSpent: string; averageOrders: number; topCountries: { code: string; customers: number }[]; topProducts: { title: string; customers: number }[] };
  members: PreviewMember[];
  page: number;
  pages: number;
};

const PAGE_SIZE = 25;

export async function segmentDetail(
  db: Db,
  { shop, id, now, page = 1, days = 30 }: { shop: string; id: number; now: Date; page?: number; days?: number },
): Promise<SegmentDetail | null> {
  if (!isSegmentId(id)) return null;
  const segment = await db.prisma.segment.findFirst({ where: { shop, id } });
  if (!segment) return null;
  const ctx = await shopContext(db, { shop, now });
  const dayMs = 86_400_000;
  const today = Math.floor(now.getTime() / dayMs);
  const since = new Date((today - days + 1) * dayMs);

  // Net entries per day, newest first; the size at the end of a day is today's size minus what
  // happened after it.
  const s1 = new Sql(db.dialect);
  const day = epochDayExpr(db.dialect, `"at"`);
  const changes = await db.all(
    s1,
    `SELECT ${day} AS d, SUM(CASE WHEN "entered" = ${s1.p(true)} THEN 1 ELSE -1 END) AS net FROM "SegmentEvent"
     WHERE "shop" = ${s1.p(shop)} AND "segmentId" = ${s1.p(id)} AND "at" >= ${s1.p(since)} GROUP BY ${day}`,
  );
  const net = new Map(changes.map((r) => [toNumber(r.d), toNumber(r.net)]));
  const sizeOverTime: { day: string; size: number }[] = [];
  let size = segment.memberCount;
  for (let d = today; d > today - days; d--) {
    sizeOverTime.push({ day: new Date(d * dayMs).toISOString().slice(0, 10), size });
    size -= net.get(d) ?? 0;
  }
  sizeOverTime.reverse();

  const members = `FROM "SegmentMember" m JOIN "Customer" c ON c."shop" = m."shop" AND c."id" = m."customerId"
    LEFT JOIN "CustomerFacts" f ON f."shop" = m."shop" AND f."customerId" = m."customerId"`;
  const s2 = new Sql(db.dialect);
  const [averages] = await db.all(
    s2,
    `SELECT AVG(COALESCE(f."amountSpentMinor", 0)) AS spent, AVG(COALESCE(f."ordersCount", 0)) AS orders ${members}
     WHERE m."shop" = ${s2.p(shop)} AND m."segmentId" = ${s2.p(id)}`,
  );
  const s3 = new Sql(db.dialect);
  const countries = await db.all(
    s3,
    `SELECT c."countryCode" AS code, COUNT(*) AS n ${members}
     WHERE m."shop" = ${s3.p(shop)} AND m."segmentId" = ${s3.p(id)} AND c."countryCode" IS NOT NULL
     GROUP BY c."countryCode" ORDER BY n DESC, code LIMIT 5`,
  );
  const s4 = new Sql(db.dialect);
  const products = await db.all(
    s4,
    `SELECT l."title" AS title, COUNT(DISTINCT o."customerId") AS n
     FROM "SegmentMember" m JOIN "Order" o ON o."shop" = m."shop" AND o."customerId" = m."customerId"
     JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."id"
     WHERE m."shop" = ${s4.p(shop)} AND m."segmentId" = ${s4.p(id)} AND o."cancelledAt" IS NULL AND l."title" IS NOT NULL
     GROUP BY l."title" ORDER BY n DESC, title LIMIT 5`,
  );
  const pages = Math.max(1, Math.ceil(segment.memberCount / PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const s5 = new Sql(db.dialect);
  const rows = await db.all(
    s5,
    `SELECT ${MEMBER_COLUMNS} ${members}
     WHERE m."shop" = ${s5.p(shop)} AND m."segmentId" = ${s5.p(id)}
     ORDER BY c."id" LIMIT ${s5.p(PAGE_SIZE)} OFFSET ${s5.p((current - 1) * PAGE_SIZE)}`,
  );
  const spent = averages?.spent == null ? 0n : BigInt(Math.round(Number(averages.spent)));
  return {
    id: segment.id,
    name: segment.name,
    query: segment.query,
    memberCount: segment.memberCount,
    lastComputedAt: segment.lastComputedAt,
    sizeOverTime,
    profile: {
      averageSpent: formatMinor(spent, ctx.currencyCode),
      averageOrders: averages?.orders == null ? 0 : Math.round(Number(averages.orders) * 10) / 10,
      topCountries: countries.map((r) => ({ code: String(r.code), customers: toNumber(r.n) })),
      topProducts: products.map((r) => ({ title: String(r.title), customers: toNumber(r.n) })),
    },
    members: rows.map((r) => memberRow(r, ctx.currencyCode)),
    page: current,
    pages,
  };
}
