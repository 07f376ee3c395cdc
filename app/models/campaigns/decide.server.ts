// What the app proxy answers: the visitor's facts gathered (is the id a customer of this shop, their
// precomputed segments), the pure decision (app/domain/personalize.ts), the products from the
// recommendation model, and the impression counted. The answer holds no PII and no segment or
// campaign name: a campaign id, the arm, the banner's (sanitized) content and product cards.
import type { Db } from "~/db/database.server";
import { decoder, sql, text } from "~/db/sql";
import { displayMoney } from "~/domain/money";
import {
  biasTowardInterest,
  decide,
  isLive,
  recommendationInputs,
  type Decision,
  type Visitor,
} from "~/domain/personalize";
import { cachedCampaigns, cachedProducts } from "./cache.server";
import { recordImpression } from "./impressions.server";
import { productTypesOf, visitInterestOf } from "./interest.server";
import { activeCampaigns, type Campaign } from "./store.server";

export type RecommendedProduct = {
  id: string;
  handle: string;
  title: string;
  imageUrl: string | null;
  priceMinor: bigint | null;
};

/** The recommendation model's entry point (app/models/recommendations.server.ts), passed in. */
export type Recommend = (
  db: Db,
  args: {
    shop: string;
    customerId: string | null;
    productId: string | null;
    segmentIds: number[];
    limit: number;
    now: Date;
  },
) => Promise<RecommendedProduct[]>;

export type BannerView = {
  headline: string;
  bodyHtml: string;
  imageUrl: string | null;
  buttonLabel: string | null;
  buttonLink: string | null;
  textColor: string;
  backgroundColor: string;
};

export type ProductView = { id: string; url: string; title: string; imageUrl: string | null; price: string | null };

export type VisitorQuery = {
  shop: string;
  /** logged_in_customer_id as the proxy gave it (checked here against the shop's customers). */
  loggedInCustomerId: string | null;
  country: string | null;
  visitorId: string | null;
  newVisitor: boolean;
  /** The Web Pixel's clientId (the block's `cid`), whose events of this visit make its interest. */
  clientId: string | null;
  now: Date;
};

export type Decided = {
  visitor: Visitor;
  decision: Decision<Campaign>;
  currencyCode: string;
  /** The answer depends on who asked (a logged-in customer, or the visit's browsing): never cached anywhere. */
  personal: boolean;
};

async function loadShop(db: Db, shop: string): Promise<{ campaigns: Campaign[]; currencyCode: string }> {
  const [row] = await db.all(
    sql`SELECT "currencyCode" FROM "Shop" WHERE "domain" = ${shop}`,
    decoder({ currencyCode: text }),
  );
  return { campaigns: await activeCampaigns(db, { shop }), currencyCode: row?.currencyCode || "USD" };
}

/** The visitor's facts and the decision, counted as an impression when a campaign matched. */
export async function decideVisitor(
  db: Db,
  q: VisitorQuery,
  { readInterest = false }: { readInterest?: boolean } = {},
): Promise<Decided> {
  const { campaigns, currencyCode } = await cachedCampaigns(q.shop, q.now.getTime(), () => loadShop(db, q.shop));
  let customerId: string | null = null;
  let segmentIds: number[] = [];
  if (q.loggedInCustomerId !== null) {
    // A customer id that is not one of this shop's customers is an anonymous visitor.
    const [row] = await db.all(
      sql`SELECT "segmentIds" FROM "Customer" WHERE "shop" = ${q.shop} AND "id" = ${q.loggedInCustomerId}`,
      decoder({ segmentIds: text }),
    );
    if (row) {
      customerId = q.loggedInCustomerId;
      segmentIds = row.segmentIds
        .split(",")
        .filter((s) => s !== "")
        .map(Number);
    }
  }
  // The visit's browsing is read only when something uses it: a live campaign that needs an interest,
  // or recommendations (which lean toward it).
  const interested =
    q.clientId !== null && (readInterest || campaigns.some((c) => c.interestProductType !== null && isLive(c, q.now)));
  const interest = interested
    ? await visitInterestOf(db, { shop: q.shop, clientId: q.clientId!, now: q.now })
    : new Map();
  const visitor: Visitor = {
    customerId,
    segmentIds,
    country: q.country,
    visitorId: q.visitorId,
    newVisitor: q.newVisitor,
    interest,
  };
  const decision = decide(campaigns, visitor, q.now);
  return { visitor, decision, currencyCode, personal: customerId !== null || interested };
}

export function bannerView(c: Campaign): BannerView {
  return {
    headline: c.headline,
    bodyHtml: c.bodyHtml,
    imageUrl: c.imageUrl,
    buttonLabel: c.buttonLabel,
    buttonLink: c.buttonLink,
    textColor: c.textColor,
    backgroundColor: c.backgroundColor,
  };
}

export type BannerAnswer = {
  decision: "campaign" | "holdout" | "fallback";
  campaign: number | null;
  banner: BannerView | null;
};

export async function bannerAnswer(db: Db, q: VisitorQuery): Promise<{ answer: BannerAnswer; personal: boolean }> {
  const d = await decideVisitor(db, q);
  count(db, q, d);
  const { decision } = d;
  return {
    personal: d.personal,
    answer: {
      decision: decision.kind,
      campaign: decision.campaign?.id ?? null,
      banner: decision.kind === "campaign" ? bannerView(decision.campaign) : null,
    },
  };
}

export type RecommendationsAnswer = {
  decision: "campaign" | "holdout" | "fallback";
  campaign: number | null;
  products: ProductView[];
};

export async function recommendationsAnswer(
  db: Db,
  q: VisitorQuery & { productId: string | null; limit: number },
  recommend: Recommend,
): Promise<{ answer: RecommendationsAnswer; personal: boolean }> {
  const d = await decideVisitor(db, q, { readInterest: true });
  const { decision, visitor } = d;
  const strategy = decision.kind === "campaign" ? decision.campaign.strategy : null;
  const inputs = recommendationInputs(strategy, visitor, decision.campaign?.segmentId ?? null);
  // Leaning toward the visit's interest needs a wider choice to re-rank: the model's longest list.
  const leaning = visitor.interest.size > 0;
  const wanted = leaning ? MAX_POOL : q.limit;
  const args = { shop: q.shop, productId: q.productId, limit: wanted, now: q.now, ...inputs };
  const products =
    inputs.customerId === null
      ? await cachedProducts(
          q.shop,
          `${q.productId ?? ""}|${inputs.segmentIds.join(",")}|${wanted}`,
          q.now.getTime(),
          () => recommend(db, args),
        )
      : await recommend(db, args);
  const shown = leaning ? await leanTowardInterest(db, q.shop, products, visitor.interest) : products;
  // The banner block counts the impression; recommendations alone count only when no banner block
  // asked (they share the decision, so counting both would count one page view twice).
  return {
    personal: d.personal,
    answer: {
      decision: decision.kind,
      campaign: decision.campaign?.id ?? null,
      products: shown.slice(0, q.limit).map((p) => productView(p, d.currencyCode)),
    },
  };
}

/** The model's longest list (app/models/recommendations.server.ts MAX_RECOMMENDATIONS). */
const MAX_POOL = 24;

/** Products of the types the visitor viewed most in this visit first, the model's order otherwise kept. */
async function leanTowardInterest(
  db: Db,
  shop: string,
  products: readonly RecommendedProduct[],
  interest: ReadonlyMap<string, number>,
): Promise<RecommendedProduct[]> {
  const types = await productTypesOf(db, { shop, productIds: products.map((p) => p.id) });
  return biasTowardInterest(
    products.map((p) => ({ ...p, productType: types.get(p.id) ?? null })),
    interest,
  ).map(({ productType: _type, ...p }) => p);
}

// Prices as shown, remembered: a shop has few distinct prices, and building the number format is the
// costliest step of an answer (a new Intl.NumberFormat per call).
const prices = new Map<string, string>();

function price(minor: bigint, currencyCode: string): string {
  const key = `${currencyCode}:${minor}`;
  let shown = prices.get(key);
  if (shown === undefined) {
    shown = displayMoney(minor, currencyCode);
    if (prices.size >= 10_000) prices.clear();
    prices.set(key, shown);
  }
  return shown;
}

export function productView(p: RecommendedProduct, currencyCode: string): ProductView {
  return {
    id: p.id,
    url: `/products/${encodeURIComponent(p.handle)}`,
    title: p.title,
    imageUrl: p.imageUrl,
    price: p.priceMinor === null ? null : price(p.priceMinor, currencyCode),
  };
}

function count(db: Db, q: VisitorQuery, d: Decided): void {
  const { decision, visitor } = d;
  if (decision.kind === "fallback") return;
  recordImpression(db, {
    shop: q.shop,
    campaignId: decision.campaign.id,
    arm: decision.arm,
    customerId: visitor.customerId,
    now: q.now,
  });
}
