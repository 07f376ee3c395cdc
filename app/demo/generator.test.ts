import { describe, expect, it } from "vitest";
import { normalizeTags, type OrderRow } from "../domain/rows";
import { demoCustomers, demoProducts, demoShop, demoVariantId, type DemoCustomer, type DemoOptions } from "./generator";

const NOW = new Date("2025-06-01T12:00:00.000Z");
const OPTIONS: DemoOptions = {
  seed: 42,
  customers: 3000,
  now: NOW,
  shopDomain: "tailored-demo.myshopify.com",
};

function take(generator: Iterator<DemoCustomer>, n: number): DemoCustomer[] {
  const out: DemoCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const step = generator.next();
    if (step.done) break;
    out.push(step.value);
  }
  return out;
}

const sample = [...demoCustomers(OPTIONS)];
const products = demoProducts(OPTIONS);
const productsById = new Map(products.map((p) => [p.id, p]));
const buyers = sample.filter((c) => c.orders.length > 0);
const allOrders = sample.flatMap((c) => c.orders);
const keptOrders = (c: DemoCustomer): OrderRow[] => c.orders.filter((o) => o.cancelledAt === null);
const share = (part: number, whole: number): number => part / whole;

describe("demoShop", () => {
  it("is a USD shop in New York on the given domain", () => {
    expect(demoShop(OPTIONS)).toEqual({
      domain: "tailored-demo.myshopify.com",
      name: "Tailored Demo Coffee Co.",
      currencyCode: "USD",
      ianaTimezone: "America/New_York",
    });
  });
});

describe("demoProducts", () => {
  it("is a catalogue of 60 to 120 products with unique ids and slug handles", () => {
    expect(products.length).toBeGreaterThanOrEqual(60);
    expect(products.length).toBeLessThanOrEqual(120);
    expect(new Set(products.map((p) => p.id)).size).toBe(products.length);
    expect(new Set(products.map((p) => p.handle)).size).toBe(products.length);
    expect(products[0]!.id).toBe("8000000000001");
    for (const p of products) {
      expect(p.handle).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.id).toMatch(/^8\d{12}$/);
      expect(p.imageUrl).toBeNull();
      expect(p.priceMinor).toBeGreaterThan(0n);
      expect(p.tags).toEqual(normalizeTags(p.tags));
      expect(p.createdAt.getTime()).toBeLessThanOrEqual(p.updatedAt.getTime());
      expect(p.updatedAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
    }
  });

  it("covers the shop's categories, several vendors and the merchandising tags", () => {
    expect(new Set(products.map((p) => p.productType))).toEqual(
      new Set([
        "Coffee Beans",
        "Espresso Machines",
        "Grinders",
        "Brewing Gear",
        "Tea",
        "Mugs & Cups",
        "Accessories",
        "Merch",
      ]),
    );
    expect(new Set(products.map((p) => p.vendor)).size).toBeGreaterThanOrEqual(5);
    const tags = new Set(products.flatMap((p) => p.tags));
    for (const tag of ["espresso", "decaf", "organic", "gift", "bestseller"]) expect(tags).toContain(tag);
  });

  it("is mostly ACTIVE with a few DRAFT and ARCHIVED", () => {
    const count = (status: string) => products.filter((p) => p.status === status).length;
    expect(count("ACTIVE")).toBeGreaterThan(0.85 * products.length);
    expect(count("DRAFT")).toBeGreaterThan(0);
    expect(count("ARCHIVED")).toBeGreaterThan(0);
  });

  it.each([
    ["Coffee Beans", 800n, 6000n],
    ["Tea", 800n, 4000n],
    ["Espresso Machines", 30000n, 250000n],
    ["Grinders", 8000n, 100000n],
    ["Mugs & Cups", 1000n, 4000n],
  ])("prices %s between %i and %i cents", (type, min, max) => {
    for (const p of products.filter((x) => x.productType === type)) {
      expect(p.priceMinor).toBeGreaterThanOrEqual(min);
      expect(p.priceMinor).toBeLessThanOrEqual(max);
    }
  });

  it("is the same for the same options", () => {
    expect(demoProducts(OPTIONS)).toEqual(products);
  });
});

describe("demoCustomers: determinism and streaming", () => {
  it("gives deep-equal customers for the same options", () => {
    expect(take(demoCustomers(OPTIONS), 200)).toEqual(sample.slice(0, 200));
  });

  it.each([
    ["seed", { ...OPTIONS, seed: 43 }],
    ["now", { ...OPTIONS, now: new Date("2025-06-02T12:00:00.000Z") }],
  ])("differs when the %s differs", (_what, options) => {
    const other = take(demoCustomers(options), 50);
    expect(other.map((c) => c.customer.id)).toEqual(sample.slice(0, 50).map((c) => c.customer.id));
    expect(other).not.toEqual(sample.slice(0, 50));
  });

  it.each([1_000_000, Number.MAX_SAFE_INTEGER])(
    "yields customers lazily: the first 10 of %i are the first 10 of any run",
    (customers) => {
      // An eager generator would never return here for MAX_SAFE_INTEGER customers.
      const generator = demoCustomers({ ...OPTIONS, customers });
      expect(take(generator, 10)).toEqual(sample.slice(0, 10));
      expect(generator.next().value).toEqual(sample[10]);
    },
  );

  it.each([0, 1, 7])("yields exactly %i customers", (customers) => {
    expect([...demoCustomers({ ...OPTIONS, customers })]).toHaveLength(customers);
  });

  it.each([
    ["a negative count", { customers: -1 }],
    ["a fractional count", { customers: 1.5 }],
    ["an infinite seed", { seed: Number.POSITIVE_INFINITY }],
    ["an invalid date", { now: new Date("not a date") }],
    ["an empty domain", { shopDomain: " " }],
  ])("rejects %s when called, not at the first next()", (_what, patch) => {
    expect(() => demoCustomers({ ...OPTIONS, ...patch })).toThrow(RangeError);
  });
});

describe("demoCustomers: invariants", () => {
  it("numbers customers, orders and lines uniquely and in sequence", () => {
    expect(sample.map((c) => c.customer.id)).toEqual(sample.map((_, i) => String(7_000_000_000_001 + i)));
    expect(allOrders.map((o) => o.id)).toEqual(allOrders.map((_, i) => String(6_000_000_000_001 + i)));
    expect(allOrders.map((o) => o.name)).toEqual(allOrders.map((_, i) => `#${1001 + i}`));
    const lineIds = allOrders.flatMap((o) => o.lines.map((l) => l.id));
    expect(lineIds).toEqual(lineIds.map((_, i) => String(5_000_000_000_001 + i)));
  });

  it("gives every customer a unique example.* email and a consistent place", () => {
    const emails = sample.map((c) => c.customer.email);
    expect(new Set(emails).size).toBe(sample.length);
    for (const { customer } of sample) {
      expect(customer.email).toMatch(/^[a-z0-9]+\.[a-z0-9]+\.\d+@(example\.com|example\.org|mail\.example\.net)$/);
      expect(customer.firstName).toBeTruthy();
      expect(customer.lastName).toBeTruthy();
      expect(customer.tags).toEqual(normalizeTags(customer.tags));
      // Either a full address or none.
      expect(customer.city === null).toBe(customer.countryCode === null);
      if (customer.countryCode === "US" || customer.countryCode === "CA" || customer.countryCode === "AU") {
        expect(customer.provinceCode).toMatch(/^[A-Z]{2,3}$/);
      }
      if (customer.countryCode === "GB" || customer.countryCode === "DE" || customer.countryCode === "FR") {
        expect(customer.provinceCode).toBeNull();
      }
    }
    const cityProvince = new Map<string, string | null>();
    for (const { customer } of sample) {
      if (customer.city === null) continue;
      const key = `${customer.countryCode}/${customer.city}`;
      if (cityProvince.has(key)) expect(cityProvince.get(key)).toBe(customer.provinceCode);
      cityProvince.set(key, customer.provinceCode);
    }
  });

  it("keeps every date in order and none after now", () => {
    const now = NOW.getTime();
    for (const { customer, orders } of sample) {
      const signup = customer.createdAt.getTime();
      expect(signup).toBeGreaterThanOrEqual(now - 731 * 86_400_000);
      expect(customer.updatedAt.getTime()).toBeGreaterThanOrEqual(signup);
      expect(customer.updatedAt.getTime()).toBeLessThanOrEqual(now);
      let previous = signup;
      for (const order of orders) {
        const processed = order.processedAt.getTime();
        expect(processed).toBeGreaterThanOrEqual(previous); // after signup, oldest first
        previous = processed;
        expect(order.createdAt.getTime()).toBe(processed);
        expect(order.updatedAt.getTime()).toBeGreaterThanOrEqual(processed);
        expect(order.updatedAt.getTime()).toBeLessThanOrEqual(now);
        expect(customer.updatedAt.getTime()).toBeGreaterThanOrEqual(processed);
        if (order.cancelledAt !== null) {
          expect(order.cancelledAt.getTime()).toBeGreaterThanOrEqual(processed);
          expect(order.cancelledAt.getTime()).toBeLessThanOrEqual(order.updatedAt.getTime());
        }
      }
    }
  });

  it("attributes orders to their customer in USD, not as tests", () => {
    for (const { customer, orders } of sample) {
      for (const order of orders) {
        expect(order.customerId).toBe(customer.id);
        expect(order.email).toBe(customer.email);
        expect(order.currencyCode).toBe("USD");
        expect(order.test).toBe(false);
      }
    }
  });

  it("totals the lines plus shipping, and lines match the catalogue", () => {
    for (const order of allOrders) {
      expect(order.lines.length).toBeGreaterThanOrEqual(1);
      expect(order.lines.length).toBeLessThanOrEqual(4);
      let subtotal = 0n;
      for (const line of order.lines) {
        subtotal += line.priceMinor * BigInt(line.quantity);
        expect(line.quantity).toBeGreaterThanOrEqual(1);
        const product = productsById.get(line.productId!);
        expect(product).toBeDefined();
        expect(line.variantId).toBe(demoVariantId(line.productId!));
        expect([line.title, line.productType, line.vendor, line.priceMinor]).toEqual([
          product!.title,
          product!.productType,
          product!.vendor,
          product!.priceMinor,
        ]);
        expect(line.sku).toMatch(/^TD-[A-Z]{3}-\d{3}$/);
        // Sold only while on sale: never a draft, never before launch or after archiving.
        expect(product!.status).not.toBe("DRAFT");
        expect(order.processedAt.getTime()).toBeGreaterThanOrEqual(product!.createdAt.getTime());
        if (product!.status === "ARCHIVED") {
          expect(order.processedAt.getTime()).toBeLessThan(product!.updatedAt.getTime());
        }
      }
      expect([0n, 695n, 1495n]).toContain(order.totalMinor - subtotal);
    }
  });

  it("keeps refunds and financial statuses consistent", () => {
    for (const order of allOrders) {
      const { totalMinor: total, refundedMinor: refunded, financialStatus: status } = order;
      expect(refunded).toBeGreaterThanOrEqual(0n);
      expect(refunded).toBeLessThanOrEqual(total);
      if (order.cancelledAt !== null) {
        expect(["VOIDED", "REFUNDED"]).toContain(status);
        expect(refunded).toBe(status === "VOIDED" ? 0n : total);
      } else if (status === "PAID") {
        expect(refunded).toBe(0n);
      } else if (status === "REFUNDED") {
        expect(refunded).toBe(total);
      } else {
        expect(status).toBe("PARTIALLY_REFUNDED");
        expect(refunded).toBeGreaterThan(0n);
        expect(refunded).toBeLessThan(total);
      }
    }
  });
});

describe("demoCustomers: a realistic shop", () => {
  it.each([
    ["prospects (no orders)", sample.filter((c) => c.orders.length === 0).length, sample.length, 0.1, 0.2],
    [
      "buyers with exactly one order",
      buyers.filter((c) => keptOrders(c).length === 1).length,
      buyers.length,
      0.15,
      0.45,
    ],
    ["buyers with 5 orders or more", buyers.filter((c) => keptOrders(c).length >= 5).length, buyers.length, 0.1, 0.4],
    ["cancelled orders", allOrders.filter((o) => o.cancelledAt !== null).length, allOrders.length, 0.015, 0.05],
    [
      "refunded orders",
      allOrders.filter((o) => o.cancelledAt === null && o.refundedMinor > 0n).length,
      allOrders.length,
      0.02,
      0.07,
    ],
    [
      "email SUBSCRIBED",
      sample.filter((c) => c.customer.emailMarketingState === "SUBSCRIBED").length,
      sample.length,
      0.35,
      0.55,
    ],
    [
      "SMS SUBSCRIBED",
      sample.filter((c) => c.customer.smsMarketingState === "SUBSCRIBED").length,
      sample.length,
      0.1,
      0.2,
    ],
    ["customers without tags", sample.filter((c) => c.customer.tags.length === 0).length, sample.length, 0.6, 0.95],
    ["US customers", sample.filter((c) => c.customer.countryCode === "US").length, sample.length, 0.4, 0.65],
  ])("has a plausible share of %s", (_what, part, whole, min, max) => {
    expect(share(part, whole)).toBeGreaterThanOrEqual(min);
    expect(share(part, whole)).toBeLessThanOrEqual(max);
  });

  it("averages 3 to 5 orders per buyer", () => {
    expect(share(allOrders.length, buyers.length)).toBeGreaterThanOrEqual(3);
    expect(share(allOrders.length, buyers.length)).toBeLessThanOrEqual(5);
  });

  it("has customers from several countries, consent states of every kind and both refund kinds", () => {
    expect(new Set(sample.map((c) => c.customer.countryCode)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(sample.map((c) => c.customer.emailMarketingState))).toEqual(
      new Set(["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING"]),
    );
    expect(new Set(allOrders.map((o) => o.financialStatus))).toEqual(
      new Set(["PAID", "REFUNDED", "PARTIALLY_REFUNDED", "VOIDED"]),
    );
    const tags = new Set(sample.flatMap((c) => c.customer.tags));
    for (const tag of ["vip", "newsletter", "gift-buyer", "local-pickup"]) expect(tags).toContain(tag);
  });

  it("re-buys consumables and rarely durables", () => {
    const repeats = (type: string) => {
      let buyersOfType = 0;
      let repeaters = 0;
      for (const c of buyers) {
        const n = keptOrders(c).filter((o) => o.lines.some((l) => l.productType === type)).length;
        if (n > 0) buyersOfType++;
        if (n > 1) repeaters++;
      }
      return share(repeaters, buyersOfType);
    };
    expect(repeats("Coffee Beans")).toBeGreaterThan(0.4);
    expect(repeats("Espresso Machines")).toBeLessThan(0.1);
  });

  it("makes espresso-machine buyers buy grinders and beans more than other buyers", () => {
    const bought = (c: DemoCustomer, type: string) =>
      keptOrders(c).some((o) => o.lines.some((l) => l.productType === type));
    const machine = buyers.filter((c) => bought(c, "Espresso Machines"));
    const others = buyers.filter((c) => !bought(c, "Espresso Machines"));
    expect(machine.length).toBeGreaterThan(50);
    const rate = (group: DemoCustomer[], type: string) =>
      share(group.filter((c) => bought(c, type)).length, group.length);
    expect(rate(machine, "Grinders")).toBeGreaterThan(1.5 * rate(others, "Grinders"));
    expect(rate(machine, "Accessories")).toBeGreaterThan(1.5 * rate(others, "Accessories"));
  });

  it("makes owning an espresso machine a reason to come back for beans", () => {
    // Orders after the machine, against repeat orders of customers without one: nearly everyone buys
    // beans at some point, so the difference shows in how often, not whether.
    let machineLater = 0;
    let machineBeans = 0;
    let otherLater = 0;
    let otherBeans = 0;
    for (const c of buyers) {
      const kept = keptOrders(c);
      const at = kept.findIndex((o) => o.lines.some((l) => l.productType === "Espresso Machines"));
      for (const order of kept.slice(at >= 0 ? at + 1 : 1)) {
        const beans = order.lines.some((l) => l.productType === "Coffee Beans");
        if (at >= 0) {
          machineLater++;
          if (beans) machineBeans++;
        } else {
          otherLater++;
          if (beans) otherBeans++;
        }
      }
    }
    expect(machineLater).toBeGreaterThan(200);
    expect(share(machineBeans, machineLater)).toBeGreaterThan(share(otherBeans, otherLater) + 0.03);
  });

  it("tags as vip only customers who spent $1,000 or ordered 10 times", () => {
    for (const c of sample.filter((x) => x.customer.tags.includes("vip"))) {
      const spent = keptOrders(c).reduce((s, o) => s + o.totalMinor - o.refundedMinor, 0n);
      expect(spent >= 100_000n || keptOrders(c).length >= 10).toBe(true);
    }
  });
});
