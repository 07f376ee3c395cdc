// The repeat-purchase summary the app derives from its own orders table equals the literature's: the
// CDNOW sample imported as orders, calibration ending 1997-09-30, in weeks, against
// ../shared/datasets/cdnow/cdnow_customers_summary_with_transactions.csv (x, t_x, T, z̄) — every customer.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database.server";
import { dayOf, loadSummaries } from "~/models/predictions/summary.server";
import { importCdnow } from "~/services/cdnow-import.server";
import { createTestDb, DIALECTS } from "../helpers/db";
import { CDNOW_DIR } from "../helpers/env";

const SHOP = "cdnow-summary.myshopify.com";
const END_DAY = dayOf(new Date("1997-09-30T00:00:00Z"));

type Expected = { id: string; x: number; tx: number; T: number; zbar: number };

function expected(): Expected[] {
  const lines = fs
    .readFileSync(path.join(CDNOW_DIR, "cdnow_customers_summary_with_transactions.csv"), "utf8")
    .trim()
    .split(/\r?\n/);
  return lines.slice(1).map((line) => {
    const [id, x, tx, T, zbar] = line.split(",");
    return { id: id!, x: Number(x), tx: Number(tx), T: Number(T), zbar: Number(zbar) };
  });
}

const weeks = (days: number) => Math.round((days / 7) * 100) / 100;

describe.each(DIALECTS)("CDNOW summary derived from the orders on %s", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb(dialect));
    await importCdnow(db, { file: path.join(CDNOW_DIR, "CDNOW_sample.txt"), shop: SHOP, now: new Date("2026-01-01") });
  });
  afterAll(async () => close());

  it("equals cdnow_customers_summary(_with_transactions).csv for all 2,357 customers", async () => {
    const rows = await loadSummaries(db, { shop: SHOP, endDay: END_DAY });
    // The import keeps the master id (first column); the CSV is numbered by the sample id (second).
    const sampleId = new Map<string, string>();
    for (const line of fs.readFileSync(path.join(CDNOW_DIR, "CDNOW_sample.txt"), "utf8").split(/\r?\n/)) {
      const [master, sample] = line.trim().split(/\s+/);
      if (master && sample) sampleId.set(String(Number(master)), String(Number(sample)));
    }
    const want = expected();
    expect(rows).toHaveLength(want.length);
    const plain = rows
      .map((r) => ({ id: sampleId.get(r.customerId)!, r }))
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map(({ id, r }) => ({
        id,
        x: r.x,
        tx: weeks(r.tx),
        T: weeks(r.T),
        zbar: Math.round(r.repeatMean) / 100,
      }));
    expect(plain).toEqual(want);
    // And the summary-only CSV (frequency, recency, T) is the same numbers.
    const summary = fs
      .readFileSync(path.join(CDNOW_DIR, "cdnow_customers_summary.csv"), "utf8")
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(",").slice(1).map(Number));
    expect(plain.map((r) => [r.x, r.tx, r.T])).toEqual(summary);
  });

  it("reads one customer alone, and nothing for a shop without orders", async () => {
    const [one] = await loadSummaries(db, { shop: SHOP, endDay: END_DAY, customerIds: ["4"] });
    expect(one).toMatchObject({ customerId: "4", x: 2, tx: 213, T: 272 });
    expect(await loadSummaries(db, { shop: "none.myshopify.com", endDay: END_DAY })).toEqual([]);
  });
});
