// A synthetic coffee & kitchen shop for demos, benchmarks and model tests: pure, seeded, streamed.
//
// The same (seed, now) always gives the same shop, byte for byte: nothing here reads the clock, the
// environment or Math.random. Customer i's profile and behaviour come from its own forked stream, so
// they depend on (seed, i, now) only; the order and line id counters are the one thing carried from
// customer to customer.
//
// Purchasing follows the generative story of the models Tailored fits, so a fit on this data can be
// checked against DEMO_TRUTH:
// - BG/NBD (Fader, Hardie & Lee 2005): after a first purchase, a customer buys as a Poisson process
//   with rate λ ~ Gamma(r, α) until dropping out; after each repeat purchase they drop out with
//   probability p ~ Beta(a, b).
// - Gamma-Gamma: each order aims at a spend z ~ Gamma(p, ν) with ν ~ Gamma(q, γ) per customer. The
//   basket is then built from real products near that target, so realised order values follow the
//   model only approximately (prices are discrete, categories differ by orders of magnitude).
// Cancelled orders sit outside that process: each is an attempt a customer abandoned shortly before
// the order they actually kept, so dropping cancelled orders leaves the BG/NBD process intact.
//
// Baskets carry co-purchase structure for recommendations: customers have Dirichlet category
// affinities, categories pull in complements (machine -> grinder, beans, accessories; tea -> mugs),
// owning a machine makes beans and accessories more likely later, and consumables are re-bought,
// often the same favourite bag, while durables almost never are.
import type { CustomerRow, FinancialStatus, OrderLineRow, OrderRow, ProductRow, ShopRow } from "../domain/rows";
import { normalizeTags } from "../domain/rows";
import {
  ACCESSORIES,
  AFFINITY_ALPHA,
  BEANS,
  BREWING,
  CATALOGUE,
  CATEGORIES,
  CATEGORY_COUNT,
  COMPLEMENTS,
  GRINDERS,
  MACHINES,
  MUGS,
  OWNED_FACTOR,
  SKU_PREFIX,
  TEA,
} from "./catalogue";
import {
  CANADA_FRENCH_PROVINCE,
  COUNTRIES,
  COUNTRY_WEIGHTS,
  EMAIL_DOMAINS,
  EMAIL_DOMAIN_WEIGHTS,
  EMAIL_STATES,
  EMAIL_WEIGHTS_BUYER,
  EMAIL_WEIGHTS_PROSPECT,
  FIRST_EMAIL,
  FIRST_NAMES,
  FR,
  LAST_EMAIL,
  LAST_NAMES,
  PLACE_WEIGHTS,
  SMS_STATES,
  SMS_WEIGHTS,
} from "./people";
import { createRandom, type Random } from "./random";

export type DemoOptions = {
  seed: number;
  customers: number;
  now: Date;
  shopDomain: string;
  /**
   * Multiplies every customer's purchase rate λ (default 1: the DEMO_TRUTH process). Benchmarks use
   * it to reach an order volume (1.7 gives about 4.1 orders per customer, against 3.2); the models' truth tests
   * use the default.
   */
  purchaseRate?: number;
};
export type DemoCustomer = { customer: CustomerRow; orders: OrderRow[] };

/** The parameters the purchase process is drawn from; rates are per day, money in dollars. */
export const DEMO_TRUTH = {
  bgnbd: { r: 0.8, alpha: 48, a: 1, b: 4 },
  gammaGamma: { p: 4, q: 3, gamma: 25 },
} as const;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Customers sign up over the two years before `now`. */
const WINDOW = 730 * DAY;
/** The signup rate at `now` relative to two years earlier: the shop has been growing. */
const GROWTH = 2;
const MAX_ORDERS_PER_CUSTOMER = 1000;

const CUSTOMER_ID_BASE = 7_000_000_000_000;
const ORDER_ID_BASE = 6_000_000_000_000;
const LINE_ID_BASE = 5_000_000_000_000;
const PRODUCT_ID_BASE = 8_000_000_000_000;
// Variant ids are not in ProductRow; order lines need one, so each product has exactly one, here.
const VARIANT_ID_OFFSET = 1_000_000_000_000;
const FIRST_ORDER_NUMBER = 1001;

export function demoShop(options: DemoOptions): ShopRow {
  checkOptions(options);
  return {
    domain: options.shopDomain,
    name: "Tailored Demo Coffee Co.",
    currencyCode: "USD",
    ianaTimezone: "America/New_York",
  };
}

/** The id of the single variant of demo product `productId` (as carried on order lines). */
export function demoVariantId(productId: string): string {
  return String(Number(productId) + VARIANT_ID_OFFSET);
}

type Item = {
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

type Catalogue = { rows: ProductRow[]; items: Item[]; byCategory: Item[][] };

function slugify(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function buildCatalogue(options: DemoOptions): Catalogue {
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

export function demoProducts(options: DemoOptions): ProductRow[] {
  checkOptions(options);
  return buildCatalogue(options).rows;
}

// ---------------------------------------------------------------------------------------------------
// Customers and orders

/** Customers with no order at all (besides late signups whose first purchase would fall after now). */
const PROSPECT_SHARE = 0.13;
/** Customers created by their first checkout, rather than by an earlier newsletter or account signup. */
const CHECKOUT_SIGNUP_SHARE = 0.65;
const CANCEL_SHARE = 0.038;
const REFUND_SHARE = 0.042;

function checkOptions(options: DemoOptions): void {
  const { seed, customers, now, shopDomain } = options;
  if (!Number.isFinite(seed)) throw new RangeError(`demo seed must be a finite number, got ${seed}`);
  if (!Number.isSafeInteger(customers) || customers < 0) {
    throw new RangeError(`demo customers must be a non-negative integer, got ${customers}`);
  }
  if (options.purchaseRate !== undefined && !(Number.isFinite(options.purchaseRate) && options.purchaseRate > 0)) {
    throw new RangeError(`demo purchaseRate must be a positive number, got ${options.purchaseRate}`);
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new RangeError("demo now must be a valid Date");
  if (typeof shopDomain !== "string" || shopDomain.trim() === "") {
    throw new RangeError("demo shopDomain must be a non-empty string");
  }
}

/**
 * Streams customers 0 .. options.customers - 1, each with all its orders (oldest first). Lazy: a
 * customer is made when asked for and nothing is kept after it is yielded, so a million-customer run
 * needs no more memory than a ten-customer one. Options are checked now, not at the first next().
 */
export function demoCustomers(options: DemoOptions): Generator<DemoCustomer> {
  checkOptions(options);
  return streamCustomers(options, buildCatalogue(options));
}

function* streamCustomers(options: DemoOptions, catalogue: Catalogue): Generator<DemoCustomer> {
  const now = options.now.getTime();
  const root = createRandom(options.seed).fork("customers");
  const simulator = new Simulator(catalogue, now, options.purchaseRate ?? 1);
  for (let i = 0; i < options.customers; i++) {
    yield simulator.customer(i, root.fork(i));
  }
}

/** Per-run state: the catalogue, id counters, and scratch arrays reused by every customer. */
class Simulator {
  private orderSeq = 0;
  private lineSeq = 0;
  // Per-customer scratch, reset at the start of each customer: no allocation per customer.
  private readonly affinity = new Float64Array(CATEGORY_COUNT);
  private readonly owned = new Uint8Array(CATEGORY_COUNT);
  private readonly favourite = new Int32Array(CATEGORY_COUNT);
  private readonly bought: Uint8Array;
  private readonly categoryWeights = new Float64Array(CATEGORY_COUNT);
  private readonly itemWeights: Float64Array;
  // Per-customer taste, set in customer().
  private espressoLean = 0.5;
  private decafFan = false;
  private organicFan = false;
  private wholesale = false;
  private domestic = true;
  private giftLines = 0;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly now: number,
    private readonly purchaseRate: number,
  ) {
    this.bought = new Uint8Array(catalogue.items.length);
    this.itemWeights = new Float64Array(Math.max(...catalogue.byCategory.map((c) => c.length)));
  }

  customer(i: number, random: Random): DemoCustomer {
    const now = this.now;
    const profile = random.fork("profile");
    const behaviour = random.fork("orders");

    const id = String(CUSTOMER_ID_BASE + i + 1);
    // Signup density grows exponentially to GROWTH times its starting value over the window.
    const g = Math.log(GROWTH);
    const signup = Math.floor(now - WINDOW + (WINDOW * Math.log(1 + profile.next() * (GROWTH - 1))) / g);

    const countryIndex = profile.weightedIndex(COUNTRY_WEIGHTS);
    const country = COUNTRIES[countryIndex]!;
    const place = country.places[profile.weightedIndex(PLACE_WEIGHTS[countryIndex]!)]!;
    const language = country.code === "CA" && place.province === CANADA_FRENCH_PROVINCE ? FR : country.names;
    const firstIndex = profile.int(0, FIRST_NAMES[language]!.length - 1);
    const lastIndex = profile.int(0, LAST_NAMES[language]!.length - 1);
    const domain = EMAIL_DOMAINS[profile.weightedIndex(EMAIL_DOMAIN_WEIGHTS)]!;
    const email = `${FIRST_EMAIL[language]![firstIndex]!}.${LAST_EMAIL[language]![lastIndex]!}.${i + 1}@${domain}`;

    let prospect = profile.bernoulli(PROSPECT_SHARE);
    const checkoutSignup = profile.bernoulli(CHECKOUT_SIGNUP_SHARE);
    const firstOrderAt = checkoutSignup
      ? signup + profile.int(5_000, 15 * MINUTE)
      : signup + Math.floor(profile.exponential(1 / 30) * DAY);
    if (firstOrderAt > now) prospect = true;
    // Newsletter-only signups often leave no address.
    const hasAddress = !prospect || profile.bernoulli(0.5);

    const emailState = EMAIL_STATES[profile.weightedIndex(prospect ? EMAIL_WEIGHTS_PROSPECT : EMAIL_WEIGHTS_BUYER)]!;
    const smsState = SMS_STATES[profile.weightedIndex(SMS_WEIGHTS)]!;
    this.wholesale = !prospect && profile.bernoulli(0.008);
    this.domestic = country.code === "US";
    this.giftLines = 0;
    const staff = profile.bernoulli(0.002);

    const orders: OrderRow[] = [];
    let lastActivity = signup;
    let spentCents = 0;
    let lambda = 0;
    if (!prospect) {
      lambda = this.purchases(behaviour, id, email, signup, firstOrderAt, orders);
      for (const order of orders) {
        lastActivity = Math.max(lastActivity, order.updatedAt.getTime());
        if (order.cancelledAt !== null) continue;
        spentCents += Number(order.totalMinor - order.refundedMinor);
      }
    }

    // Tags: most customers have none; the behavioural ones follow what the customer actually did.
    const tags: string[] = [];
    const kept = orders.length - orders.filter((o) => o.cancelledAt !== null).length;
    if ((spentCents >= 100_000 || kept >= 10) && profile.bernoulli(0.8)) tags.push("vip");
    if (this.wholesale) tags.push("wholesale");
    if (emailState === "SUBSCRIBED" && profile.bernoulli(0.25)) tags.push("newsletter");
    if (hasAddress && place.province === "NY" && place.city !== "Buffalo" && profile.bernoulli(0.12))
      tags.push("local-pickup");
    if (staff) tags.push("staff");
    if ((this.giftLines >= 2 && profile.bernoulli(0.5)) || profile.bernoulli(0.01)) tags.push("gift-buyer");
    if (kept >= 4 && lambda > 1 / 35 && profile.bernoulli(0.4)) tags.push("subscription");

    const updatedAt = Math.min(now, lastActivity + Math.floor(profile.exponential(1 / 2) * DAY));
    const customer: CustomerRow = {
      id,
      email,
      firstName: FIRST_NAMES[language]![firstIndex]!,
      lastName: LAST_NAMES[language]![lastIndex]!,
      countryCode: hasAddress ? country.code : null,
      provinceCode: hasAddress ? place.province : null,
      city: hasAddress ? place.city : null,
      tags,
      emailMarketingState: emailState,
      smsMarketingState: smsState,
      createdAt: new Date(signup),
      updatedAt: new Date(Math.max(signup, updatedAt)),
    };
    return { customer, orders };
  }

  /** Runs the BG/NBD process from the first order to `now`, appending orders; returns λ (per day). */
  private purchases(
    random: Random,
    customerId: string,
    email: string,
    signup: number,
    firstOrderAt: number,
    orders: OrderRow[],
  ): number {
    const { bgnbd, gammaGamma } = DEMO_TRUTH;
    const lambda = random.gamma(bgnbd.r, 1 / bgnbd.alpha) * this.purchaseRate;
    const dropout = random.beta(bgnbd.a, bgnbd.b);
    const nu = random.gamma(gammaGamma.q, 1 / gammaGamma.gamma);

    this.affinity.fill(0);
    let affinityTotal = 0;
    for (let c = 0; c < CATEGORY_COUNT; c++) {
      // A zero draw (possible for small shapes) would make a category impossible forever.
      const w = random.gamma(AFFINITY_ALPHA[c]!) + 1e-6;
      this.affinity[c] = w;
      affinityTotal += w;
    }
    for (let c = 0; c < CATEGORY_COUNT; c++) this.affinity[c] = this.affinity[c]! / affinityTotal;
    this.owned.fill(0);
    this.favourite.fill(-1);
    this.bought.fill(0);
    this.espressoLean = random.beta(1.2, 1.2);
    this.decafFan = random.bernoulli(0.08);
    this.organicFan = random.bernoulli(0.2);

    let t = firstOrderAt;
    let previous = signup;
    for (let n = 1; n <= MAX_ORDERS_PER_CUSTOMER; n++) {
      const target = random.gamma(gammaGamma.p, 1 / nu);
      this.order(random, customerId, email, previous, t, target, n === 1, orders);
      previous = t;
      // BG/NBD: the first purchase starts the clock; dropout is possible only after repeat purchases.
      if (n > 1 && random.bernoulli(dropout)) break;
      // λ can underflow to 0 for shape < 1: such a customer never comes back.
      t += Math.floor((-Math.log(1 - random.next()) / lambda) * DAY);
      if (!(t <= this.now)) break;
    }
    return lambda;
  }

  /** Appends the order at `t` (and, sometimes, a cancelled attempt between `previous` and `t`). */
  private order(
    random: Random,
    customerId: string,
    email: string,
    previous: number,
    t: number,
    target: number,
    first: boolean,
    orders: OrderRow[],
  ): void {
    const lines = this.basket(random, t, target, first);
    let subtotal = 0;
    for (const line of lines) subtotal += Number(line.priceMinor) * line.quantity;
    // Free shipping over $50 at home, over $100 abroad.
    const freeFrom = this.domestic ? 5000 : 10000;
    const shipping = subtotal >= freeFrom ? 0 : this.domestic ? 695 : 1495;
    const total = subtotal + shipping;

    // An abandoned attempt shortly before the kept order: cancelled, then re-placed. Kept after the
    // previous order (or signup) so each customer's orders stay in time order.
    // Voided: only authorised, nothing to give back; REFUNDED: captured, then returned in full.
    const earliest = previous + MINUTE;
    let keptLines = lines;
    if (t - earliest > 2 * HOUR && random.bernoulli(CANCEL_SHARE)) {
      const attemptAt = t - random.int(HOUR, Math.min(3 * DAY, t - earliest));
      const cancelledAt = attemptAt + 10 * MINUTE + Math.floor(random.next() * (t - attemptAt - 10 * MINUTE));
      const voided = random.bernoulli(0.6);
      const status = voided ? "VOIDED" : "REFUNDED";
      orders.push(
        this.orderRow(customerId, email, attemptAt, cancelledAt, cancelledAt, total, voided ? 0 : total, status, lines),
      );
      // Fresh line ids for the re-placed order, after the attempt's, so ids ascend with time.
      keptLines = lines.map((line) => ({ ...line, id: this.nextLineId() }));
    }

    let financial: FinancialStatus = "PAID";
    let refunded = 0;
    let updatedAt = t + random.int(2 * HOUR, 3 * DAY);
    if (random.bernoulli(REFUND_SHARE)) {
      const refundAt = t + random.int(2 * DAY, 30 * DAY);
      // A refund due after `now` has not happened yet.
      if (refundAt <= this.now) {
        updatedAt = refundAt;
        if (random.bernoulli(0.45)) {
          financial = "REFUNDED";
          refunded = total;
        } else {
          financial = "PARTIALLY_REFUNDED";
          // One returned item when there are several lines, otherwise a goodwill share.
          const line = lines.length > 1 ? random.pick(lines) : undefined;
          refunded = line ? Number(line.priceMinor) : Math.max(1, Math.round(subtotal * (0.1 + 0.4 * random.next())));
          refunded = Math.min(refunded, total - 1);
        }
      }
    }
    orders.push(
      this.orderRow(customerId, email, t, null, Math.min(this.now, updatedAt), total, refunded, financial, keptLines),
    );
  }

  private orderRow(
    customerId: string,
    email: string,
    processedAt: number,
    cancelledAt: number | null,
    updatedAt: number,
    total: number,
    refunded: number,
    financialStatus: FinancialStatus,
    lines: OrderLineRow[],
  ): OrderRow {
    const seq = ++this.orderSeq;
    return {
      id: String(ORDER_ID_BASE + seq),
      name: `#${FIRST_ORDER_NUMBER + seq - 1}`,
      customerId,
      email,
      createdAt: new Date(processedAt),
      processedAt: new Date(processedAt),
      updatedAt: new Date(updatedAt),
      cancelledAt: cancelledAt === null ? null : new Date(cancelledAt),
      currencyCode: "USD",
      totalMinor: BigInt(total),
      refundedMinor: BigInt(refunded),
      financialStatus,
      test: false,
      lines,
    };
  }

  private nextLineId(): string {
    return String(LINE_ID_BASE + ++this.lineSeq);
  }

  private basket(random: Random, t: number, target: number, first: boolean): OrderLineRow[] {
    const lines: OrderLineRow[] = [];
    const weights = this.categoryWeights;
    let total = 0;
    for (let c = 0; c < CATEGORY_COUNT; c++) {
      let w = this.affinity[c]!;
      if (this.owned[c]) w *= OWNED_FACTOR[c]!;
      // New customers come for equipment as often as for beans; regulars come back for refills.
      if (first && (c === MACHINES || c === GRINDERS || c === BREWING)) w *= 1.6;
      if (!first && (c === BEANS || c === TEA)) w *= 1.5;
      weights[c] = w;
    }
    const primary = random.weightedIndex(weights);
    let category = primary;
    for (let attempt = 0; lines.length < 4 && attempt < 6; attempt++) {
      const item = this.chooseItem(
        random,
        category,
        t,
        lines.length === 0 ? target * 0.8 : Math.max(target - total / 100, 8),
      );
      if (item && !lines.some((l) => l.productId === item.id)) {
        const quantity = this.quantity(random, item, target, total);
        lines.push({
          id: this.nextLineId(),
          productId: item.id,
          variantId: item.variantId,
          title: item.title,
          sku: item.sku,
          productType: item.productType,
          vendor: item.vendor,
          quantity,
          priceMinor: item.price,
        });
        total += item.cents * quantity;
        if (item.gift) this.giftLines++;
        this.remember(item);
      } else if (lines.length === 0) {
        category = BEANS; // nothing on sale in the chosen category at time t: fall back to beans
        continue;
      }
      // Another line? More likely while under the target; a machine nearly always brings add-ons.
      const remaining = Math.max(0, target - total / 100) / target;
      let pMore = Math.min(0.7, Math.max(0.12, 0.15 + 0.45 * remaining));
      if (primary === MACHINES && lines.length === 1) pMore = 0.75;
      if (!random.bernoulli(pMore)) break;
      const complement = COMPLEMENTS[primary]!;
      for (let c = 0; c < CATEGORY_COUNT; c++) weights[c] = 0.6 * complement[c]! + 0.4 * this.affinity[c]!;
      category = random.weightedIndex(weights);
    }
    return lines;
  }

  private quantity(random: Random, item: Item, target: number, total: number): number {
    if (this.wholesale && item.consumable) return random.int(6, 12);
    let quantity = 1;
    if (item.consumable || item.category === MUGS) {
      const room = target * 120 - total; // cents, with a little slack over the target
      const pMore = item.consumable ? 0.35 : 0.12;
      while (quantity < 3 && item.cents * (quantity + 1) <= room && random.bernoulli(pMore)) quantity++;
    }
    return quantity;
  }

  /** Updates taste and ownership after a purchase. */
  private remember(item: Item): void {
    const c = item.category;
    this.bought[item.index] = 1;
    if (!this.owned[c]) {
      this.owned[c] = 1;
      // Owning a machine is a reason to buy beans and accessories for years.
      if (c === MACHINES) {
        this.affinity[BEANS] = this.affinity[BEANS]! * 2.5 + 0.1;
        this.affinity[ACCESSORIES] = this.affinity[ACCESSORIES]! * 3 + 0.12;
        this.affinity[GRINDERS] = this.affinity[GRINDERS]! + 0.05;
        this.espressoLean = Math.max(this.espressoLean, 0.8);
      } else if (c === GRINDERS || c === BREWING) {
        this.affinity[BEANS] = this.affinity[BEANS]! * 1.5 + 0.05;
      } else if (c === TEA) {
        this.affinity[MUGS] = this.affinity[MUGS]! + 0.02;
      }
    }
    if (item.consumable && this.favourite[c] === -1) this.favourite[c] = item.index;
  }

  private chooseItem(random: Random, category: number, t: number, target: number): Item | undefined {
    const candidates = this.catalogue.byCategory[category]!;
    // Consumable regulars mostly re-order their favourite, when it is still on sale.
    const favourite = this.favourite[category]!;
    if (favourite >= 0) {
      const item = this.catalogue.items[favourite]!;
      if (item.from <= t && t < item.until && random.bernoulli(0.55)) return item;
    }
    const logTarget = Math.log(target);
    const weights = this.itemWeights;
    let total = 0;
    for (let k = 0; k < candidates.length; k++) {
      const item = candidates[k]!;
      let w = 0;
      if (item.from <= t && t < item.until) {
        const d = item.logPrice - logTarget;
        w = item.popularity * Math.exp(-0.5 * d * d);
        if (item.espresso) w *= 0.35 + 1.3 * this.espressoLean;
        if (item.filter) w *= 0.35 + 1.3 * (1 - this.espressoLean);
        if (item.decaf) w *= this.decafFan ? 8 : 0.3;
        if (item.organic && this.organicFan) w *= 2;
        if (!item.consumable && this.bought[item.index]) w *= 0.1;
      }
      weights[k] = w;
      total += w;
    }
    if (!(total > 0)) return undefined;
    let x = random.next() * total;
    for (let k = 0; k < candidates.length; k++) {
      x -= weights[k]!;
      if (x < 0 && weights[k]! > 0) return candidates[k];
    }
    for (let k = candidates.length - 1; k >= 0; k--) if (weights[k]! > 0) return candidates[k];
    return undefined;
  }
}
