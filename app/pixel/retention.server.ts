// Browsing events are kept for a retention period (default 90 days, TAILORED_PIXEL_RETENTION_DAYS),
// then deleted by the daily pass (app/sync/worker.server.ts runDailyPass), with the visitor links
// made before it. Behavioural rules can therefore look back at most that far.
import type { Executor } from "~/db/database.server";
import { sql } from "~/db/sql";
import { purgeEvents } from "./store.server";

export const DEFAULT_RETENTION_DAYS = 90;

export function retentionDays(env: Record<string, string | undefined> = process.env): number {
  const days = Number(env.TAILORED_PIXEL_RETENTION_DAYS);
  return Number.isInteger(days) && days >= 1 && days <= 3650 ? days : DEFAULT_RETENTION_DAYS;
}

export async function purgeExpiredBrowsing(
  db: Executor,
  { shop, now, days = retentionDays() }: { shop: string; now: Date; days?: number },
): Promise<{ events: number; visitors: number }> {
  const before = new Date(now.getTime() - days * 86_400_000);
  const events = await purgeEvents(db, { shop, before });
  const visitors = await db.run(sql`DELETE FROM "PixelVisitor" WHERE "shop" = ${shop} AND "linkedAt" < ${before}`);
  return { events, visitors };
}
