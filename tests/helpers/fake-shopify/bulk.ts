// Bulk query operations for the stand-in (fake-shopify.ts), as documented for API versions before
// 2026-01: bulkOperationRunQuery (one running query operation per shop), status moving along with
// each read (currentBulkOperation, node(id:)), the result a JSONL file at a URL that needs no token
// (or partial data when an operation fails), and a signed bulk_operations/finish webhook when one
// ends. Tests can make the next operation fail or expire.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import type http from "node:http";
import { webhookHeaders } from "../../../app/sync/signing";
import { GraphQLFieldError, parseDocument, type Field, type Obj } from "./graphql";

export type Resource = "customers" | "orders" | "products";

export type WebhookDelivery = { topic: string; body: string; status: number | null; error?: string };

export type BulkOptions = {
  shop: string;
  apiVersion: string;
  /** The JSONL result per resource (the bulk query's top-level connection says which). */
  bulkFiles?: Partial<Record<Resource, string>>;
  /** Status is CREATED/RUNNING for this many status reads, then the operation ends. */
  pollsUntilComplete: number;
  /** Also (or instead) end an operation this long after it was created. */
  bulkCompletesAfterMs?: number;
  /** POST a signed bulk_operations/finish webhook when an operation ends. */
  onBulkFinish?: { webhookUrl: string; secret: string };
};

type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "EXPIRED" | "CANCELED";
type BulkOp = {
  n: number;
  id: string;
  query: string;
  resource: Resource;
  file: string | null;
  status: BulkStatus;
  reads: number;
  createdAt: string;
  completedAt: string | null;
  errorCode: string | null;
  url: string | null;
  partialDataUrl: string | null;
  partialEnd: number | null; // serve bytes [0, partialEnd) of the file as partial data
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  timer?: NodeJS.Timeout;
};

type FileCounts = { objects: number; roots: number };
const countCache = new Map<string, { key: string; counts: FileCounts }>();

/** Counts lines and top-level lines (no __parentId) of a JSONL file up to `end` bytes, streaming. */
export async function countJsonl(path: string, end?: number): Promise<FileCounts> {
  const stat = await fs.promises.stat(path);
  const key = `${stat.size}:${stat.mtimeMs}:${end ?? ""}`;
  const cached = countCache.get(path + "\0" + (end ?? ""));
  if (cached && cached.key === key) return cached.counts;
  const marker = Buffer.from('"__parentId"');
  let objects = 0;
  let roots = 0;
  let carry: Buffer | null = null;
  const countLine = (buf: Buffer, start: number, stop: number) => {
    let s = start;
    while (s < stop && (buf[s] === 0x20 || buf[s] === 0x0d || buf[s] === 0x09)) s++;
    if (s >= stop) return;
    objects++;
    const at = buf.indexOf(marker, s);
    if (at === -1 || at >= stop) roots++;
  };
  const stream = fs.createReadStream(path, end === undefined ? {} : { end: Math.max(0, end - 1) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    let start = 0;
    let nl = buf.indexOf(0x0a, start);
    while (nl !== -1) {
      countLine(buf, start, nl);
      start = nl + 1;
      nl = buf.indexOf(0x0a, start);
    }
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
  }
  if (carry) countLine(carry, 0, carry.length);
  const counts = { objects, roots };
  countCache.set(path + "\0" + (end ?? ""), { key, counts });
  return counts;
}

/** Byte offset just past the first line end at or after the middle of the file: where partial data stops. */
async function halfwayLineEnd(path: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const handle = await fs.promises.open(path, "r");
  try {
    const window = Buffer.alloc(64 * 1024);
    let pos = Math.floor(size / 2);
    while (pos < size) {
      const { bytesRead } = await handle.read(window, 0, window.length, pos);
      if (bytesRead === 0) break;
      const nl = window.subarray(0, bytesRead).indexOf(0x0a);
      if (nl !== -1) return pos + nl + 1;
      pos += bytesRead;
    }
    return size;
  } finally {
    await handle.close();
  }
}

/** The first field of the bulk query's root selection: the connection being exported. */
function bulkTopLevelField(bulkQuery: string): string | null {
  try {
    const doc = parseDocument(bulkQuery);
    const first = doc.operations[0]?.selections.find((s): s is Field => s.kind === "field");
    return first?.name ?? null;
  } catch {
    return null;
  }
}

const isRunning = (op: BulkOp) => op.status === "CREATED" || op.status === "RUNNING";

function opView(op: BulkOp | undefined): Obj | null {
  return op
    ? {
        __typename: "BulkOperation",
        id: op.id,
        status: op.status,
        errorCode: op.errorCode,
        createdAt: op.createdAt,
        completedAt: op.completedAt,
        // UnsignedInt64 is serialized as a string.
        objectCount: String(op.objectCount),
        rootObjectCount: String(op.rootObjectCount),
        fileSize: op.fileSize === null ? null : String(op.fileSize),
        url: op.url,
        partialDataUrl: op.partialDataUrl,
        query: op.query,
        type: "QUERY",
      }
    : null;
}

/** The shop's bulk operations, oldest first. */
export class BulkOperations {
  /** The server's origin, for result URLs; set once it listens. */
  origin = "";
  readonly webhookDeliveries: WebhookDelivery[] = [];
  private readonly pendingDeliveries = new Set<Promise<void>>();
  private readonly ops: BulkOp[] = [];
  private nextOp = 1;
  private pendingFailure: { errorCode: string; partial: boolean } | null = null;
  private pendingExpiry = false;

  constructor(private readonly options: BulkOptions) {}

  /** The next operation to end fails with `errorCode`, with partial data when asked. */
  failNext(errorCode: string, partial: boolean): void {
    this.pendingFailure = { errorCode, partial };
  }

  /** The next operation to end expires: completed, but its result no longer downloadable. */
  expireNext(): void {
    this.pendingExpiry = true;
  }

  /** bulkOperationRunQuery(query:) */
  run(args: Obj): Obj {
    const bulkQuery = args.query;
    if (typeof bulkQuery !== "string")
      throw new GraphQLFieldError(
        "Argument 'query' on Field 'bulkOperationRunQuery' has an invalid value. Expected type 'String!'.",
      );
    const running = this.ops.find(isRunning);
    if (running) {
      return {
        __typename: "BulkOperationRunQueryPayload",
        bulkOperation: null,
        userErrors: [
          {
            __typename: "BulkOperationUserError",
            field: null,
            message: `A bulk query operation for this app and shop is already in progress: ${running.id}.`,
            code: "OPERATION_IN_PROGRESS",
          },
        ],
      };
    }
    const top = bulkTopLevelField(bulkQuery);
    if (top !== "customers" && top !== "orders" && top !== "products") {
      return {
        __typename: "BulkOperationRunQueryPayload",
        bulkOperation: null,
        userErrors: [
          {
            __typename: "BulkOperationUserError",
            field: ["query"],
            message: top
              ? `Invalid bulk query: this stand-in for Shopify serves customers, orders and products, not ${top}`
              : "Invalid bulk query: no connection field found",
            code: "INVALID",
          },
        ],
      };
    }
    const n = this.nextOp++;
    const op: BulkOp = {
      n,
      id: `gid://shopify/BulkOperation/${n}`,
      query: bulkQuery,
      resource: top,
      file: this.options.bulkFiles?.[top] ?? null,
      status: "CREATED",
      reads: 0,
      createdAt: new Date().toISOString(),
      completedAt: null,
      errorCode: null,
      url: null,
      partialDataUrl: null,
      partialEnd: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
    };
    if (this.options.bulkCompletesAfterMs !== undefined) {
      op.timer = setTimeout(() => void this.finish(op).catch(() => undefined), this.options.bulkCompletesAfterMs);
    }
    this.ops.push(op);
    return { __typename: "BulkOperationRunQueryPayload", bulkOperation: opView(op), userErrors: [] };
  }

  /** currentBulkOperation: the latest operation, read (which moves it along). */
  async current(): Promise<Obj | null> {
    return opView(await this.readOp(this.ops[this.ops.length - 1]));
  }

  /** node(id:) / bulkOperation(id:), read. */
  async byId(id: string): Promise<Obj | null> {
    return opView(await this.readOp(this.ops.find((o) => o.id === id)));
  }

  /** GET /bulk/{n}.jsonl or /bulk/{n}-partial.jsonl */
  serveDownload(res: http.ServerResponse, n: number, partial: boolean): void {
    const op = this.ops.find((o) => o.n === n);
    const served = op && op.file && (partial ? op.partialDataUrl !== null && op.partialEnd !== null : op.url !== null);
    if (!op || !op.file || !served) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not Found");
      return;
    }
    const stream = partial
      ? op.partialEnd === 0
        ? null
        : fs.createReadStream(op.file, { start: 0, end: op.partialEnd! - 1 })
      : fs.createReadStream(op.file);
    const length = partial ? op.partialEnd! : (op.fileSize ?? 0);
    res.writeHead(200, { "content-type": "application/jsonl", "content-length": String(length) });
    if (!stream) {
      res.end();
      return;
    }
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  }

  /** Stops the timers and waits for the webhooks under way. */
  async close(): Promise<void> {
    for (const op of this.ops) if (op.timer) clearTimeout(op.timer);
    await Promise.allSettled([...this.pendingDeliveries]);
  }

  private deliverFinish(op: BulkOp): void {
    const hook = this.options.onBulkFinish;
    if (!hook) return;
    // The documented payload: the operation's id and how it ended, in snake_case.
    const body = JSON.stringify({
      admin_graphql_api_id: op.id,
      completed_at: op.completedAt,
      created_at: op.createdAt,
      error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
      status: op.status.toLowerCase(),
      type: "query",
    });
    const topic = "bulk_operations/finish";
    const record: WebhookDelivery = { topic, body, status: null };
    this.webhookDeliveries.push(record);
    const headers = webhookHeaders(
      {
        topic,
        shop: this.options.shop,
        body,
        eventId: randomUUID(),
        webhookId: randomUUID(),
        apiVersion: this.options.apiVersion,
      },
      hook.secret,
    );
    const delivery = fetch(hook.webhookUrl, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) })
      .then(async (response) => {
        record.status = response.status;
        await response.arrayBuffer().catch(() => undefined);
      })
      .catch((error: unknown) => {
        record.error = (error as Error)?.message ?? String(error);
      })
      .finally(() => this.pendingDeliveries.delete(delivery));
    this.pendingDeliveries.add(delivery);
  }

  private async finish(op: BulkOp): Promise<void> {
    if (op.timer) clearTimeout(op.timer);
    const now = new Date().toISOString();
    const size = op.file ? (await fs.promises.stat(op.file)).size : 0;
    const total = op.file ? await countJsonl(op.file) : { objects: 0, roots: 0 };
    if (!isRunning(op)) return; // finished meanwhile (timer and a poll together)
    if (this.pendingFailure) {
      const { errorCode, partial } = this.pendingFailure;
      this.pendingFailure = null;
      op.status = "FAILED";
      op.errorCode = errorCode;
      op.url = null;
      if (partial && op.file && size > 0) {
        op.partialEnd = await halfwayLineEnd(op.file, size);
        const counts = await countJsonl(op.file, op.partialEnd);
        op.partialDataUrl = `${this.origin}/bulk/${op.n}-partial.jsonl`;
        op.objectCount = counts.objects;
        op.rootObjectCount = counts.roots;
      } else {
        op.objectCount = 0;
        op.rootObjectCount = 0;
      }
      op.completedAt = null;
    } else {
      op.objectCount = total.objects;
      op.rootObjectCount = total.roots;
      op.completedAt = now;
      if (this.pendingExpiry) {
        this.pendingExpiry = false;
        op.status = "EXPIRED";
        op.url = null;
      } else {
        op.status = "COMPLETED";
        // No result, no file: the operation completes with url null.
        op.url = op.file && total.objects > 0 ? `${this.origin}/bulk/${op.n}.jsonl` : null;
        op.fileSize = op.url ? size : null;
      }
    }
    this.deliverFinish(op);
  }

  /** A status read moves an unfinished operation along: RUNNING for `pollsUntilComplete` reads, then its end. */
  private async readOp(op: BulkOp | undefined): Promise<BulkOp | undefined> {
    if (!op || !isRunning(op)) return op;
    op.reads++;
    const polls = this.options.pollsUntilComplete;
    if (op.reads > polls) {
      await this.finish(op);
    } else {
      op.status = "RUNNING";
      if (op.file) {
        const total = await countJsonl(op.file);
        op.objectCount = Math.floor((total.objects * op.reads) / (polls + 1));
        op.rootObjectCount = Math.floor((total.roots * op.reads) / (polls + 1));
      }
    }
    return op;
  }
}
