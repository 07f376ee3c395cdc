// The demo catalogue (catalogue.ts) as the shop's products: ProductRows with handles, tags, launch
// and archive dates, and for the purchase process each product as an Item (one variant, price,
// popularity, the tastes it appeals to, when it is on sale), grouped by category.
import type { ProductRow } from "../domain/rows";
import { normalizeTags } from "../domain/rows";
import { CATALOGUE, CATEGORIES, SKU_PREFIX } from "./catalogue";
import { createRandom } from "./random";
import { DAY, WINDOW } from "./time";

const PRODUCT_ID_BASE = 8_000_000_000_000;
// Variant ids are not in ProductRow; order lines need one, so each product has exactly one, here.
const VARIANT_ID_OFFSET = 1_000_000_000_000;

/** The id of the single variant of demo product `productId` (as carried on order lines). */
export function demoVariantId(productId: string): string {
  return String(Number(productId) + VARIANT_ID_OFFSET);
}

export type Item = {
  index: number;
  category: number;
  id: string;
  variantId: string;
  title: string;
  sku: string;
  productType: string;
  vendor: string;
  cents: number;
  price: bigint;
  logPrice: number;
  popularity: number;
  consumable: boolean;
  espresso: boolean;
  filter: boolean;
  decaf: boolean;
  organic: boolean;
  gift: boolean;
  /** Sold from this instant (ms) and before `until`. */
  from: number;
  until: number;
};

export type Catalogue = { rows: ProductRow[]; items: Item[]; byCategory: Item[][] };

function slugify(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function buildCatalogue(options: { seed: number; now: Date }): Catalogue {
  const now = options.now.getTime();
  const random = createRandom(options.seed).fork("products");
  const rows: ProductRow[] = [];
  const items: Item[] = [];
  const byCategory: Item[][] = CATEGORIES.map(() => []);
  const handles = new Set<string>();
  CATALOGUE.forEach((specs, category) => {
    specs.forEach((spec, rank) => {
      const index = items.length;
      const idNumber = PRODUCT_ID_BASE + index + 1;
      const id = String(idNumber);
      let handle = slugify(spec.title);
      for (let n = 2; handles.has(handle); n++) handle = `${slugify(spec.title)}-${n}`;
      handles.add(handle);
      const tags = normalizeTags(spec.tags);
      const status = spec.status ?? "ACTIVE";
      // The store opened shortly before the first customers signed up.
      const createdAt =
        spec.launchedDaysAgo !== undefined
          ? now - spec.launchedDaysAgo * DAY + random.int(0, DAY - 1)
          : now - WINDOW - random.int(10 * DAY, 60 * DAY);
      let until = Number.POSITIVE_INFINITY;
      let updatedAt: number;
      if (status === "ARCHIVED") {
        until = now - (spec.archivedDaysAgo ?? 90) * DAY;
        updatedAt = until;
      } else {
        updatedAt = createdAt + Math.floor(random.next() * (now - createdAt));
      }
      rows.push({
        id,
        handle,
        title: spec.title,
        productType: CATEGORIES[category]!,
        vendor: spec.vendor,
        tags,
        status,
        imageUrl: null,
        priceMinor: BigInt(spec.price),
        createdAt: new Date(createdAt),
        updatedAt: new Date(updatedAt),
      });
      const item: Item = {
        index,
        category,
        id,
        variantId: String(idNumber + VARIANT_ID_OFFSET),
        title: spec.title,
        sku: `TD-${SKU_PREFIX[category]!}-${String(rank + 1).padStart(3, "0")}`,
        productType: CATEGORIES[category]!,
        vendor: spec.vendor,
        cents: spec.price,
        price: BigInt(spec.price),
        logPrice: Math.log(spec.price / 100),
        // Earlier in the list sells more (a gentle Zipf), and bestsellers more still.
        popularity: (tags.includes("bestseller") ? 2.5 : 1) / Math.pow(rank + 1, 0.5),
        consumable: spec.consumable ?? false,
        espresso: tags.includes("espresso"),
        filter: tags.includes("filter"),
        decaf: tags.includes("decaf"),
        organic: tags.includes("organic"),
        gift: tags.includes("gift"),
        from: status === "DRAFT" ? Number.POSITIVE_INFINITY : createdAt,
        until,
      };
      items.push(item);
      byCategory[category]!.push(item);
    });
  });
  return { rows, items, byCategory };
}
