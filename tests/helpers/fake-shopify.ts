// A local stand-in for the parts of Shopify's Admin GraphQL API (2025-07) that Tailored uses, held to
// the documented contract so the sync can be tested without Shopify:
// - POST /admin/api/{version}/graphql.json with {query, variables, operationName?} and the
//   X-Shopify-Access-Token header; a missing or wrong token is HTTP 401.
// - Cost-based rate limiting with a leaky bucket per app and store: every answer carries
//   extensions.cost; a request the bucket can't cover is HTTP 200 with a THROTTLED error.
// - Bulk query operations: bulkOperationRunQuery, one running query operation per shop (API versions
//   before 2026-01), status read through currentBulkOperation / node(id:), the result a JSONL file at
//   a URL that needs no token; a bulk_operations/finish webhook when one ends.
// - customers / orders connections with `updated_at` search filters and cursor pagination, the
//   *Count queries, shop.
// The query text is parsed (a small GraphQL parser below) and answers carry only the selected fields,
// so a client that forgets to select a field sees it missing, as it would with Shopify.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { webhookHeaders } from "../../app/sync/signing";

type Resource = "customers" | "orders" | "products";

export type FakeShopifyOptions = {
  shop: string;
  accessToken: string;
  apiVersion?: string;
  /** Data served by bulk operations, as JSONL file paths per resource (the bulk query's top-level connection says which). */
  bulkFiles?: Partial<Record<Resource, string>>;
  /**
   * Nodes served by the paginated customers(first, after, query) / orders(...) queries: at least `updatedAt` (ISO) and `id` (GID).
   * An order's `lineItems`, given as a list of line nodes, is served as a connection; order(id:) reads one order.
   */
  customers?: Record<string, unknown>[];
  orders?: Record<string, unknown>[];
  counts?: Partial<Record<Resource, number>>;
  shopInfo?: { name: string; currencyCode: string; ianaTimezone: string };
  /** Status is CREATED/RUNNING for this many status reads, then the operation ends. Default 1. */
  bulkPollsUntilComplete?: number;
  /** Also (or instead) end an operation this long after it was created, for webhook-driven callers that never poll. */
  bulkCompletesAfterMs?: number;
  /** Leaky bucket; default generous (2000 points, 100/s, 1 point a request). */
  throttle?: { maximumAvailable: number; restoreRate: number; queryCost: number };
  /** POST a signed bulk_operations/finish webhook when an operation ends. */
  onBulkFinish?: { webhookUrl: string; secret: string };
  /** The bucket's clock in milliseconds (default performance.now): tests that inject the client's sleep can advance it. */
  now?: () => number;
};

export type FakeShopifyRequest = {
  operation: string; // root field names, comma-separated ("bulkOperationRunQuery", "shop,customersCount"), or "" when unparsed
  variables: unknown;
  query?: string;
  status: number; // HTTP status answered
  throttled?: boolean;
};

export type WebhookDelivery = { topic: string; body: string; status: number | null; error?: string };

export type FakeShopify = {
  origin: string; // http://127.0.0.1:PORT
  requests: FakeShopifyRequest[];
  webhookDeliveries: WebhookDelivery[];
  failNextBulk(errorCode: "INTERNAL_SERVER_ERROR" | "TIMEOUT" | "ACCESS_DENIED", opts?: { partial?: boolean }): void;
  expireNextBulk(): void;
  respond429Next(retryAfterSeconds: number): void;
  respond500Next(count?: number): void;
  setCustomers(nodes: Record<string, unknown>[]): void;
  setOrders(nodes: Record<string, unknown>[]): void;
  close(): Promise<void>;
};

// ---------------------------------------------------------------------------------------------
// A small GraphQL parser: enough of the grammar for the documents a client sends (operations,
// variables, aliases, arguments, inline fragments and named fragments). No validation against a schema.

type Value =
  | { kind: "var"; name: string }
  | { kind: "const"; value: unknown }
  | { kind: "list"; items: Value[] }
  | { kind: "object"; fields: [string, Value][] };
type Field = { kind: "field"; alias?: string; name: string; args: Map<string, Value>; selections?: Selection[] };
type Selection = Field | { kind: "inline"; on?: string; selections: Selection[] } | { kind: "spread"; name: string };
type Operation = {
  type: "query" | "mutation" | "subscription";
  name?: string;
  defaults: Map<string, Value>;
  selections: Selection[];
};
type Doc = { operations: Operation[]; fragments: Map<string, { on: string; selections: Selection[] }> };

class GraphQLSyntaxError extends Error {}

type Token = { kind: "punct" | "name" | "number" | "string"; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "," || c === "\ufeff") {
      i++;
    } else if (c === "#") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
    } else if (c === "." && source.startsWith("...", i)) {
      tokens.push({ kind: "punct", value: "..." });
      i += 3;
    } else if ("{}()[]:=@$!|&".includes(c)) {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_]/.test(source[i]!)) i++;
      tokens.push({ kind: "name", value: source.slice(start, i) });
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!m) throw new GraphQLSyntaxError(`unexpected ${JSON.stringify(c)} at ${i}`);
      tokens.push({ kind: "number", value: m[0] });
      i += m[0].length;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        if (end === -1) throw new GraphQLSyntaxError("unterminated block string");
        tokens.push({ kind: "string", value: blockString(source.slice(i + 3, end).replace(/\\"""/g, '"""')) });
        i = end + 3;
      } else {
        let j = i + 1;
        let raw = "";
        while (j < n && source[j] !== '"') {
          if (source[j] === "\\") {
            raw += source.slice(j, j + 2);
            j += 2;
          } else {
            if (source[j] === "\n") throw new GraphQLSyntaxError("unterminated string");
            raw += source[j];
            j++;
          }
        }
        if (j >= n) throw new GraphQLSyntaxError("unterminated string");
        tokens.push({ kind: "string", value: JSON.parse(`"${raw}"`) as string });
        i = j + 1;
      }
    } else {
      throw new GraphQLSyntaxError(`unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  return tokens;
}

function blockString(raw: string): string {
  const lines = raw.split(/\r\n|\n|\r/);
  let indent = Infinity;
  for (const line of lines.slice(1)) {
    const m = /^[ \t]*/.exec(line)![0].length;
    if (m < line.length) indent = Math.min(indent, m);
  }
  const out = lines.map((line, k) => (k === 0 || indent === Infinity ? line : line.slice(indent)));
  while (out.length && out[0]!.trim() === "") out.shift();
  while (out.length && out[out.length - 1]!.trim() === "") out.pop();
  return out.join("\n");
}

function parseDocument(source: string): Doc {
  const tokens = tokenize(source);
  let p = 0;
  const peek = (offset = 0): Token | undefined => tokens[p + offset];
  const isPunct = (v: string) => peek()?.kind === "punct" && peek()!.value === v;
  const isName = (v?: string) => peek()?.kind === "name" && (v === undefined || peek()!.value === v);
  const expectPunct = (v: string) => {
    if (!isPunct(v))
      throw new GraphQLSyntaxError(`expected "${v}", found ${peek() ? JSON.stringify(peek()!.value) : "the end"}`);
    p++;
  };
  const name = (): string => {
    const t = peek();
    if (t?.kind !== "name")
      throw new GraphQLSyntaxError(`expected a name, found ${t ? JSON.stringify(t.value) : "the end"}`);
    p++;
    return t.value;
  };

  const value = (): Value => {
    const t = peek();
    if (!t) throw new GraphQLSyntaxError("expected a value, found the end");
    if (t.kind === "punct" && t.value === "$") {
      p++;
      return { kind: "var", name: name() };
    }
    if (t.kind === "punct" && t.value === "[") {
      p++;
      const items: Value[] = [];
      while (!isPunct("]")) items.push(value());
      p++;
      return { kind: "list", items };
    }
    if (t.kind === "punct" && t.value === "{") {
      p++;
      const fields: [string, Value][] = [];
      while (!isPunct("}")) {
        const key = name();
        expectPunct(":");
        fields.push([key, value()]);
      }
      p++;
      return { kind: "object", fields };
    }
    p++;
    if (t.kind === "number") return { kind: "const", value: Number(t.value) };
    if (t.kind === "string") return { kind: "const", value: t.value };
    if (t.kind === "name") {
      if (t.value === "true") return { kind: "const", value: true };
      if (t.value === "false") return { kind: "const", value: false };
      if (t.value === "null") return { kind: "const", value: null };
      return { kind: "const", value: t.value }; // enum
    }
    throw new GraphQLSyntaxError(`unexpected ${JSON.stringify(t.value)}`);
  };

  const args = (): Map<string, Value> => {
    const out = new Map<string, Value>();
    if (!isPunct("(")) return out;
    p++;
    while (!isPunct(")")) {
      const key = name();
      expectPunct(":");
      out.set(key, value());
    }
    p++;
    return out;
  };

  const directives = () => {
    while (isPunct("@")) {
      p++;
      name();
      args();
    }
  };

  const type = () => {
    if (isPunct("[")) {
      p++;
      type();
      expectPunct("]");
    } else name();
    if (isPunct("!")) p++;
  };

  const selectionSet = (): Selection[] => {
    expectPunct("{");
    const out: Selection[] = [];
    while (!isPunct("}")) {
      if (isPunct("...")) {
        p++;
        if (isName("on")) {
          p++;
          const on = name();
          directives();
          out.push({ kind: "inline", on, selections: selectionSet() });
        } else if (isPunct("{") || isPunct("@")) {
          directives();
          out.push({ kind: "inline", selections: selectionSet() });
        } else {
          out.push({ kind: "spread", name: name() });
          directives();
        }
        continue;
      }
      let fieldName = name();
      let alias: string | undefined;
      if (isPunct(":")) {
        p++;
        alias = fieldName;
        fieldName = name();
      }
      const fieldArgs = args();
      directives();
      const field: Field = { kind: "field", name: fieldName, args: fieldArgs };
      if (alias !== undefined) field.alias = alias;
      if (isPunct("{")) field.selections = selectionSet();
      out.push(field);
    }
    p++;
    return out;
  };

  const doc: Doc = { operations: [], fragments: new Map() };
  while (p < tokens.length) {
    if (isPunct("{")) {
      doc.operations.push({ type: "query", defaults: new Map(), selections: selectionSet() });
      continue;
    }
    const keyword = name();
    if (keyword === "fragment") {
      const fragmentName = name();
      if (name() !== "on") throw new GraphQLSyntaxError('expected "on"');
      const on = name();
      directives();
      doc.fragments.set(fragmentName, { on, selections: selectionSet() });
      continue;
    }
    if (keyword !== "query" && keyword !== "mutation" && keyword !== "subscription") {
      throw new GraphQLSyntaxError(`unexpected ${JSON.stringify(keyword)}`);
    }
    const op: Operation = { type: keyword, defaults: new Map(), selections: [] };
    if (isName()) op.name = name();
    if (isPunct("(")) {
      p++;
      while (!isPunct(")")) {
        expectPunct("$");
        const varName = name();
        expectPunct(":");
        type();
        if (isPunct("=")) {
          p++;
          op.defaults.set(varName, value());
        }
        directives();
      }
      p++;
    }
    directives();
    op.selections = selectionSet();
    doc.operations.push(op);
  }
  if (doc.operations.length === 0) throw new GraphQLSyntaxError("no operation in the document");
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Answers

class GraphQLFieldError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;
type Resolver = (args: Record<string, unknown>) => unknown;

function resolveValue(v: Value, variables: Obj, defaults: Map<string, Value>): unknown {
  switch (v.kind) {
    case "const":
      return v.value;
    case "var": {
      if (Object.prototype.hasOwnProperty.call(variables, v.name)) return variables[v.name];
      const fallback = defaults.get(v.name);
      return fallback ? resolveValue(fallback, variables, defaults) : undefined;
    }
    case "list":
      return v.items.map((item) => resolveValue(item, variables, defaults));
    case "object":
      return Object.fromEntries(v.fields.map(([k, item]) => [k, resolveValue(item, variables, defaults)]));
  }
}

/** Keeps only the selected fields, as GraphQL does. A function-valued field is a resolver taking the field's arguments. */
function project(value: unknown, selections: Selection[], ctx: { doc: Doc; resolveArgs: (f: Field) => Obj }): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => project(item, selections, ctx));
  if (typeof value !== "object") return value;
  const source = value as Obj;
  const out: Obj = {};
  const apply = (list: Selection[]) => {
    for (const sel of list) {
      if (sel.kind === "field") {
        const key = sel.alias ?? sel.name;
        if (sel.name === "__typename") {
          out[key] = source.__typename ?? null;
          continue;
        }
        let raw = source[sel.name];
        if (typeof raw === "function") raw = (raw as Resolver)(ctx.resolveArgs(sel));
        const projected = sel.selections ? project(raw, sel.selections, ctx) : raw === undefined ? null : raw;
        const existing = out[key];
        out[key] =
          existing &&
          typeof existing === "object" &&
          projected &&
          typeof projected === "object" &&
          !Array.isArray(projected)
            ? { ...(existing as Obj), ...(projected as Obj) }
            : projected;
      } else {
        const fragment = sel.kind === "inline" ? sel : ctx.doc.fragments.get(sel.name);
        if (!fragment)
          throw new GraphQLFieldError(`Fragment ${sel.kind === "spread" ? sel.name : ""} was used, but not defined`);
        const on = fragment.on;
        if (on && typeof source.__typename === "string" && source.__typename !== on) continue;
        apply(fragment.selections);
      }
    }
  };
  apply(selections);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bulk operations

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
async function countJsonl(path: string, end?: number): Promise<FileCounts> {
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

// ---------------------------------------------------------------------------------------------
// Search filter and pagination of customers / orders

type Filter = (node: Obj) => boolean;

/** Shopify search syntax, the part the sync uses: updated_at with >, >=, <, <= and an ISO time, quoted or not. */
function searchFilter(query: unknown): Filter {
  if (typeof query !== "string" || query.trim() === "") return () => true;
  const terms: Filter[] = [];
  const re = /\b(updated_at|created_at):(>=|<=|>|<)?\s*(?:'([^']*)'|"([^"]*)"|(\S+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(query))) {
    const field = m[1] === "updated_at" ? "updatedAt" : "createdAt";
    const op = m[2] ?? "=";
    const raw = m[3] ?? m[4] ?? m[5] ?? "";
    const at = Date.parse(raw);
    if (!Number.isFinite(at))
      throw new GraphQLFieldError(`Invalid search query: cannot read a time in ${JSON.stringify(m[0])}`);
    terms.push((node) => {
      const t = Date.parse(String(node[field] ?? ""));
      if (!Number.isFinite(t)) return false;
      switch (op) {
        case ">":
          return t > at;
        case ">=":
          return t >= at;
        case "<":
          return t < at;
        case "<=":
          return t <= at;
        default:
          return t === at;
      }
    });
  }
  return (node) => terms.every((t) => t(node));
}

function gidNumber(id: unknown): bigint | null {
  const m = /(\d+)$/.exec(String(id ?? ""));
  return m ? BigInt(m[1]!) : null;
}

function compareNodes(a: Obj, b: Obj): number {
  // Nodes without updatedAt (line items) compare by id alone (NaN would make every pair "equal").
  const parse = (value: unknown) => {
    const t = Date.parse(String(value ?? ""));
    return Number.isFinite(t) ? t : 0;
  };
  const ta = parse(a.updatedAt);
  const tb = parse(b.updatedAt);
  if (ta !== tb) return ta - tb;
  const na = gidNumber(a.id);
  const nb = gidNumber(b.id);
  if (na !== null && nb !== null && na !== nb) return na < nb ? -1 : 1;
  return String(a.id ?? "").localeCompare(String(b.id ?? ""));
}

const encodeCursor = (node: Obj) =>
  Buffer.from(JSON.stringify({ u: node.updatedAt ?? null, id: node.id ?? null })).toString("base64url");

function decodeCursor(cursor: string): Obj {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { u: unknown; id: unknown };
    if (!parsed || typeof parsed !== "object" || !("id" in parsed)) throw new Error("bad cursor");
    return { updatedAt: parsed.u, id: parsed.id };
  } catch {
    throw new GraphQLFieldError(`Invalid cursor for current pagination sort.`);
  }
}

function connection(all: Obj[], typename: string, args: Obj): Obj {
  const first = args.first;
  const last = args.last;
  if (typeof first !== "number" && typeof last !== "number")
    throw new GraphQLFieldError("you must provide one of first or last");
  if (typeof last === "number")
    throw new GraphQLFieldError("this stand-in for Shopify pages forward only (first/after)");
  let nodes = all.filter(searchFilter(args.query)).sort(compareNodes);
  if (args.reverse === true) nodes.reverse();
  if (typeof args.after === "string") {
    const after = decodeCursor(args.after);
    const sign = args.reverse === true ? -1 : 1;
    nodes = nodes.filter((node) => sign * compareNodes(node, after) > 0);
  }
  const page = nodes.slice(0, Math.max(0, first as number));
  const withType = page.map((node) => ({ __typename: typename, ...node }));
  return {
    __typename: `${typename}Connection`,
    nodes: withType,
    edges: withType.map((node) => ({ __typename: `${typename}Edge`, cursor: encodeCursor(node), node })),
    pageInfo: {
      __typename: "PageInfo",
      hasNextPage: nodes.length > page.length,
      hasPreviousPage: typeof args.after === "string",
      startCursor: withType[0] ? encodeCursor(withType[0]) : null,
      endCursor: withType.length ? encodeCursor(withType[withType.length - 1]!) : null,
    },
  };
}

/**
 * An order whose `lineItems` is given as a plain list serves them as Shopify does, a connection paged
 * with lineItems(first:, after:), in id order.
 */
function withLineItems(order: Obj): Obj {
  const lines = order.lineItems;
  return Array.isArray(lines)
    ? { ...order, lineItems: (args: Obj) => connection(lines as Obj[], "LineItem", args) }
    : order;
}

// ---------------------------------------------------------------------------------------------

const DOCS_RATE_LIMITS = "https://shopify.dev/api/usage/rate-limits";
// The documented ceiling for one query's requested cost, whatever the plan.
const SINGLE_QUERY_MAX_COST = 1000;
// customersCount and friends stop counting here unless asked otherwise (documented default `limit`).
const COUNT_DEFAULT_LIMIT = 10_000;

export async function startFakeShopify(options: FakeShopifyOptions): Promise<FakeShopify> {
  const apiVersion = options.apiVersion ?? "2025-07";
  const bucketConfig = options.throttle ?? { maximumAvailable: 2000, restoreRate: 100, queryCost: 1 };
  const pollsUntilComplete = Math.max(0, options.bulkPollsUntilComplete ?? 1);
  const shopInfo = options.shopInfo ?? { name: "Fake Shop", currencyCode: "USD", ianaTimezone: "America/New_York" };
  let customers = options.customers ?? [];
  let orders = options.orders ?? [];

  const requests: FakeShopifyRequest[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  const pendingDeliveries = new Set<Promise<void>>();
  const ops: BulkOp[] = [];
  let nextOp = 1;
  let pendingFailure: { errorCode: string; partial: boolean } | null = null;
  let pendingExpiry = false;
  let pending429: number | null = null;
  let pending500 = 0;
  const clock = options.now ?? (() => performance.now());
  let bucket = { available: bucketConfig.maximumAvailable, at: clock() };
  let origin = "";

  const costExtension = (requested: number, actual: number | null) => ({
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: {
        maximumAvailable: bucketConfig.maximumAvailable,
        currentlyAvailable: Math.floor(bucket.available),
        restoreRate: bucketConfig.restoreRate,
      },
    },
  });

  const refill = () => {
    const now = clock();
    bucket = {
      available: Math.min(
        bucketConfig.maximumAvailable,
        bucket.available + ((now - bucket.at) / 1000) * bucketConfig.restoreRate,
      ),
      at: now,
    };
  };

  // --- bulk operations -------------------------------------------------------------------------

  const isRunning = (op: BulkOp) => op.status === "CREATED" || op.status === "RUNNING";

  const deliverFinish = (op: BulkOp) => {
    const hook = options.onBulkFinish;
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
    webhookDeliveries.push(record);
    const headers = webhookHeaders(
      { topic, shop: options.shop, body, eventId: randomUUID(), webhookId: randomUUID(), apiVersion },
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
      .finally(() => pendingDeliveries.delete(delivery));
    pendingDeliveries.add(delivery);
  };

  const finish = async (op: BulkOp) => {
    if (op.timer) clearTimeout(op.timer);
    const now = new Date().toISOString();
    const size = op.file ? (await fs.promises.stat(op.file)).size : 0;
    const total = op.file ? await countJsonl(op.file) : { objects: 0, roots: 0 };
    if (!isRunning(op)) return; // finished meanwhile (timer and a poll together)
    if (pendingFailure) {
      const { errorCode, partial } = pendingFailure;
      pendingFailure = null;
      op.status = "FAILED";
      op.errorCode = errorCode;
      op.url = null;
      if (partial && op.file && size > 0) {
        op.partialEnd = await halfwayLineEnd(op.file, size);
        const counts = await countJsonl(op.file, op.partialEnd);
        op.partialDataUrl = `${origin}/bulk/${op.n}-partial.jsonl`;
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
      if (pendingExpiry) {
        pendingExpiry = false;
        op.status = "EXPIRED";
        op.url = null;
      } else {
        op.status = "COMPLETED";
        // No result, no file: the operation completes with url null.
        op.url = op.file && total.objects > 0 ? `${origin}/bulk/${op.n}.jsonl` : null;
        op.fileSize = op.url ? size : null;
      }
    }
    deliverFinish(op);
  };

  /** A status read moves an unfinished operation along: RUNNING for `bulkPollsUntilComplete` reads, then its end. */
  const readOp = async (op: BulkOp | undefined): Promise<BulkOp | undefined> => {
    if (!op || !isRunning(op)) return op;
    op.reads++;
    if (op.reads > pollsUntilComplete) {
      await finish(op);
    } else {
      op.status = "RUNNING";
      if (op.file) {
        const total = await countJsonl(op.file);
        op.objectCount = Math.floor((total.objects * op.reads) / (pollsUntilComplete + 1));
        op.rootObjectCount = Math.floor((total.roots * op.reads) / (pollsUntilComplete + 1));
      }
    }
    return op;
  };

  const opView = (op: BulkOp | undefined): Obj | null =>
    op
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

  const runBulkQuery = (args: Obj): Obj => {
    const bulkQuery = args.query;
    if (typeof bulkQuery !== "string")
      throw new GraphQLFieldError(
        "Argument 'query' on Field 'bulkOperationRunQuery' has an invalid value. Expected type 'String!'.",
      );
    const running = ops.find(isRunning);
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
    const n = nextOp++;
    const op: BulkOp = {
      n,
      id: `gid://shopify/BulkOperation/${n}`,
      query: bulkQuery,
      resource: top,
      file: options.bulkFiles?.[top] ?? null,
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
    if (options.bulkCompletesAfterMs !== undefined) {
      op.timer = setTimeout(() => void finish(op).catch(() => undefined), options.bulkCompletesAfterMs);
    }
    ops.push(op);
    return { __typename: "BulkOperationRunQueryPayload", bulkOperation: opView(op), userErrors: [] };
  };

  // --- counts ----------------------------------------------------------------------------------

  const countOf = async (resource: Resource, args: Obj): Promise<Obj> => {
    // `counts` if given; a search query counts the paginated nodes it matches; else the bulk file's
    // top-level objects, else the paginated nodes.
    const list = resource === "customers" ? customers : resource === "orders" ? orders : [];
    const file = options.bulkFiles?.[resource];
    let count = options.counts?.[resource];
    if (count === undefined && file && args.query === undefined) count = (await countJsonl(file)).roots;
    if (count === undefined) count = list.filter(searchFilter(args.query)).length;
    const limit = "limit" in args ? args.limit : COUNT_DEFAULT_LIMIT;
    if (typeof limit === "number" && count > limit) return { __typename: "Count", count: limit, precision: "AT_LEAST" };
    return { __typename: "Count", count, precision: "EXACT" };
  };

  // --- GraphQL ---------------------------------------------------------------------------------

  const rootFieldNames = (op: Operation): string[] =>
    op.selections.filter((s): s is Field => s.kind === "field").map((s) => s.name);

  const execute = async (doc: Doc, op: Operation, variables: Obj): Promise<{ data?: Obj; errors?: Obj[] }> => {
    const resolveArgs = (field: Field): Obj => {
      const out: Obj = {};
      for (const [key, v] of field.args) {
        const resolved = resolveValue(v, variables, op.defaults);
        if (resolved !== undefined) out[key] = resolved;
      }
      return out;
    };
    const ctx = { doc, resolveArgs };
    const typeName = op.type === "mutation" ? "Mutation" : "QueryRoot";
    const known =
      op.type === "mutation"
        ? ["bulkOperationRunQuery"]
        : [
            "shop",
            "customers",
            "orders",
            "order",
            "customersCount",
            "ordersCount",
            "productsCount",
            "currentBulkOperation",
            "node",
            "bulkOperation",
          ];
    const fields = op.selections.filter((s): s is Field => s.kind === "field");
    if (op.selections.some((s) => s.kind !== "field")) {
      return {
        errors: [
          {
            message: "this stand-in for Shopify takes only plain fields at the root",
            extensions: { code: "unsupported" },
          },
        ],
      };
    }
    const unknown = fields.filter((f) => f.name !== "__typename" && !known.includes(f.name));
    if (unknown.length > 0) {
      return {
        errors: unknown.map((f) => ({
          message: `Field '${f.name}' doesn't exist on type '${typeName}'`,
          locations: [],
          path: [op.type, f.name],
          extensions: { code: "undefinedField", typeName, fieldName: f.name },
        })),
      };
    }

    const data: Obj = {};
    const errors: Obj[] = [];
    for (const field of fields) {
      const key = field.alias ?? field.name;
      const args = resolveArgs(field);
      try {
        let value: unknown;
        switch (field.name) {
          case "__typename":
            data[key] = typeName;
            continue;
          case "bulkOperationRunQuery":
            value = runBulkQuery(args);
            break;
          case "currentBulkOperation": {
            const type = args.type ?? "QUERY";
            value = type === "QUERY" ? opView(await readOp(ops[ops.length - 1])) : null;
            break;
          }
          case "node":
          case "bulkOperation": {
            const id = String(args.id ?? "");
            value = opView(await readOp(ops.find((o) => o.id === id)));
            break;
          }
          case "shop":
            value = { __typename: "Shop", id: "gid://shopify/Shop/1", myshopifyDomain: options.shop, ...shopInfo };
            break;
          case "customers":
            value = connection(customers, "Customer", args);
            break;
          case "orders":
            value = connection(orders.map(withLineItems), "Order", args);
            break;
          case "order": {
            const id = String(args.id ?? "");
            const found = orders.find((o) => o.id === id);
            value = found ? { __typename: "Order", ...withLineItems(found) } : null;
            break;
          }
          case "customersCount":
            value = await countOf("customers", args);
            break;
          case "ordersCount":
            value = await countOf("orders", args);
            break;
          case "productsCount":
            value = await countOf("products", args);
            break;
        }
        data[key] = field.selections ? project(value, field.selections, ctx) : (value ?? null);
      } catch (error) {
        if (!(error instanceof GraphQLFieldError)) throw error;
        data[key] = null;
        const e: Obj = { message: error.message, path: [key] };
        if (error.code) e.extensions = { code: error.code };
        errors.push(e);
      }
    }
    return errors.length ? { data, errors } : { data };
  };

  // --- HTTP ------------------------------------------------------------------------------------

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(text)),
      "x-shopify-api-version": apiVersion,
      ...headers,
    });
    res.end(text);
  };

  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      req.on("data", (chunk: Buffer) => parts.push(chunk));
      req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
      req.on("error", reject);
    });

  const handleGraphQL = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const text = await readBody(req);
    type Payload = { query?: unknown; variables?: unknown; operationName?: unknown };
    let payload: Payload | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) payload = parsed as Payload;
    } catch {
      payload = null;
    }
    const variables =
      payload && typeof payload.variables === "object" && payload.variables !== null ? (payload.variables as Obj) : {};
    const query = typeof payload?.query === "string" ? payload.query : "";
    let doc: Doc | null = null;
    let parseError: string | null = null;
    try {
      doc = parseDocument(query);
    } catch (error) {
      parseError = (error as Error).message;
    }
    let op: Operation | undefined;
    if (doc) {
      op =
        typeof payload?.operationName === "string"
          ? doc.operations.find((o) => o.name === payload!.operationName)
          : doc.operations[0];
    }
    const entry: FakeShopifyRequest = {
      operation: op ? rootFieldNames(op).join(",") : "",
      variables: payload?.variables,
      query,
      status: 0,
    };
    requests.push(entry);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      entry.status = status;
      sendJson(res, status, body, headers);
    };

    if (req.headers["x-shopify-access-token"] !== options.accessToken) {
      reply(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      return;
    }
    if (pending429 !== null) {
      const seconds = pending429;
      pending429 = null;
      reply(429, { errors: "Throttled" }, { "retry-after": seconds.toFixed(1) });
      return;
    }
    if (pending500 > 0) {
      pending500--;
      reply(500, { errors: "Internal Server Error" });
      return;
    }
    if (!payload || typeof payload !== "object") {
      reply(400, { errors: { query: "Required parameter missing or invalid" } });
      return;
    }
    if (!doc || !op) {
      reply(200, {
        errors: [
          {
            message: parseError ?? "No operation named " + String(payload.operationName),
            extensions: { code: "parseError" },
          },
        ],
      });
      return;
    }

    const cost = bucketConfig.queryCost;
    if (cost > SINGLE_QUERY_MAX_COST) {
      refill();
      reply(200, {
        errors: [
          {
            message: `Query cost is ${cost}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).`,
            extensions: {
              code: "MAX_COST_EXCEEDED",
              cost,
              maxCost: SINGLE_QUERY_MAX_COST,
              documentation: DOCS_RATE_LIMITS,
            },
          },
        ],
        extensions: costExtension(cost, null),
      });
      return;
    }
    refill();
    if (bucket.available < cost) {
      entry.throttled = true;
      reply(200, {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: DOCS_RATE_LIMITS } }],
        extensions: costExtension(cost, null),
      });
      return;
    }
    bucket.available -= cost;
    const result = await execute(doc, op, variables);
    reply(200, { ...result, extensions: costExtension(cost, result.data ? cost : null) });
  };

  const handleDownload = (res: http.ServerResponse, n: number, partial: boolean) => {
    const op = ops.find((o) => o.n === n);
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
  };

  const graphqlPath = `/admin/api/${apiVersion}/graphql.json`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const download = /^\/bulk\/(\d+)(-partial)?\.jsonl$/.exec(url.pathname);
    const done = (error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { errors: `fake-shopify: ${(error as Error)?.message ?? String(error)}` });
    };
    try {
      if (url.pathname === graphqlPath) {
        if (req.method !== "POST") {
          res.writeHead(405, { allow: "POST" });
          res.end();
          return;
        }
        handleGraphQL(req, res).catch(done);
      } else if (download && req.method === "GET") {
        handleDownload(res, Number(download[1]), download[2] !== undefined);
      } else {
        sendJson(res, 404, { errors: "Not Found" });
      }
    } catch (error) {
      done(error);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    requests,
    webhookDeliveries,
    failNextBulk(errorCode, opts) {
      pendingFailure = { errorCode, partial: opts?.partial ?? false };
    },
    expireNextBulk() {
      pendingExpiry = true;
    },
    respond429Next(retryAfterSeconds) {
      pending429 = retryAfterSeconds;
    },
    respond500Next(count = 1) {
      pending500 += count;
    },
    setCustomers(nodes) {
      customers = nodes;
    },
    setOrders(nodes) {
      orders = nodes;
    },
    async close() {
      for (const op of ops) if (op.timer) clearTimeout(op.timer);
      await Promise.allSettled([...pendingDeliveries]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
