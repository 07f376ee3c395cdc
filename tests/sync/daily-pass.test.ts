// The daily pass guards each step on its own: a step that throws is logged with its shop and name and
// reported, and the shop's other nightly work (RFM, predictions, segments, recommendations) still
// runs. On SQLite and PostgreSQL, with a seeded demo shop.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/database.server";
import { raw } from "~/db/sql";
import { createSegment } from "~/models/segments/definitions.server";
import { seedDemoShop } from "~/services/seed.server";
import {
  GLOBAL_DAILY_STEPS,
  runGlobalDailySteps,
  runShopDailyPass,
  SHOP_DAILY_STEPS,
  type DailyStep,
} from "~/sync/daily-pass.server";
import { cli } from "../helpers/cli";
import { createTestDb, DIALECTS } from "../helpers/db";

const SHOP = "daily-pass.myshopify.com";
const OTHER = "daily-other.myshopify.com";
const SEEDED = new Date("2026-11-01T00:00:00Z");

describe.each(DIALECTS)("daily pass, each step guarded, on %s", (dialect) => {
  let db: Db;
  let url: string;
  let close: () => Promise<void>;
  let segmentId: number;

  beforeAll(async () => {
    ({ db, url, close } = await createTestDb(dialect));
    for (const [shop, seed] of [
      [SHOP, 7],
      [OTHER, 8],
    ] as const)
      await seedDemoShop(db, { shopDomain: shop, customers: 300, seed, now: SEEDED });
    segmentId = await createSegment(db, { shop: SHOP, name: "Ordered", query: "number_of_orders >= 1", now: SEEDED });
  });
  afterAll(async () => {
    await close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Undoes what the pass does, so that each test sees whether its own pass did it. */
  async function forget(shop: string): Promise<void> {
    await db.prisma.customerFacts.updateMany({ where: { shop }, data: { rfmGroup: null } });
    await db.prisma.recommendationList.deleteMany({ where: { shop } });
    await db.prisma.modelFit.deleteMany({ where: { shop } });
  }

  async function didItsWork(shop: string, now: Date) {
    return {
      rfmScored: (await db.prisma.customerFacts.count({ where: { shop, rfmGroup: null } })) === 0,
      fitted: (await db.prisma.modelFit.count({ where: { shop, fittedAt: now } })) > 0,
      recommended: (await db.prisma.recommendationList.count({ where: { shop, computedAt: now } })) > 0,
    };
  }

  it("a failing browsing purge is logged and reported; RFM, predictions, segments and recommendations still run", async () => {
    await forget(SHOP);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const steps: DailyStep[] = SHOP_DAILY_STEPS.map((step) =>
      step.name === "browsing-retention"
        ? {
            ...step,
            run: () => {
              throw new Error("purge broke");
            },
          }
        : step,
    );
    const now = new Date("2026-11-02T03:00:00Z");
    const failed = await runShopDailyPass(db, { shop: SHOP, now, steps });
    expect(failed).toEqual([{ shop: SHOP, step: "browsing-retention", error: "purge broke" }]);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([`[daily] ${SHOP}: step browsing-retention failed:`]);
    expect(await didItsWork(SHOP, now)).toEqual({ rfmScored: true, fitted: true, recommended: true });
    const segment = await db.prisma.segment.findUniqueOrThrow({ where: { id: segmentId } });
    expect(segment.lastComputedAt?.getTime()).toBe(now.getTime());
    expect(segment.memberCount).toBe(
      await db.prisma.customerFacts.count({ where: { shop: SHOP, ordersCount: { gte: 1 } } }),
    );
  });

  it("whichever step throws, every other step of the shop runs, in order", async () => {
    const names = SHOP_DAILY_STEPS.map((s) => s.name);
    expect(names).toEqual(["browsing-retention", "rfm", "predictions", "segments", "recommendations"]);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    for (const broken of names) {
      const ran: string[] = [];
      const steps: DailyStep[] = names.map((name) => ({
        name,
        run: async () => {
          ran.push(name);
          if (name === broken) throw new Error(`${name} broke`);
        },
      }));
      const failed = await runShopDailyPass(db, { shop: SHOP, now: new Date(), steps });
      expect(ran).toEqual(names);
      expect(failed).toEqual([{ shop: SHOP, step: broken, error: `${broken} broke` }]);
    }
  });

  it("a failing step over every shop is reported with no shop, and the next one runs", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const ran: string[] = [];
    const failed = await runGlobalDailySteps(db, {
      now: new Date(),
      steps: GLOBAL_DAILY_STEPS.map((step, i) => ({
        name: step.name,
        run: async (d, at) => {
          ran.push(step.name);
          if (i === 0) throw new Error("inbox broke");
          return step.run(d, at);
        },
      })),
    });
    expect(ran).toEqual(["inbox-retention", "export-retention"]);
    expect(failed).toEqual([{ shop: null, step: "inbox-retention", error: "inbox broke" }]);
  });

  it("tailored daily: a real database failure in one step exits 1 naming the shop and step; the rest is done", async () => {
    await forget(SHOP);
    await forget(OTHER);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    // The purge's second statement meets no table: a database error, not one the test throws.
    await db.run(raw(`ALTER TABLE "PixelVisitor" RENAME TO "PixelVisitorAway"`));
    const now = new Date("2026-11-03T03:00:00Z");
    let result: { code: number; stdout: string };
    try {
      result = await cli(url, "daily", "--now", now.toISOString(), "--json");
    } finally {
      await db.run(raw(`ALTER TABLE "PixelVisitorAway" RENAME TO "PixelVisitor"`));
    }
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { shops: string[]; failed: { shop: string; step: string }[] };
    expect(report.shops).toEqual([OTHER, SHOP]);
    expect(report.failed.map((f) => [f.shop, f.step])).toEqual([
      [OTHER, "browsing-retention"],
      [SHOP, "browsing-retention"],
    ]);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([
      `[daily] ${OTHER}: step browsing-retention failed:`,
      `[daily] ${SHOP}: step browsing-retention failed:`,
    ]);
    for (const shop of [SHOP, OTHER])
      expect(await didItsWork(shop, now)).toEqual({ rfmScored: true, fitted: true, recommended: true });
    expect((await db.prisma.segment.findUniqueOrThrow({ where: { id: segmentId } })).lastComputedAt?.getTime()).toBe(
      now.getTime(),
    );

    // With the table back, the same pass exits 0.
    errors.mockClear();
    const again = await cli(url, "daily", "--shop", SHOP, "--now", now.toISOString(), "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ shops: [SHOP], failed: [] });
    expect(errors).not.toHaveBeenCalled();
  });
});
