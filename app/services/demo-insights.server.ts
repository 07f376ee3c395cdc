// The demo shop as a newcomer should find it: predictions fitted, backtested and clustered, and a few
// segments already made (some of them reading the predictions), so every page has something to show.
import type { Db } from "~/db/database.server";
import { templateByKey } from "~/domain/segments/templates";
import { refreshPredictions } from "~/models/predictions/refresh.server";
import { createSegment } from "~/models/segments/definitions.server";

const STARTER_TEMPLATES = ["likely-to-buy-soon", "high-value-at-risk", "predicted-top-spenders", "repeat", "win-back"];

export async function prepareDemoInsights(
  db: Db,
  { shop, now }: { shop: string; now: Date },
): Promise<{ segments: number }> {
  await refreshPredictions(db, { shop, now });
  // Only into a shop without segments: a re-seed keeps what the merchant made.
  if ((await db.prisma.segment.count({ where: { shop } })) > 0) return { segments: 0 };
  let made = 0;
  for (const key of STARTER_TEMPLATES) {
    const template = templateByKey(key);
    if (!template) continue;
    await createSegment(db, { shop, name: template.name, query: template.query, template: key, now });
    made++;
  }
  return { segments: made };
}
