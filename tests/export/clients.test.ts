// The destination clients against their stand-ins: retries (429 with and without Retry-After, 5xx)
// with the waits they chose, batch limits, partial failures, the Shopify mutations under cost
// throttling, and API keys in no error message.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backoffMs, DestinationError, httpClient, retryAfterMs } from "~/export/http.server";
import { KlaviyoClient } from "~/export/klaviyo.server";
import { dataCentre, MailchimpClient, subscriberHash } from "~/export/mailchimp.server";
import { segmentTag, ShopifyTagsClient } from "~/export/shopify-tags.server";
import { AdminClient } from "~/sync/admin-client.server";
import { FakeKlaviyo } from "../helpers/fake-klaviyo";
import { FakeMailchimp } from "../helpers/fake-mailchimp";
import { startFakeShopify, type FakeShopify } from "../helpers/fake-shopify";

const KEY = "pk_clients_0123456789abcdef";
const MC_KEY = "fedcba9876543210fedcba9876543210-us21";

describe("waits", () => {
  it("reads Retry-After as seconds or an HTTP date, capped at 10 minutes", () => {
    expect(retryAfterMs("3", 0)).toBe(3000);
    expect(retryAfterMs("0.5", 0)).toBe(500);
    expect(retryAfterMs(new Date(7_000).toUTCString(), 2_000)).toBe(5000);
    expect(retryAfterMs("99999", 0)).toBe(600_000);
    expect(retryAfterMs(null, 0)).toBeNull();
    expect(retryAfterMs("soon", 0)).toBeNull();
  });
  it("backs off exponentially with full jitter, capped", () => {
    expect(backoffMs(1, () => 0.999, 500, 30_000)).toBe(500);
    expect(backoffMs(4, () => 0.5, 500, 30_000)).toBe(2000);
    expect(backoffMs(20, () => 0.999, 500, 30_000)).toBe(29970);
    expect(backoffMs(3, () => 0, 500, 30_000)).toBe(0);
  });
});

describe("Klaviyo client", () => {
  let fake: FakeKlaviyo;
  beforeAll(async () => {
    fake = await new FakeKlaviyo(KEY).start();
  });
  afterAll(() => fake.close());
  const client = (waits: number[] = [], extra: Record<string, unknown> = {}) =>
    new KlaviyoClient(KEY, {
      origin: fake.url,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
      pollMs: 7,
      ...extra,
    });

  it("sends the key and the revision; a wrong key is refused with a message that does not hold it", async () => {
    expect(await client().validate()).toEqual({ account: "Stand-in Store" });
    const error = await new KlaviyoClient("pk_not_the_key", { origin: fake.url }).validate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationError);
    expect((error as DestinationError).details.status).toBe(400);
    expect((error as Error).message).not.toContain("pk_not_the_key");
    expect(JSON.stringify(fake.log)).not.toContain(KEY);
  });

  it("waits as a 429's Retry-After says, and backs off with jitter when it says nothing, then succeeds", async () => {
    const waits: number[] = [];
    fake.fail({ status: 429, retryAfter: "3", times: 1, path: /^\/api\/lists$/ });
    fake.fail({ status: 429, times: 1, path: /^\/api\/lists$/ });
    fake.fail({ status: 503, times: 1, path: /^\/api\/lists$/ });
    const id = await client(waits).createList("Retry");
    expect(id).toMatch(/^L/);
    // 3 s as told; then attempt 2 without Retry-After: half of 1 s (random 0.5); then a 503 at attempt 3: half of 2 s.
    expect(waits).toEqual([3000, 500, 1000]);
  });

  it("gives up after its attempts with an error naming the status, not the key", async () => {
    fake.fail({ status: 500, times: 10, path: /^\/api\/lists$/ });
    const error = await client([], { maxAttempts: 3 })
      .createList("Never")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationError);
    expect((error as Error).message).toBe("gave up after 3 attempts: Klaviyo: POST /api/lists: HTTP 500");
    fake.clearFaults();
  });

  it("polls an import job to completion and reads its import errors and profile ids", async () => {
    fake.pollsUntilComplete = 2;
    fake.refuse.add("bad@example.com");
    const waits: number[] = [];
    const list = await client().createList("Imports");
    const outcome = await client(waits).importProfiles(
      [
        { email: "a@example.com", external_id: "1", properties: { tailored_orders: 2 } },
        { email: "bad@example.com", external_id: "2", properties: {} },
      ],
      list,
    );
    expect(waits).toEqual([7, 7]);
    expect(outcome).toMatchObject({ status: "complete", completed: 1, failed: 1 });
    expect(outcome.errors).toEqual([{ email: "bad@example.com", code: "invalid", detail: expect.any(String) }]);
    expect(outcome.profileIds.get("a@example.com")).toBe(fake.profiles.get("a@example.com")!.id);
    fake.pollsUntilComplete = 0;
  });

  it("refuses batches past Klaviyo's limits before sending them", async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({
      email: `x${i}@example.com`,
      external_id: String(i),
      properties: {},
    }));
    await expect(client().importProfiles(many, "L1")).rejects.toThrow(/10000/);
    await expect(
      client().subscribe(
        many.slice(0, 1001).map((p) => ({ email: p.email, consentedAt: null })),
        "L1",
        new Date(),
      ),
    ).rejects.toThrow(/1000/);
    await expect(
      client().unsubscribe(
        many.slice(0, 101).map((p) => p.email),
        "L1",
      ),
    ).rejects.toThrow(/100 /);
  });

  it("unsubscribes profiles from email marketing, and they leave the list", async () => {
    const listId = await client().createList("Unsubscribe");
    const emails = Array.from({ length: 150 }, (_, i) => `u${i}@example.com`);
    for (let i = 0; i < emails.length; i += 100)
      await client().subscribe(
        emails.slice(i, i + 100).map((email) => ({ email, consentedAt: null })),
        listId,
        new Date(),
      );
    expect(fake.listEmails(listId)).toHaveLength(150);
    await client().unsubscribe(emails.slice(0, 100), listId);
    await client().unsubscribe(emails.slice(100, 120), listId);
    expect(fake.unsubscribed).toEqual(emails.slice(0, 120));
    expect(fake.profiles.get("u7@example.com")?.consent).toBe("UNSUBSCRIBED");
    expect(fake.profiles.get("u130@example.com")?.consent).toBe("SUBSCRIBED");
    expect(fake.listEmails(listId)).toEqual(emails.slice(120).sort());
  });

  it("asks for a deletion with exactly one identifier", async () => {
    await client().requestDeletion("a@example.com");
    expect(fake.deletions).toEqual(["a@example.com"]);
    expect(fake.profiles.has("a@example.com")).toBe(false);
  });
});

describe("Mailchimp client", () => {
  let fake: FakeMailchimp;
  beforeAll(async () => {
    fake = await new FakeMailchimp(MC_KEY).start();
  });
  afterAll(() => fake.close());
  const client = (extra: Record<string, unknown> = {}) =>
    new MailchimpClient(MC_KEY, { origin: fake.url, sleep: async () => undefined, ...extra });

  it("reads the data centre from the key, and only a plain one", () => {
    expect(dataCentre(MC_KEY)).toBe("us21");
    expect(dataCentre("abc-evil.example.com/x")).toBeNull();
    expect(dataCentre("nodash")).toBeNull();
    expect(() => new MailchimpClient("abc-evil.example.com")).toThrow(/data centre/);
    expect(subscriberHash("Ada@Example.COM")).toBe(createHash("md5").update("ada@example.com").digest("hex"));
  });

  it("checks the key with Basic auth; a wrong one is 401 and not in the message", async () => {
    expect(await client().validate()).toEqual({ account: "Stand-in Chimp" });
    const error = await new MailchimpClient("0000-us21", { origin: fake.url }).validate().catch((e: unknown) => e);
    expect((error as DestinationError).details.status).toBe(401);
    expect((error as Error).message).not.toContain("0000-us21");
  });

  it("reads partial failures out of a 200 answer", async () => {
    fake.refuse.add("nope@example.com");
    const outcome = await client().upsertMembers("aud001", [
      { email_address: "yes@example.com", status_if_new: "subscribed", merge_fields: {} },
      { email_address: "nope@example.com", status_if_new: "subscribed", merge_fields: {} },
    ]);
    expect(outcome).toMatchObject({ created: 1, errors: [{ email: "nope@example.com", code: "ERROR_GENERIC" }] });
    await expect(
      client().upsertMembers(
        "aud001",
        Array.from({ length: 501 }, (_, i) => ({
          email_address: `m${i}@example.com`,
          status_if_new: "subscribed" as const,
          merge_fields: {},
        })),
      ),
    ).rejects.toThrow(/500/);
  });

  it("keeps within its connections (a 429 without headers is backed off), and sets tags by hash", async () => {
    fake.maxConnections = 3;
    fake.delayMs = 15;
    fake.maxInFlight = 0;
    const emails = Array.from({ length: 20 }, (_, i) => `t${i}@example.com`);
    await client().upsertMembers(
      "aud001",
      emails.map((e) => ({ email_address: e, status_if_new: "subscribed", merge_fields: {} })),
    );
    const failures = await client({ concurrency: 3 }).setTags(
      "aud001",
      emails.map((e) => ({ hash: subscriberHash(e), status: "active" })),
      "tailored: T",
    );
    expect(failures).toEqual([]);
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);
    expect(fake.tagged("tailored: T")).toEqual([...emails].sort());
    fake.delayMs = 0;
    fake.maxConnections = 10;
  });

  it("deletes a member permanently (a missing one is already gone)", async () => {
    await client().deletePermanently("aud001", "yes@example.com");
    await client().deletePermanently("aud001", "never@example.com");
    expect(fake.deleted).toEqual(["yes@example.com"]);
  });
});

describe("Shopify tags, metafields and segments", () => {
  let shopify: FakeShopify;
  const SHOP = "tags.myshopify.com";
  beforeAll(async () => {
    // A small bucket: 25 tag mutations cost the stand-in's fixed 50 points a request, the bucket holds 120.
    shopify = await startFakeShopify({
      shop: SHOP,
      accessToken: "shpat_tags",
      throttle: { maximumAvailable: 120, restoreRate: 1000, queryCost: 50 },
    });
  });
  afterAll(() => shopify.close());
  const admin = () => new AdminClient({ shop: SHOP, accessToken: "shpat_tags", origin: shopify.origin });

  it("tags 60 customers in 3 requests, waiting out THROTTLED answers by the cost figures", async () => {
    const ids = Array.from({ length: 60 }, (_, i) => String(700 + i));
    const results = await new ShopifyTagsClient(admin()).setTag(ids, segmentTag("Big, spenders\n"), true);
    expect(results.every((r) => r.error === null)).toBe(true);
    expect(shopify.exported.tags.get("gid://shopify/Customer/700")).toEqual(new Set(["tailored: Big spenders"]));
    expect(shopify.exported.tagCalls).toHaveLength(60);
    const removed = await new ShopifyTagsClient(admin()).setTag(["700"], "tailored: Big spenders", false);
    expect(removed).toEqual([{ customerId: "700", error: null }]);
    expect(shopify.exported.tags.get("gid://shopify/Customer/700")).toEqual(new Set());
  });

  it("reports a customer Shopify does not know as that customer's error", async () => {
    shopify.exported.knownCustomers = new Set(["gid://shopify/Customer/1"]);
    const results = await new ShopifyTagsClient(admin()).setTag(["1", "2"], "tailored: X", true);
    expect(results).toEqual([
      { customerId: "1", error: null },
      { customerId: "2", error: "Customer does not exist" },
    ]);
    shopify.exported.knownCustomers = new Set();
  });

  it("sets the segment's app metafield 25 at a time, true on entering and false on leaving, and creates a native segment", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => String(900 + i));
    const results = await new ShopifyTagsClient(admin()).setSegmentFlag(ids, "segment_7", true);
    expect(results.every((r) => r.error === null)).toBe(true);
    expect(shopify.exported.metafields.get("gid://shopify/Customer/929 $app:tailored.segment_7")).toBe("true");
    const ops = shopify.requests.filter((r) => r.operation === "metafieldsSet" && r.status === 200 && !r.throttled);
    expect(ops).toHaveLength(2);
    await new ShopifyTagsClient(admin()).setSegmentFlag(["929"], "segment_7", false);
    expect(shopify.exported.metafields.get("gid://shopify/Customer/929 $app:tailored.segment_7")).toBe("false");
    const segment = await new ShopifyTagsClient(admin()).createSegment("VIP", "amount_spent > 100");
    expect(segment.id).toMatch(/^gid:\/\/shopify\/Segment\//);
    await expect(new ShopifyTagsClient(admin()).createSegment("VIP", "amount_spent > 100")).rejects.toThrow(
      /already been taken/,
    );
  });
});

describe("httpClient", () => {
  it("does not retry a 4xx other than 429", async () => {
    let calls = 0;
    const http = httpClient("Test", {
      fetch: async () => {
        calls++;
        return new Response("{}", { status: 422 });
      },
    });
    expect((await http("GET", "http://127.0.0.1:1/x")).status).toBe(422);
    expect(calls).toBe(1);
  });
});
