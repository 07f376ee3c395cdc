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
//
// Here: the options, the customers' profiles (signup, place, name, consent, tags) and the purchase
// process with its orders. Beside it: catalogue.ts and people.ts (the data), products.ts (the
// catalogue as products and sale items), baskets.ts (what goes in each order), time.ts.
import type { CustomerRow, FinancialStatus, OrderLineRow, OrderRow, ProductRow, ShopRow } from "../domain/rows";
import { Shopper } from "./baskets";
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
import { buildCatalogue, type Catalogue } from "./products";
import { createRandom, type Random } from "./random";
import { DAY, HOUR, MINUTE, WINDOW } from "./time";

export { demoVariantId } from "./products";

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

/** The signup rate at `now` relative to two years earlier: the shop has been growing. */
const GROWTH = 2;
const MAX_ORDERS_PER_CUSTOMER = 1000;

const CUSTOMER_ID_BASE = 7_000_000_000_000;
const ORDER_ID_BASE = 6_000_000_000_000;
const LINE_ID_BASE = 5_000_000_000_000;
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
  private readonly shopper: Shopper;
  // Per-customer, set in customer().
  private domestic = true;

  constructor(
    catalogue: Catalogue,
    private readonly now: number,
    private readonly purchaseRate: number,
  ) {
    this.shopper = new Shopper(catalogue, () => this.nextLineId());
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
    const wholesale = !prospect && profile.bernoulli(0.008);
    this.shopper.newCustomer(wholesale);
    this.domestic = country.code === "US";
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
    if (wholesale) tags.push("wholesale");
    if (emailState === "SUBSCRIBED" && profile.bernoulli(0.25)) tags.push("newsletter");
    if (hasAddress && place.province === "NY" && place.city !== "Buffalo" && profile.bernoulli(0.12))
      tags.push("local-pickup");
    if (staff) tags.push("staff");
    if ((this.shopper.giftLines >= 2 && profile.bernoulli(0.5)) || profile.bernoulli(0.01)) tags.push("gift-buyer");
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

    this.shopper.newTaste(random);

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
    const lines = this.shopper.basket(random, t, target, first);
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
}
