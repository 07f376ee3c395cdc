// The editor's preview says why a query matches nobody (issue 15, item 2), on both databases: a value
// the shop does not have with the nearest one it has, an empty range, each with its line and column;
// no hints for a query that matches someone, and none that come from another shop's values.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { DEMO_SHOP } from "~/demo/mode.server";
import { forgetVocabulary } from "~/models/segments/vocabulary.server";
import { upsertProducts, upsertShop } from "~/models/store.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";
import { stubDemoEnv } from "../helpers/demo-env";

type Hint = { message: string; line: number; col: number };
type Answer = { ok: true; count: number; hints: Hint[] } | { ok: false; error: string };

describe.each(DIALECTS)("the preview's 'matches nobody' hints on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "seed", "--customers", "150", "--seed", "5");
    stubDemoEnv(database.url);
    vi.resetModules();
    delete (globalThis as { tailoredDb?: Db }).tailoredDb;
    ({ db } = await import("~/db.server"));
    forgetVocabulary();
    // Another shop has the product type the demo shop lacks: it must not count as the demo shop's.
    const other = "other-hints.myshopify.com";
    await upsertShop(db, { domain: other, name: other, currencyCode: "USD", ianaTimezone: "UTC" });
    const now = new Date();
    await upsertProducts(db, {
      shop: other,
      now,
      rows: [
        {
          id: "9001",
          handle: "tea",
          title: "Tea",
          productType: "Loose Leaf Tea",
          vendor: "Elsewhere",
          tags: [],
          status: "ACTIVE",
          imageUrl: null,
          priceMinor: 100n,
          createdAt: now,
          updatedAt: now,
        },
      ],
    });
  });
  afterAll(async () => {
    await db?.close();
    vi.unstubAllEnvs();
    await database?.drop();
  });

  const preview = async (query: string): Promise<{ status: number; body: Answer }> => {
    const { loader } = await import("~/routes/app.segment-preview");
    const response = (await loader({
      request: new Request(`http://localhost:3000/app/segment-preview?q=${encodeURIComponent(query)}`),
      params: {},
      context: {},
    })) as Response;
    return { status: response.status, body: (await response.json()) as Answer };
  };

  it("names a product type the shop does not have, the one it probably meant, and where it is", async () => {
    const query = "number_of_orders >= 1 AND\n  products_purchased MATCHES (product_type = 'Coffee')";
    const { status, body } = await preview(query);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, count: 0 });
    expect(body.ok && body.hints).toEqual([
      { message: "No product type 'Coffee' in your shop; did you mean 'Coffee Beans'?", line: 2, col: 46 },
    ]);
  });

  it("says so without a suggestion when nothing is close, and for another shop's value", async () => {
    const { body } = await preview("products_purchased MATCHES (product_type = 'Loose Leaf Tea')");
    expect(body.ok && body.hints).toEqual([
      { message: "No product type 'Loose Leaf Tea' in your shop.", line: 1, col: 44 },
    ]);
    const tags = await preview("customer_tags CONTAINS 'zzqx-nothing'");
    expect(tags.body.ok && tags.body.hints.map((h) => h.message)).toEqual([
      "No customer tag 'zzqx-nothing' in your shop.",
    ]);
  });

  it("finds an empty range and a date range that ends before it starts", async () => {
    const range = await preview("amount_spent > 100 AND amount_spent < 50");
    expect(range.body).toMatchObject({ ok: true, count: 0 });
    expect(range.body.ok && range.body.hints).toEqual([
      {
        message:
          "amount_spent cannot be both more than 100 and less than 50, so these conditions together match nobody.",
        line: 1,
        col: 24,
      },
    ]);
    const dates = await preview("last_order_date BETWEEN -30d AND -1y");
    expect(dates.body.ok && dates.body.hints).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/ends before it starts/), line: 1, col: 1 }),
    ]);
  });

  it("gives no hints when the query matches someone, or when it is a valid query we cannot explain", async () => {
    const some = await preview("products_purchased MATCHES (product_type = 'Coffee Beans')");
    expect(some.body).toMatchObject({ ok: true, hints: [] });
    expect(some.body.ok && some.body.count).toBeGreaterThan(0);
    const none = await preview("amount_spent > 99999999");
    expect(none.body).toMatchObject({ ok: true, count: 0, hints: [] });
    // A mistake is still a 422 with where it is, and no hints.
    const bad = await preview("products_purchased MATCHES (product_type = )");
    expect(bad.status).toBe(422);
    expect(bad.body).not.toHaveProperty("hints");
  });

  it("shows the demo shop the values it has (the editor's value completion)", async () => {
    const { loader } = await import("~/routes/app.segment-values");
    const response = (await loader({
      request: new Request("http://localhost:3000/app/segment-values?kind=product_type&q=cof"),
      params: {},
      context: {},
    })) as Response;
    const { values } = (await response.json()) as { values: { value: string }[] };
    expect(values.map((v) => v.value)).toContain("Coffee Beans");
    expect(values.map((v) => v.value)).not.toContain("Loose Leaf Tea");
    expect(DEMO_SHOP).toBe("tailored-demo.myshopify.com");
  });
});
