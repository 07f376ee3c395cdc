// What the campaign pages need beyond the campaign itself: the shop's segments to choose from, and the
// theme editor deep links that add the blocks (contracts.md §2).
import type { Db } from "~/db/database.server";

export async function segmentChoices(db: Db, { shop }: { shop: string }): Promise<{ id: number; name: string }[]> {
  return db.prisma.segment.findMany({ where: { shop }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}

/**
 * Shopify's theme editor, opened on the live theme with the block added: the banner in a new apps
 * section of the home page, recommendations in the product page's main section.
 */
export function themeEditorLinks(shop: string, apiKey: string): { banner: string; recommendations: string } {
  const base = `https://${shop}/admin/themes/current/editor`;
  const link = (template: string, handle: string, target: string) =>
    `${base}?${new URLSearchParams({ template, addAppBlockId: `${apiKey}/${handle}`, target }).toString()}`;
  return {
    banner: link("index", "personalized-banner", "newAppsSection"),
    recommendations: link("product", "recommendations", "mainSection"),
  };
}
