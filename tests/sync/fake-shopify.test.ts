// The stand-in for Shopify, driven through the real client: if these hold, tests of the sync built on
// it test the sync against Shopify's documented contract.
import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "~/sync/admin-client.server";
import { readBulkJsonl, type BulkJsonlError, type BulkRecord } from "~/sync/jsonl";
import { startFakeShopify, type FakeShopify, type FakeShopifyOptions } from "../helpers/fake-shopify";

const SHOP = "tailored-test.myshopify.com";
const TOKEN = "shpat_test_token";

const BULK_RUN = `mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;
const CUSTOMERS_BULK = `{ customers { edges { node { id email orders { edges { node { id name } } } } } } }`;
const OP_FIELDS = "id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl";
const POLL_CURRENT = `query { currentBulkOperation(type: QUERY) { ${OP_FIELDS} } }`;
const POLL_NODE = `query Poll($id: ID!) { node(id: $id) { ... on BulkOperation { ${OP_FIELDS} } } }`;

type RunResult = {
  bulkOperationRunQuery: {
    bulkOperation: { id: string; status: string } | null;
    userErrors: { field: string[] | null; message: string; code: string }[];
  };
};
type Op = {
  id: string;
  status: string;
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
};

let dir = "";
let customersFile = "";
let productsFile = "";

const customerLines = [
  { id: "gid://shopify/Customer/1", email: "zoe@example.com" },
  { id: "gid://shopify/Order/11", name: "#1001", __parentId: "gid://shopify/Customer/1" },
  { id: "gid://shopify/Order/12", name: "#1002", __parentId: "gid://shopify/Customer/1" },
  { id: "gid://shopify/Customer/2", email: "łukasz@example.com" },
  { id: "gid://shopify/Customer/3", email: "ann@example.com" },
  { id: "gid://shopify/Order/31", name: "#1003", __parentId: "gid://shopify/Customer/3" },
];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-shopify-"));
  customersFile = path.join(dir, "customers.jsonl");
  fs.writeFileSync(customersFile, customerLines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  productsFile = path.join(dir, "products.jsonl");
  const products: string[] = [];
  for (let i = 1; i <= 20_000; i++) {
    products.push(JSON.stringify({ id: `gid://shopify/Product/${i}`, title: `Product ${i}` }));
    products.push(
      JSON.stringify({ id: `gid://shopify/ProductVariant/${i}`, __parentId: `gid://shopify/Product/${i}` }),
    );
  }
  fs.writeFileSync(productsFile, products.join("\n") + "\n");
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let fake: FakeShopify | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function start(
  options: Partial<FakeShopifyOptions> = {},
): Promise<{ shopify: FakeShopify; client: AdminClient }> {
  const shopify = await startFakeShopify({
    shop: SHOP,
    accessToken: TOKEN,
    bulkFiles: { customers: customersFile, products: productsFile },
    ...options,
  });
  fake = shopify;
  return {
    shopify,
    client: new AdminClient({ shop: SHOP, accessToken: TOKEN, origin: shopify.origin, sleep: async () => undefined }),
  };
}

async function download(url: string): Promise<(BulkRecord | BulkJsonlError)[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const items: (BulkRecord | BulkJsonlError)[] = [];
  for await (const item of readBulkJsonl(response.body as unknown as AsyncIterable<Uint8Array>)) items.push(item);
  return items;
}

async function poll(client: AdminClient, id?: string): Promise<Op> {
  if (id) return (await client.request<{ node: Op }>(POLL_NODE, { id })).node;
  return (await client.request<{ currentBulkOperation: Op }>(POLL_CURRENT)).currentBulkOperation;
}

async function pollUntilDone(client: AdminClient): Promise<Op> {
  for (let i = 0; i < 20; i++) {
    const op = await poll(client);
    if (op.status !== "CREATED" && op.status !== "RUNNING") return op;
  }
  throw new Error("the operation did not end");
}

describe("fake Shopify: bulk operations", () => {
  it("runs, is polled to COMPLETED, and serves the JSONL the reader groups", async () => {
    const { shopify, client } = await start({ bulkPollsUntilComplete: 2 });
    const run = await client.request<RunResult>(BULK_RUN, { query: CUSTOMERS_BULK });
    expect(run.bulkOperationRunQuery).toEqual({
      bulkOperation: { id: "gid://shopify/BulkOperation/1", status: "CREATED" },
      userErrors: [],
    });
    const id = run.bulkOperationRunQuery.bulkOperation!.id;

    const statuses: string[] = [];
    let op: Op;
    do {
      op = await poll(client, statuses.length % 2 ? id : undefined);
      statuses.push(op.status);
    } while (op.status === "CREATED" || op.status === "RUNNING");
    expect(statuses).toEqual(["RUNNING", "RUNNING", "COMPLETED"]);
    expect(op).toMatchObject({
      id,
      errorCode: null,
      objectCount: "6",
      rootObjectCount: "3",
      fileSize: String(fs.statSync(customersFile).size),
      url: `${shopify.origin}/bulk/1.jsonl`,
      partialDataUrl: null,
    });
    expect(Date.parse(op.completedAt!)).toBeGreaterThanOrEqual(Date.parse(op.createdAt));

    const records = await download(op.url!);
    expect(records).toEqual([
      {
        node: customerLines[0],
        children: [customerLines[1], customerLines[2]],
        line: 1,
      },
      { node: customerLines[3], children: [], line: 4 },
      { node: customerLines[4], children: [customerLines[5]], line: 5 },
    ]);
    expect(shopify.requests.map((r) => r.operation)).toEqual([
      "bulkOperationRunQuery",
      "currentBulkOperation",
      "node",
      "currentBulkOperation",
    ]);
  });

  it("answers only the fields that were selected", async () => {
    const { client } = await start();
    await client.request(BULK_RUN, { query: CUSTOMERS_BULK });
    const data = await client.request<{ current: unknown }>("{ current: currentBulkOperation { id status } }");
    expect(data).toEqual({ current: { id: "gid://shopify/BulkOperation/1", status: "RUNNING" } });
  });

  it("takes the bulk query inline as well as in a variable", async () => {
    const { client } = await start();
    const run = await client.request<RunResult>(`mutation {
      bulkOperationRunQuery(query: """
        {
          products { edges { node { id title variants { edges { node { id } } } } } }
        }
      """) { bulkOperation { id status } userErrors { message } }
    }`);
    expect(run.bulkOperationRunQuery.userErrors).toEqual([]);
    const op = await pollUntilDone(client);
    expect(op).toMatchObject({ status: "COMPLETED", objectCount: "40000", rootObjectCount: "20000" });
    // 40,000 lines, streamed from the file.
    let records = 0;
    let children = 0;
    for (const item of await download(op.url!)) {
      expect("error" in item).toBe(false);
      if ("node" in item) {
        records++;
        children += item.children.length;
      }
    }
    expect({ records, children }).toEqual({ records: 20_000, children: 20_000 });
  });

  it("refuses a second bulk query while one runs (OPERATION_IN_PROGRESS)", async () => {
    const { client } = await start({ bulkPollsUntilComplete: 1 });
    await client.request<RunResult>(BULK_RUN, { query: CUSTOMERS_BULK });
    const second = await client.request<RunResult>(BULK_RUN, { query: CUSTOMERS_BULK });
    expect(second.bulkOperationRunQuery).toEqual({
      bulkOperation: null,
      userErrors: [
        {
          field: null,
          message:
            "A bulk query operation for this app and shop is already in progress: gid://shopify/BulkOperation/1.",
          code: "OPERATION_IN_PROGRESS",
        },
      ],
    });
    expect((await poll(client)).status).toBe("RUNNING");
    expect((await poll(client)).status).toBe("COMPLETED");
    const third = await client.request<RunResult>(BULK_RUN, { query: CUSTOMERS_BULK });
    expect(third.bulkOperationRunQuery.bulkOperation).toEqual({
      id: "gid://shopify/BulkOperation/2",
      status: "CREATED",
    });
  });

  it("fails the next operation with an error code, with or without partial data", async () => {
    const { shopify, client } = await start();
    shopify.failNextBulk("TIMEOUT", { partial: true });
    await client.request(BULK_RUN, { query: CUSTOMERS_BULK });
    const failed = await pollUntilDone(client);
    expect(failed).toMatchObject({ status: "FAILED", errorCode: "TIMEOUT", url: null, completedAt: null });
    expect(failed.partialDataUrl).toBe(`${shopify.origin}/bulk/1-partial.jsonl`);
    const partial = await download(failed.partialDataUrl!);
    // The first half of the file, cut at a line end.
    expect(partial).toEqual([{ node: customerLines[0], children: [customerLines[1], customerLines[2]], line: 1 }]);
    expect(failed.objectCount).toBe("3");

    shopify.failNextBulk("ACCESS_DENIED");
    await client.request(BULK_RUN, { query: CUSTOMERS_BULK });
    expect(await pollUntilDone(client)).toMatchObject({
      status: "FAILED",
      errorCode: "ACCESS_DENIED",
      url: null,
      partialDataUrl: null,
    });

    await client.request(BULK_RUN, { query: CUSTOMERS_BULK });
    expect(await pollUntilDone(client)).toMatchObject({ status: "COMPLETED", errorCode: null });
  });

  it("expires the next operation (url null)", async () => {
    const { shopify, client } = await start();
    shopify.expireNextBulk();
    await client.request(BULK_RUN, { query: CUSTOMERS_BULK });
    expect(await pollUntilDone(client)).toMatchObject({ status: "EXPIRED", url: null, partialDataUrl: null });
    expect((await fetch(`${shopify.origin}/bulk/1.jsonl`)).status).toBe(404);
  });

  it("completes with no url when there is nothing to export", async () => {
    const { client } = await start();
    await client.request(BULK_RUN, { query: "{ orders { edges { node { id } } } }" });
    expect(await pollUntilDone(client)).toMatchObject({
      status: "COMPLETED",
      objectCount: "0",
      url: null,
      fileSize: null,
    });
  });

  it("delivers a signed bulk_operations/finish webhook", async () => {
    const secret = "shhh-app-secret";
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const receiver = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(parts).toString("utf8") });
        res.writeHead(200).end();
        arrived();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const port = (receiver.address() as AddressInfo).port;
      const { shopify, client } = await start({
        onBulkFinish: { webhookUrl: `http://127.0.0.1:${port}/webhooks/bulk_operations/finish`, secret },
        bulkCompletesAfterMs: 20,
      });
      const run = await client.request<RunResult>(BULK_RUN, { query: CUSTOMERS_BULK });
      await arrival; // no polling: the operation ends on its own
      expect(received).toHaveLength(1);
      const { headers, body } = received[0]!;
      const expected = createHmac("sha256", secret).update(body, "utf8").digest();
      const given = Buffer.from(String(headers["x-shopify-hmac-sha256"]), "base64");
      expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true);
      expect(headers).toMatchObject({
        "x-shopify-topic": "bulk_operations/finish",
        "x-shopify-shop-domain": SHOP,
        "x-shopify-api-version": "2025-07",
        "content-type": "application/json",
      });
      expect(headers["x-shopify-webhook-id"]).toBeTruthy();
      expect(headers["x-shopify-event-id"]).toBeTruthy();
      expect(JSON.parse(body)).toEqual({
        admin_graphql_api_id: run.bulkOperationRunQuery.bulkOperation!.id,
        completed_at: expect.any(String),
        created_at: expect.any(String),
        error_code: null,
        status: "completed",
        type: "query",
      });
      expect((await poll(client)).status).toBe("COMPLETED");
      await shopify.close();
      fake = null;
      expect(shopify.webhookDeliveries).toMatchObject([{ topic: "bulk_operations/finish", status: 200 }]);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

describe("fake Shopify: queries", () => {
  const at = (day: number, hour = 0) => new Date(Date.UTC(2025, 0, day, hour)).toISOString();
  const customers = [
    { id: "gid://shopify/Customer/5", updatedAt: at(3), email: "e@example.com" },
    { id: "gid://shopify/Customer/1", updatedAt: at(1), email: "a@example.com" },
    { id: "gid://shopify/Customer/10", updatedAt: at(2), email: "c@example.com" },
    { id: "gid://shopify/Customer/9", updatedAt: at(2), email: "b@example.com" },
    { id: "gid://shopify/Customer/7", updatedAt: at(4), email: "f@example.com" },
    { id: "gid://shopify/Customer/2", updatedAt: at(2, 12), email: "d@example.com" },
  ];
  const PAGE = `query Page($first: Int!, $after: String, $query: String) {
    customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes { id updatedAt }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  type Page = {
    customers: {
      nodes: { id: string; updatedAt: string }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };

  async function all(
    client: AdminClient,
    query: string | undefined,
    first: number,
  ): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Page = await client.request<Page>(PAGE, { first, after, query });
      pages++;
      ids.push(...page.customers.nodes.map((n) => n.id.replace("gid://shopify/Customer/", "")));
      if (!page.customers.pageInfo.hasNextPage) return { ids, pages };
      after = page.customers.pageInfo.endCursor;
    }
  }

  it("pages customers by updatedAt then id, filtered by updated_at strictly after", async () => {
    const { shopify, client } = await start({ customers });
    expect(await all(client, undefined, 2)).toEqual({ ids: ["1", "9", "10", "2", "5", "7"], pages: 3 });
    expect(await all(client, `updated_at:>'${at(2)}'`, 2)).toEqual({ ids: ["2", "5", "7"], pages: 2 });
    expect(await all(client, `updated_at:>${at(2)}`, 10)).toEqual({ ids: ["2", "5", "7"], pages: 1 });
    expect(await all(client, `updated_at:>'${at(9)}'`, 10)).toEqual({ ids: [], pages: 1 });
    const empty = await client.request<Page>(PAGE, { first: 5, query: `updated_at:>'${at(9)}'` });
    expect(empty.customers.pageInfo).toEqual({ hasNextPage: false, endCursor: null });

    shopify.setCustomers([...customers, { id: "gid://shopify/Customer/11", updatedAt: at(5) }]);
    expect(await all(client, `updated_at:>'${at(3)}'`, 10)).toEqual({ ids: ["7", "11"], pages: 1 });
    expect(shopify.requests.every((r) => r.operation === "customers")).toBe(true);
  });

  it("serves orders as edges as well as nodes", async () => {
    const { client } = await start({
      orders: [
        { id: "gid://shopify/Order/2", updatedAt: at(2), name: "#2" },
        { id: "gid://shopify/Order/1", updatedAt: at(1), name: "#1" },
      ],
    });
    const data = await client.request<{
      orders: { edges: { cursor: string; node: { name: string } }[]; pageInfo: { hasNextPage: boolean } };
    }>(`{ orders(first: 1) { edges { cursor node { name } } pageInfo { hasNextPage } } }`);
    expect(data.orders.edges.map((e) => e.node)).toEqual([{ name: "#1" }]);
    expect(data.orders.pageInfo.hasNextPage).toBe(true);
    const next = await client.request<{ orders: { nodes: { name: string }[] } }>(
      `query($after: String) { orders(first: 5, after: $after) { nodes { name } } }`,
      {
        after: data.orders.edges[0]!.cursor,
      },
    );
    expect(next.orders.nodes).toEqual([{ name: "#2" }]);
  });

  it("counts, and says AT_LEAST past the limit", async () => {
    const { client } = await start({ customers, counts: { orders: 12_345 } });
    const data = await client.request(`{
      customersCount { count precision }
      ordersCount { count precision }
      all: ordersCount(limit: null) { count precision }
      productsCount(limit: 50000) { count }
      filtered: customersCount(query: "updated_at:>'2025-01-03T00:00:00Z'") { count }
      shop { name currencyCode ianaTimezone }
    }`);
    expect(data).toEqual({
      customersCount: { count: 3, precision: "EXACT" }, // the bulk file's top-level objects
      ordersCount: { count: 10_000, precision: "AT_LEAST" },
      all: { count: 12_345, precision: "EXACT" },
      productsCount: { count: 20_000 },
      filtered: { count: 1 }, // a search query counts the paginated customers
      shop: { name: "Fake Shop", currencyCode: "USD", ianaTimezone: "America/New_York" },
    });
  });
});

describe("fake Shopify: HTTP contract", () => {
  const post = (shopify: FakeShopify, body: unknown, token = TOKEN) =>
    fetch(`${shopify.origin}/admin/api/2025-07/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": token },
      body: JSON.stringify(body),
    });

  it("answers 401 to a wrong or missing token", async () => {
    const { shopify } = await start();
    const response = await post(shopify, { query: "{ shop { name } }" }, "nope");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
    });
    const missing = await fetch(`${shopify.origin}/admin/api/2025-07/graphql.json`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(401);
  });

  it("throttles with HTTP 200, a THROTTLED error and the bucket's state", async () => {
    const { shopify } = await start({ throttle: { maximumAvailable: 100, restoreRate: 1, queryCost: 60 } });
    const ok = await post(shopify, { query: "{ shop { name } }" });
    expect(await ok.json()).toMatchObject({
      data: { shop: { name: "Fake Shop" } },
      extensions: {
        cost: {
          requestedQueryCost: 60,
          actualQueryCost: 60,
          throttleStatus: { maximumAvailable: 100, currentlyAvailable: 40, restoreRate: 1 },
        },
      },
    });
    const throttled = await post(shopify, { query: "{ shop { name } }" });
    expect(throttled.status).toBe(200);
    const body = (await throttled.json()) as Record<string, unknown>;
    expect(body).toEqual({
      errors: [
        {
          message: "Throttled",
          extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
        },
      ],
      extensions: {
        cost: {
          requestedQueryCost: 60,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 100, currentlyAvailable: 40, restoreRate: 1 },
        },
      },
    });
    expect(body).not.toHaveProperty("data");
  });
});
