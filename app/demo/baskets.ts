// Baskets: what one customer puts in each order, with the co-purchase structure generator.ts describes
// (category affinities, complements, ownership, favourite consumables re-bought). Products are chosen
// near the order's spend target (the Gamma-Gamma draw) among those on sale at the time; the tastes
// and purchases so far live in scratch arrays reused from customer to customer.
import type { OrderLineRow } from "../domain/rows";
import {
  ACCESSORIES,
  AFFINITY_ALPHA,
  BEANS,
  BREWING,
  CATEGORY_COUNT,
  COMPLEMENTS,
  GRINDERS,
  MACHINES,
  MUGS,
  OWNED_FACTOR,
  TEA,
} from "./catalogue";
import type { Catalogue, Item } from "./products";
import type { Random } from "./random";

/** One customer at a time: their tastes, what they own and have bought, and their baskets. */
export class Shopper {
  // Per-customer scratch, reset by newCustomer and newTaste: no allocation per customer.
  private readonly affinity = new Float64Array(CATEGORY_COUNT);
  private readonly owned = new Uint8Array(CATEGORY_COUNT);
  private readonly favourite = new Int32Array(CATEGORY_COUNT);
  private readonly bought: Uint8Array;
  private readonly categoryWeights = new Float64Array(CATEGORY_COUNT);
  private readonly itemWeights: Float64Array;
  private espressoLean = 0.5;
  private decafFan = false;
  private organicFan = false;
  /** A reseller: consumables by the case. */
  private wholesale = false;
  /** Lines of gift products bought, for the gift-buyer tag. */
  giftLines = 0;

  constructor(
    private readonly catalogue: Catalogue,
    /** The next order line id (ids ascend with time over the whole run). */
    private readonly nextLineId: () => string,
  ) {
    this.bought = new Uint8Array(catalogue.items.length);
    this.itemWeights = new Float64Array(Math.max(...catalogue.byCategory.map((c) => c.length)));
  }

  /** Before each customer, buyer or not. */
  newCustomer(wholesale: boolean): void {
    this.wholesale = wholesale;
    this.giftLines = 0;
  }

  /** A buyer's tastes, drawn before their first order: category affinities, espresso or filter, decaf, organic. */
  newTaste(random: Random): void {
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
  }

  basket(random: Random, t: number, target: number, first: boolean): OrderLineRow[] {
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
