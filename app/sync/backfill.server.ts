// Backfill at install: one Admin GraphQL bulk operation per resource (customers, products, orders),
// one at a time per shop as Shopify requires, each streamed line by line through the same mappers and
// upserts as the webhooks. `advanceBackfill` is a step of a state machine kept in BulkJob; the
// bulk_operations/finish webhook, the poller and the install hook all call it, and calling it twice is
// harmless:
//
//   queued --start--> running --COMPLETED--> importing --> done
//                        |--FAILED/EXPIRED/CANCELED--> queued again (up to MAX_ATTEMPTS) --> failed
import type { Executor } from "~/db/database.server";
import { date, decoder, int, join, nullable, raw, sql, text, type SqlQuery } from "~/db/sql";
import type { CustomerRow, OrderRow, ProductRow } from "~/domain/rows";
import {
  lockShop,
  recomputeFacts,
  refreshPlannerStatistics,
  upsertCustomers,
  upsertOrders,
  upsertProducts,
} from "~/models/store.server";
import type { AdminClient } from "./admin-client.server";
import { BULK_CUSTOMERS_QUERY, BULK_ORDERS_QUERY, BULK_PRODUCTS_QUERY } from "./bulk-queries";
import { readBulkJsonl } from "./jsonl";
import { mapCustomerNode, mapOrderNode, mapProductNode } from "./mappers/graphql";
import { setCursor } from "./reconcile.server";
import { refreshRfm } from "~/models/rfm.server";

export const RESOURCES = ["customers", "products", "orders"] as const;
export type Resource = (typeof RESOURCES)[number];

const MAX_ATTEMPTS = 3;
const BATCH = 1_000;
/** An importing job whose progress has not moved for this long lost its process; another may resume it. */
const STALE_IMPORT_MS = 120_000;

const QUERIES: Record<Resource, string> = {
  customers: BULK_CUSTOMERS_QUERY,
  products: BULK_PRODUCTS_QUERY,
  orders: BULK_ORDERS_QUERY,
};

const COUNT_QUERIES: Record<Resource, string> = {
  customers: `#graphql
    query TailoredCustomersCount { customersCount(limit: null) { count } }`,
  products: `#graphql
    query TailoredProductsCount { productsCount(limit: null) { count } }`,
  orders: `#graphql
    query TailoredOrdersCount { ordersCount(limit: null) { count } }`,
};

const RUN_MUTATION = `#graphql
  mutation TailoredBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }`;

const STATUS_QUERY = `#graphql
  query TailoredBulkStatus($id: ID!) {
    node(id: $id) {
      ... on BulkOperation { id status errorCode objectCount url partialDataUrl }
    }
  }`;

export type BulkJob = {
  id: number;
  shop: string;
  resource: Resource;
  status: "queued" | "running" | "importing" | "done" | "failed";
  operationId: string | null;
  attempts: number;
  rowsDone: number;
  rowsEstimate: number | null;
  error: string | null;
  createdAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date | null;
};

const job = decoder({
  id: int,
  shop: text,
  resource: (value) => text(value) as Resource,
  status: (value) => text(value) as BulkJob["status"],
  operationId: nullable(text),
  attempts: int,
  rowsDone: int,
  rowsEstimate: nullable(int),
  error: nullable(text),
  createdAt: date,
  startedAt: date,
  finishedAt: date,
  updatedAt: date,
});

export async function listJobs(db: Executor, { shop }: { shop: string }): Promise<BulkJob[]> {
  return db.all(sql`SELECT * FROM "BulkJob" WHERE "shop" = ${shop} ORDER BY "id"`, job);
}

/** The newest run of each resource, for the Sync page. */
export async function latestJobs(db: Executor, { shop }: { shop: string }): Promise<BulkJob[]> {
  const latest = new Map<Resource, BulkJob>();
  for (const job of await listJobs(db, { shop })) latest.set(job.resource, job);
  return RESOURCES.flatMap((r) => (latest.has(r) ? [latest.get(r)!] : []));
}

/** Queues a full backfill; resources with a run still in progress are left alone. */
export async function queueBackfill(db: Executor, { shop, now }: { shop: string; now: Date }): Promise<number> {
  return db.transaction(async (tx) => {
    const active = new Set(
      (await listJobs(tx, { shop })).filter((j) => j.status !== "done" && j.status !== "failed").map((j) => j.resource),
    );
    let queued = 0;
    for (const resource of RESOURCES) {
      if (active.has(resource)) continue;
      await tx.run(
        sql`INSERT INTO "BulkJob" ("shop", "resource", "status", "attempts", "rowsDone", "createdAt", "updatedAt")
         VALUES (${shop}, ${resource}, 'queued', 0, 0, ${now}, ${now})`,
      );
      queued += 1;
    }
    return queued;
  });
}

/** Sets a job's columns (their names are BulkJob's, never input); `where` narrows it further. */
async function update(
  db: Executor,
  id: number,
  fields: Partial<Omit<BulkJob, "id" | "shop">>,
  where: SqlQuery = raw(""),
): Promise<number> {
  const sets = join(Object.entries(fields).map(([k, v]) => sql`${raw(`"${k}"`)} = ${v}`));
  return db.run(sql`UPDATE "BulkJob" SET ${sets} WHERE "id" = ${id}${where}`);
}

type RunResult = {
  bulkOperationRunQuery: {
    bulkOperation: { id: string; status: string } | null;
    userErrors: { field: string[] | null; message: string; code: string | null }[];
  };
};

type StatusResult = {
  node: {
    id: string;
    status: string;
    errorCode: string | null;
    objectCount: string;
    url: string | null;
    partialDataUrl: string | null;
  } | null;
};

export type AdvanceOptions = {
  shop: string;
  client: AdminClient;
  now: () => Date;
  /** Streams a result file; the default fetches it. */
  download?: (url: string) => Promise<AsyncIterable<Uint8Array>>;
  onProgress?: (job: BulkJob) => void;
};

async function defaultDownload(url: string): Promise<AsyncIterable<Uint8Array>> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`download of the bulk result failed: HTTP ${response.status}`);
  return response.body as unknown as AsyncIterable<Uint8Array>;
}

/**
 * Moves the shop's backfill forward as far as it can now: imports a completed operation, starts the
 * next queued one. Returns the jobs as they stand.
 */
export async function advanceBackfill(db: Executor, options: AdvanceOptions): Promise<BulkJob[]> {
  const { shop, client } = options;
  for (;;) {
    const jobs = await listJobs(db, { shop });
    const running = jobs.find((j) => j.status === "running");
    const importing = jobs.find((j) => j.status === "importing");
    if (importing) {
      const stale = !importing.updatedAt || options.now().getTime() - importing.updatedAt.getTime() > STALE_IMPORT_MS;
      if (!stale) return jobs; // another call is importing it
      // Its process died: take it over and resume. The claim is a compare-and-set on updatedAt, so
      // of two callers that both saw it stale only one wins.
      const won = await db.run(
        sql`UPDATE "BulkJob" SET "updatedAt" = ${options.now()}
         WHERE "id" = ${importing.id} AND "status" = 'importing' AND "updatedAt" = ${importing.updatedAt}`,
      );
      if (won > 0) await importResult(db, importing, options);
      continue;
    }
    if (running) {
      const status = await client.request<StatusResult>(STATUS_QUERY, { id: running.operationId });
      const op = status.node;
      if (!op) throw new Error(`bulk operation ${running.operationId} is unknown to Shopify`);
      if (op.status === "CREATED" || op.status === "RUNNING" || op.status === "CANCELING") return jobs;
      if (op.status === "COMPLETED") {
        // Compare-and-set: of two concurrent callers only one moves it to importing.
        const won = await update(
          db,
          running.id,
          { status: "importing", updatedAt: options.now() },
          sql` AND "status" = 'running'`,
        );
        if (won === 0) continue;
        if (!op.url) {
          // No objects at all: Shopify gives no file.
          await update(db, running.id, { status: "done", finishedAt: options.now(), updatedAt: options.now() });
          continue;
        }
        await importResult(db, { ...running, status: "importing" }, { ...options, url: op.url });
        continue;
      }
      // FAILED, EXPIRED or CANCELED: try again from the start, a few times.
      const reason = `bulk operation ${op.status.toLowerCase()}${op.errorCode ? ` (${op.errorCode})` : ""}`;
      await update(db, running.id, {
        status: running.attempts >= MAX_ATTEMPTS ? "failed" : "queued",
        error: reason,
        operationId: null,
        updatedAt: options.now(),
        ...(running.attempts >= MAX_ATTEMPTS ? { finishedAt: options.now() } : {}),
      });
      continue;
    }
    const queued = jobs.find((j) => j.status === "queued");
    if (!queued) return jobs;
    await start(db, queued, options);
    return listJobs(db, { shop });
  }
}

async function start(db: Executor, job: BulkJob, options: AdvanceOptions): Promise<void> {
  const result = await options.client.request<RunResult>(RUN_MUTATION, { query: QUERIES[job.resource] });
  const { bulkOperation, userErrors } = result.bulkOperationRunQuery;
  if (userErrors.some((e) => e.code === "OPERATION_IN_PROGRESS")) return; // someone else's; try again later
  if (!bulkOperation || userErrors.length > 0) {
    const message = userErrors.map((e) => e.message).join("; ") || "no bulk operation returned";
    await update(db, job.id, { status: "failed", error: message, finishedAt: options.now(), updatedAt: options.now() });
    return;
  }
  let estimate: number | null = null;
  try {
    const counted = await options.client.request<Record<string, { count: number } | null>>(COUNT_QUERIES[job.resource]);
    const value = Object.values(counted)[0]?.count;
    estimate = typeof value === "number" ? value : null;
  } catch {
    estimate = null; // only the progress bar's denominator: never worth failing the backfill for
  }
  await update(db, job.id, {
    status: "running",
    operationId: bulkOperation.id,
    attempts: job.attempts + 1,
    rowsDone: 0,
    rowsEstimate: estimate,
    // A retry keeps the previous attempt's reason on show until it succeeds.
    startedAt: options.now(),
    updatedAt: options.now(),
  });
}

/**
 * Streams the result file into the store in batches; each batch and the job's progress commit
 * together, so a resumed import skips exactly what is already in.
 */
async function importResult(db: Executor, job: BulkJob, options: AdvanceOptions & { url?: string }): Promise<void> {
  const { shop } = options;
  let url = options.url;
  if (!url) {
    const status = await options.client.request<StatusResult>(STATUS_QUERY, { id: job.operationId });
    url = status.node?.url ?? undefined;
    if (!url) {
      await update(db, job.id, {
        status: "queued",
        error: "the result file expired; starting again",
        operationId: null,
        updatedAt: options.now(),
      });
      return;
    }
  }
  const stream = await (options.download ?? defaultDownload)(url);
  let done = 0;
  let customers: CustomerRow[] = [];
  let orders: OrderRow[] = [];
  let products: ProductRow[] = [];
  let pending = 0;
  const errors: string[] = [];
  const flush = async () => {
    if (pending === 0) return;
    const now = options.now();
    const count = pending;
    await db.transaction(async (tx) => {
      await lockShop(tx, shop);
      if (customers.length) await upsertCustomers(tx, { shop, rows: customers, now });
      if (products.length) await upsertProducts(tx, { shop, rows: products, now });
      if (orders.length) await upsertOrders(tx, { shop, rows: orders, now });
      await update(tx, job.id, {
        rowsDone: done + count,
        updatedAt: now,
        error: errors.length ? errors.slice(0, 5).join("; ") : null,
      });
    });
    done += count;
    customers = [];
    orders = [];
    products = [];
    pending = 0;
    options.onProgress?.({ ...job, rowsDone: done });
  };
  let index = 0;
  for await (const record of readBulkJsonl(stream)) {
    if ("error" in record) {
      errors.push(`line ${record.line}: ${record.error}`);
      continue;
    }
    index += 1;
    if (index <= job.rowsDone) {
      done = index;
      continue; // committed by an earlier, interrupted import
    }
    const mapped =
      job.resource === "customers"
        ? mapCustomerNode(record.node)
        : job.resource === "products"
          ? mapProductNode(record.node)
          : mapOrderNode(record.node, record.children);
    if (!mapped.ok) errors.push(`line ${record.line}: ${mapped.error}`);
    else if (job.resource === "customers") customers.push(mapped.value as CustomerRow);
    else if (job.resource === "products") products.push(mapped.value as ProductRow);
    else orders.push(mapped.value as OrderRow);
    pending += 1;
    if (pending >= BATCH) await flush();
  }
  await flush();
  if (job.resource !== "products") {
    await recomputeFacts(db, { shop, now: options.now() });
    await refreshRfm(db, { shop });
    await refreshPlannerStatistics(db);
    // The file is a snapshot from about when the operation started: reconciliation takes it from there.
    await setCursor(db, {
      shop,
      resource: job.resource,
      syncedUntil: job.startedAt ?? options.now(),
      now: options.now(),
      found: done,
    });
  }
  await update(db, job.id, {
    status: "done",
    rowsDone: done,
    finishedAt: options.now(),
    updatedAt: options.now(),
    error: errors.length ? `${errors.length} rows could not be read: ${errors.slice(0, 5).join("; ")}` : null,
  });
}
