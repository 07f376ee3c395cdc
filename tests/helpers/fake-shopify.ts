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
// The query text is parsed (fake-shopify/graphql.ts) and answers carry only the selected fields,
// so a client that forgets to select a field sees it missing, as it would with Shopify. Bulk
// operations are in fake-shopify/bulk.ts, connections and search in fake-shopify/connections.ts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { BulkOperations, countJsonl, type Resource, type WebhookDelivery } from "./fake-shopify/bulk";
import { connection, searchFilter, withLineItems } from "./fake-shopify/connections";
import { FakePixels } from "./fake-shopify/pixels";
import { EXPORT_MUTATIONS, ExportMutations } from "./fake-shopify/export-mutations";
import {
  GraphQLFieldError,
  parseDocument,
  project,
  resolveValue,
  type Doc,
  type Field,
  type Obj,
  type Operation,
} from "./fake-shopify/graphql";

export type { WebhookDelivery } from "./fake-shopify/bulk";

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
  /** shop.primaryDomain.url; default the myshopify.com domain. */
  primaryDomainUrl?: string;
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

export type FakeShopify = {
  origin: string; // http://127.0.0.1:PORT
  requests: FakeShopifyRequest[];
  /** What the export mutations wrote (tags, metafields, segments). */
  exported: ExportMutations;
  webhookDeliveries: WebhookDelivery[];
  failNextBulk(errorCode: "INTERNAL_SERVER_ERROR" | "TIMEOUT" | "ACCESS_DENIED", opts?: { partial?: boolean }): void;
  expireNextBulk(): void;
  respond429Next(retryAfterSeconds: number): void;
  respond500Next(count?: number): void;
  setCustomers(nodes: Record<string, unknown>[]): void;
  setOrders(nodes: Record<string, unknown>[]): void;
  /** The app's Web Pixel for the shop (webPixelCreate / webPixelUpdate / webPixel). */
  pixels: FakePixels;
  close(): Promise<void>;
};

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
  const pixels = new FakePixels();
  const exported = new ExportMutations();
  const bulk = new BulkOperations({
    shop: options.shop,
    apiVersion,
    bulkFiles: options.bulkFiles,
    pollsUntilComplete,
    bulkCompletesAfterMs: options.bulkCompletesAfterMs,
    onBulkFinish: options.onBulkFinish,
  });
  let pending429: number | null = null;
  let pending500 = 0;
  const clock = options.now ?? (() => performance.now());
  let bucket = { available: bucketConfig.maximumAvailable, at: clock() };

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
        ? ["bulkOperationRunQuery", "webPixelCreate", "webPixelUpdate", ...EXPORT_MUTATIONS]
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
            "webPixel",
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
            value = bulk.run(args);
            break;
          case "tagsAdd":
          case "tagsRemove":
          case "metafieldsSet":
          case "segmentCreate":
            value = exported.run(field.name, args);
            break;
          case "currentBulkOperation": {
            const type = args.type ?? "QUERY";
            value = type === "QUERY" ? await bulk.current() : null;
            break;
          }
          case "node":
          case "bulkOperation": {
            const id = String(args.id ?? "");
            value = await bulk.byId(id);
            break;
          }
          case "shop":
            value = {
              __typename: "Shop",
              id: "gid://shopify/Shop/1",
              myshopifyDomain: options.shop,
              primaryDomain: { __typename: "Domain", url: options.primaryDomainUrl ?? `https://${options.shop}` },
              ...shopInfo,
            };
            break;
          case "webPixelCreate":
            value = pixels.create(args);
            break;
          case "webPixelUpdate":
            value = pixels.update(args);
            break;
          case "webPixel":
            value = pixels.read();
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
        bulk.serveDownload(res, Number(download[1]), download[2] !== undefined);
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
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bulk.origin = origin;

  return {
    origin,
    requests,
    exported,
    webhookDeliveries: bulk.webhookDeliveries,
    failNextBulk(errorCode, opts) {
      bulk.failNext(errorCode, opts?.partial ?? false);
    },
    expireNextBulk() {
      bulk.expireNext();
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
    pixels,
    async close() {
      await bulk.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
