// `tailored recommend` on a seeded demo shop: one JSON line per customer with numeric ids, the
// customer's purchases and inactive products left out, --refresh, a customers file, and the bad paths.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "~/cli/main";
import { openDatabase, type Db } from "~/db/database.server";
import { cli, cliJson } from "../helpers/cli";
import { createEmptyDatabase, DIALECTS, type TestDatabase } from "../helpers/db";

const SHOP = "tailored-demo.myshopify.com";
const NOW = "2026-06-30T12:00:00Z";

describe.each(DIALECTS)("recommend on %s", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  let dir: string;
  let buyers: { id: string; bought: Set<string> }[];
  const lines = async (...argv: string[]) => {
    const { code, stdout } = await cli(database.url, "recommend", "--shop", SHOP, ...argv, "--json");
    expect(code).toBe(0);
    return stdout.split("\n").map((l) => JSON.parse(l) as { customer: string; products: string[] });
  };

  beforeAll(async () => {
    database = await createEmptyDatabase(dialect);
    await cliJson(database.url, "seed", "--customers", "300", "--now", NOW);
    db = openDatabase(database.config);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-recommend-"));
    const orders = await db.prisma.order.findMany({
      where: { shop: SHOP, cancelledAt: null, customerId: { not: null } },
      select: { customerId: true, lines: { select: { productId: true } } },
    });
    const byCustomer = new Map<string, Set<string>>();
    for (const o of orders) {
      const set = byCustomer.get(o.customerId!) ?? new Set();
      for (const l of o.lines) if (l.productId) set.add(l.productId);
      byCustomer.set(o.customerId!, set);
    }
    buyers = [...byCustomer].map(([id, bought]) => ({ id, bought })).slice(0, 5);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("recommends from the fallbacks before any refresh, and from the lists after --refresh", async () => {
    const [before] = await lines("--customer", buyers[0]!.id, "--limit", "4");
    expect(before!.products).toHaveLength(4);
    const [after] = await lines("--customer", buyers[0]!.id, "--limit", "12", "--refresh", "--now", NOW);
    expect(after).toEqual({ customer: buyers[0]!.id, products: expect.any(Array) });
    expect(after!.products).toHaveLength(12);
    expect(await db.prisma.recommendationList.count({ where: { shop: SHOP, kind: "customer" } })).toBeGreaterThan(100);
  });

  it("refreshes only, with --refresh alone", async () => {
    const out = await cliJson<{ refreshed: { model: string; customers: number } }>(
      database.url,
      "recommend",
      "--shop",
      SHOP,
      "--refresh",
      "--now",
      NOW,
    );
    expect(out.refreshed.model).toBe("ease");
    expect(out.refreshed.customers).toBeGreaterThan(100);
  });

  it("prints one line per customer of the file, with numeric ids, never what they bought or an inactive product", async () => {
    const file = path.join(dir, "customers.txt");
    fs.writeFileSync(file, `${buyers.map((b) => b.id).join("\n")}\n\n99999999\n`);
    const out = await lines("--customers-file", file);
    expect(out.map((l) => l.customer)).toEqual([...buyers.map((b) => b.id), "99999999"]);
    const inactive = new Set(
      (await db.prisma.product.findMany({ where: { shop: SHOP, status: { not: "ACTIVE" } } })).map((p) => p.id),
    );
    for (const [i, line] of out.entries()) {
      expect(line.products).toHaveLength(10);
      for (const id of line.products) {
        expect(id).toMatch(/^\d+$/);
        expect(inactive.has(id)).toBe(false);
        if (i < buyers.length) expect(buyers[i]!.bought.has(id)).toBe(false);
      }
    }
  });

  it.each([
    [["--customer", "abc"], /--customer must be a numeric/],
    [["--customer", "1", "--limit", "0"], /--limit must be from 1 to 24/],
    [["--customer", "1", "--limit", "25"], /--limit must be from 1 to 24/],
    [[], /exactly one of --customer ID and --customers-file FILE/],
    [["--customer", "1", "--customers-file", "x"], /exactly one of/],
    [["--customers-file", "/nonexistent/customers.txt"], /cannot read/],
  ])("refuses %j", async (argv, message) => {
    const attempt = cli(database.url, "recommend", "--shop", SHOP, ...argv, "--json");
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  it("refuses a file line that is not a customer id, naming the line", async () => {
    const file = path.join(dir, "bad.txt");
    fs.writeFileSync(file, "7000000000001\nnot-an-id\n");
    await expect(cli(database.url, "recommend", "--shop", SHOP, "--customers-file", file, "--json")).rejects.toThrow(
      /line 2: not a numeric Shopify customer id/,
    );
  });
});
