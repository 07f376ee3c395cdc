// Server-side counts of the decisions the storefront was served: impressions per campaign, arm and UTC
// day, and the logged-in customers each arm reached (CampaignExposure, for attribution). Counted in
// memory per request and written in batches (every FLUSH_MS, or sooner past FLUSH_AT pending rows), so
// that a proxy request never waits on a write: at 500 requests a second a row per request would put
// the storefront behind the webhook writer. What a crash loses is the last few seconds of counts.
import type { Db, Executor } from "~/db/database.server";
import { decoder, int, join, sql, sqlIn, text } from "~/db/sql";
import type { Arm } from "~/domain/personalize";

export const FLUSH_MS = 2_000;
const FLUSH_AT = 2_000;

type Pending = {
  impressions: Map<string, { shop: string; campaignId: number; arm: Arm; day: string; n: number }>;
  exposures: Map<string, { shop: string; campaignId: number; customerId: string; arm: Arm; first: Date; last: Date }>;
};

let pending: Pending = { impressions: new Map(), exposures: new Map() };
let timer: NodeJS.Timeout | null = null;
let target: Db | null = null;
let flushing: Promise<void> = Promise.resolve();

/** Counts one decision served. `customerId` only for a logged-in customer of the shop. */
export function recordImpression(
  db: Db,
  {
    shop,
    campaignId,
    arm,
    customerId,
    now,
  }: { shop: string; campaignId: number; arm: Arm; customerId: string | null; now: Date },
): void {
  target = db;
  const day = now.toISOString().slice(0, 10);
  const key = `${shop}\n${campaignId}\n${arm}\n${day}`;
  const held = pending.impressions.get(key);
  if (held) held.n += 1;
  else pending.impressions.set(key, { shop, campaignId, arm, day, n: 1 });
  if (customerId !== null) {
    const ekey = `${shop}\n${campaignId}\n${customerId}`;
    const e = pending.exposures.get(ekey);
    if (e) e.last = now;
    else pending.exposures.set(ekey, { shop, campaignId, customerId, arm, first: now, last: now });
  }
  if (pending.impressions.size + pending.exposures.size >= FLUSH_AT) void flushImpressions().catch(report);
  else if (!timer) {
    timer = setTimeout(() => {
      timer = null;
      void flushImpressions().catch(report);
    }, FLUSH_MS);
    timer.unref();
  }
}

function report(error: unknown): void {
  console.error("[campaigns] could not write impressions:", error);
}

/** Writes what is pending (tests call it; the timer does otherwise). Flushes run one at a time. */
export function flushImpressions(db: Db | null = target): Promise<void> {
  const run = flushing.then(async () => {
    const batch = pending;
    pending = { impressions: new Map(), exposures: new Map() };
    if (!db || (batch.impressions.size === 0 && batch.exposures.size === 0)) return;
    await db.transaction((tx) => write(tx, batch));
  });
  flushing = run.catch(() => undefined);
  return run;
}

async function write(tx: Executor, batch: Pending): Promise<void> {
  // Only for campaigns still held: one deleted (or its shop redacted) since the request gets nothing.
  const ids = [...new Set([...batch.impressions.values()].map((r) => r.campaignId))];
  const held = new Set(
    (
      await tx.all(
        sql`SELECT "shop", "id" FROM "Campaign" WHERE ${sqlIn(`"id"`, ids)}`,
        decoder({ shop: text, id: int }),
      )
    ).map((r) => `${r.shop}\n${r.id}`),
  );
  const live = (r: { shop: string; campaignId: number }) => held.has(`${r.shop}\n${r.campaignId}`);
  const impressions = [...batch.impressions.values()].filter(live);
  for (let i = 0; i < impressions.length; i += 200) {
    const rows = impressions
      .slice(i, i + 200)
      .map((r) => sql`(${r.shop}, ${r.campaignId}, ${r.arm}, ${r.day}, ${r.n})`);
    await tx.run(
      sql`INSERT INTO "CampaignImpression" ("shop", "campaignId", "arm", "day", "impressions") VALUES ${join(rows)}
       ON CONFLICT ("shop", "campaignId", "arm", "day") DO UPDATE SET "impressions" = "CampaignImpression"."impressions" + excluded."impressions"`,
    );
  }
  // Exposures only for customers still held: one erased since the request is not written back.
  const byShop = new Map<string, Pending["exposures"] extends Map<string, infer V> ? V[] : never>();
  for (const e of [...batch.exposures.values()].filter(live)) byShop.set(e.shop, [...(byShop.get(e.shop) ?? []), e]);
  for (const [shop, list] of byShop) {
    for (let i = 0; i < list.length; i += 200) {
      const part = list.slice(i, i + 200);
      const held = new Set(
        (
          await tx.all(
            sql`SELECT "id" FROM "Customer" WHERE "shop" = ${shop} AND ${sqlIn(`"id"`, [...new Set(part.map((e) => e.customerId))])}`,
            decoder({ id: text }),
          )
        ).map((r) => r.id),
      );
      const rows = part
        .filter((e) => held.has(e.customerId))
        .map((e) => sql`(${shop}, ${e.campaignId}, ${e.customerId}, ${e.arm}, ${e.first}, ${e.last})`);
      if (rows.length === 0) continue;
      // The arm is stable (a hash), so the first one written stays; lastSeenAt only moves forward.
      await tx.run(
        sql`INSERT INTO "CampaignExposure" ("shop", "campaignId", "customerId", "arm", "firstSeenAt", "lastSeenAt") VALUES ${join(rows)}
         ON CONFLICT ("shop", "campaignId", "customerId") DO UPDATE SET "lastSeenAt" =
           CASE WHEN excluded."lastSeenAt" > "CampaignExposure"."lastSeenAt" THEN excluded."lastSeenAt" ELSE "CampaignExposure"."lastSeenAt" END`,
      );
    }
  }
}
