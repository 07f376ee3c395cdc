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
import type {
  CustomerRow,
  FinancialStatus,
  MarketingState,
  OrderLineRow,
  OrderRow,
  ProductRow,
  ProductStatus,
  ShopRow,
} from "../domain/rows";
import { normalizeTags } from "../domain/rows";
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

// ---------------------------------------------------------------------------------------------------
// Catalogue

const CATEGORIES = [
  "Coffee Beans",
  "Espresso Machines",
  "Grinders",
  "Brewing Gear",
  "Tea",
  "Mugs & Cups",
  "Accessories",
  "Merch",
] as const;
const BEANS = 0;
const MACHINES = 1;
const GRINDERS = 2;
const BREWING = 3;
const TEA = 4;
const MUGS = 5;
const ACCESSORIES = 6;
const CATEGORY_COUNT = CATEGORIES.length;
const SKU_PREFIX = ["BEA", "ESP", "GRI", "BRW", "TEA", "MUG", "ACC", "MER"] as const;

// Dirichlet concentration of customer category affinity: small values make "fans" of one category.
const AFFINITY_ALPHA = [2.2, 0.22, 0.22, 0.5, 0.75, 0.45, 0.35, 0.2] as const;
// How likely a customer is to come back for a category they already bought from.
const OWNED_FACTOR = [1, 0.02, 0.05, 0.55, 1, 0.5, 0.8, 0.35] as const;
// Add-on lines: which categories a primary line pulls in, as weights.
const COMPLEMENTS: readonly (readonly number[])[] = [
  /* beans       */ [0.45, 0, 0.02, 0.15, 0.03, 0.15, 0.15, 0.05],
  /* machines    */ [0.35, 0, 0.4, 0.02, 0, 0.03, 0.2, 0],
  /* grinders    */ [0.6, 0, 0, 0.2, 0, 0, 0.2, 0],
  /* brewing     */ [0.55, 0, 0.05, 0.2, 0.02, 0.08, 0.1, 0],
  /* tea         */ [0.05, 0, 0, 0.1, 0.45, 0.3, 0.1, 0],
  /* mugs        */ [0.3, 0, 0, 0, 0.3, 0.2, 0.05, 0.15],
  /* accessories */ [0.5, 0, 0, 0.05, 0.05, 0.15, 0.25, 0],
  /* merch       */ [0.4, 0, 0, 0, 0.05, 0.35, 0, 0.2],
];

type ProductSpec = {
  title: string;
  vendor: string;
  price: number; // cents
  tags: string;
  consumable?: boolean;
  /** Created this many days before `now`; otherwise with the store, before the signup window. */
  launchedDaysAgo?: number;
  status?: ProductStatus;
  /** For ARCHIVED products: no longer sold after this many days before `now`. */
  archivedDaysAgo?: number;
};

const HOUSE = "Tailored Roasters";
// prettier-ignore
const CATALOGUE: readonly (readonly ProductSpec[])[] = [
  [ // Coffee Beans
    { title: "House Espresso Blend", vendor: HOUSE, price: 1700, tags: "espresso, blend, bestseller" },
    { title: "House Espresso Blend 2lb", vendor: HOUSE, price: 4200, tags: "espresso, blend" },
    { title: "Morning Ritual Blend", vendor: HOUSE, price: 1600, tags: "blend, filter, bestseller" },
    { title: "Ethiopia Yirgacheffe", vendor: "Northbound Coffee", price: 2100, tags: "single-origin, filter, organic, bestseller" },
    { title: "Colombia Huila", vendor: "Northbound Coffee", price: 1900, tags: "single-origin, filter, espresso" },
    { title: "Guatemala Antigua", vendor: "Lighthouse Roasting Co.", price: 1850, tags: "single-origin" },
    { title: "Kenya AA Nyeri", vendor: "Northbound Coffee", price: 2400, tags: "single-origin, filter, limited" },
    { title: "Sumatra Mandheling", vendor: "Lighthouse Roasting Co.", price: 1800, tags: "single-origin, organic, dark-roast" },
    { title: "Brazil Cerrado", vendor: HOUSE, price: 1650, tags: "single-origin, espresso" },
    { title: "Costa Rica Tarrazu", vendor: "Foglifter Coffee", price: 2000, tags: "single-origin, filter" },
    { title: "Decaf Colombia Swiss Water", vendor: HOUSE, price: 1800, tags: "decaf, single-origin, filter" },
    { title: "Decaf Espresso Blend", vendor: HOUSE, price: 1850, tags: "decaf, espresso, blend" },
    { title: "French Dark Roast", vendor: "Lighthouse Roasting Co.", price: 1600, tags: "blend, dark-roast" },
    { title: "Italian Roast Espresso", vendor: "Foglifter Coffee", price: 1750, tags: "espresso, blend, dark-roast" },
    { title: "Honduras Organic", vendor: "Foglifter Coffee", price: 1700, tags: "single-origin, organic, fair-trade" },
    { title: "Peru Organic Fair Trade", vendor: "Northbound Coffee", price: 1750, tags: "single-origin, organic, fair-trade, filter" },
    { title: "Rwanda Huye Mountain", vendor: "Northbound Coffee", price: 2300, tags: "single-origin, filter, limited" },
    { title: "Panama Geisha", vendor: "Foglifter Coffee", price: 5800, tags: "single-origin, filter, limited, gift" },
    { title: "Cold Brew Blend 2lb", vendor: HOUSE, price: 3600, tags: "blend, cold-brew" },
    { title: "Mexico Chiapas Decaf", vendor: "Lighthouse Roasting Co.", price: 1750, tags: "decaf, organic, single-origin" },
    { title: "Espresso Sampler Box", vendor: HOUSE, price: 3900, tags: "espresso, sampler, gift" },
    { title: "Single-Origin Sampler", vendor: "Northbound Coffee", price: 4400, tags: "single-origin, sampler, gift, filter" },
    { title: "Holiday Blend", vendor: HOUSE, price: 1900, tags: "blend, gift, seasonal", status: "ARCHIVED", archivedDaysAgo: 300 },
    { title: "Yemen Mokha Reserve", vendor: "Foglifter Coffee", price: 3200, tags: "single-origin, limited", status: "ARCHIVED", archivedDaysAgo: 120 },
    { title: "Burundi Kayanza", vendor: "Northbound Coffee", price: 2200, tags: "single-origin, filter, new", launchedDaysAgo: 75 },
    { title: "Summer Solstice Blend", vendor: HOUSE, price: 1900, tags: "blend, seasonal, new", status: "DRAFT", launchedDaysAgo: 12 },
  ].map((p) => ({ ...p, consumable: true })),
  [ // Espresso Machines
    { title: "Crema Works Solo", vendor: "Crema Works", price: 44900, tags: "espresso, bestseller" },
    { title: "Crema Works Duo Dual Boiler", vendor: "Crema Works", price: 189900, tags: "espresso" },
    { title: "Baristo Home Single Boiler", vendor: "Baristo", price: 69900, tags: "espresso" },
    { title: "Baristo Pro Heat Exchanger", vendor: "Baristo", price: 149900, tags: "espresso" },
    { title: "Baristo Compact", vendor: "Baristo", price: 32900, tags: "espresso, bestseller" },
    { title: "Vesuvio Lever Classic", vendor: "Vesuvio Machines", price: 129000, tags: "espresso, limited" },
    { title: "Vesuvio Mini", vendor: "Vesuvio Machines", price: 54900, tags: "espresso" },
    { title: "Crema Works Solo (2022)", vendor: "Crema Works", price: 39900, tags: "espresso", status: "ARCHIVED", archivedDaysAgo: 420 },
  ],
  [ // Grinders
    { title: "Burr & Co. Home Grinder", vendor: "Burr & Co.", price: 14900, tags: "filter, bestseller" },
    { title: "Burr & Co. Espresso Grinder", vendor: "Burr & Co.", price: 34900, tags: "espresso" },
    { title: "Burr & Co. Conical Pro", vendor: "Burr & Co.", price: 24900, tags: "espresso, filter" },
    { title: "Burr & Co. Hand Grinder", vendor: "Burr & Co.", price: 9900, tags: "filter, gift" },
    { title: "Millhaus Flat Burr 64", vendor: "Millhaus", price: 64900, tags: "espresso" },
    { title: "Millhaus Single Dose", vendor: "Millhaus", price: 89900, tags: "espresso, limited" },
    { title: "Millhaus Travel Hand Grinder", vendor: "Millhaus", price: 12900, tags: "filter" },
  ],
  [ // Brewing Gear
    { title: "Pourfect Ceramic Dripper", vendor: "Pourfect", price: 2800, tags: "filter, bestseller" },
    { title: "Paper Filters (100 Pack)", vendor: "Pourfect", price: 800, tags: "filter", consumable: true },
    { title: "Pourfect Glass Carafe", vendor: "Pourfect", price: 3400, tags: "filter" },
    { title: "Gooseneck Kettle", vendor: "Kettle & Kin", price: 7900, tags: "filter, gift" },
    { title: "Electric Gooseneck Kettle", vendor: "Kettle & Kin", price: 14900, tags: "filter, tea" },
    { title: "French Press 1L", vendor: "Kettle & Kin", price: 3900, tags: "filter" },
    { title: "Pourfect Brewing Scale", vendor: "Pourfect", price: 5900, tags: "filter, espresso" },
    { title: "Cold Brew Maker", vendor: "Kettle & Kin", price: 4500, tags: "cold-brew" },
    { title: "Moka Pot 6-Cup", vendor: "Kettle & Kin", price: 4200, tags: "espresso, gift" },
    { title: "Travel Press", vendor: "Pourfect", price: 3500, tags: "gift" },
    { title: "Siphon Brewer", vendor: "Kettle & Kin", price: 11900, tags: "filter, limited" },
    { title: "Pourfect Flat-Bottom Dripper", vendor: "Pourfect", price: 3200, tags: "filter, new", launchedDaysAgo: 100 },
  ],
  [ // Tea
    { title: "Earl Grey Supreme", vendor: "Leaf & Ladle", price: 1400, tags: "black-tea, bestseller" },
    { title: "English Breakfast", vendor: "Leaf & Ladle", price: 1200, tags: "black-tea" },
    { title: "Sencha Kyoto", vendor: "Steepwell", price: 1800, tags: "green-tea, organic" },
    { title: "Jasmine Pearls", vendor: "Steepwell", price: 2200, tags: "green-tea" },
    { title: "Ceremonial Matcha", vendor: "Steepwell", price: 2800, tags: "green-tea, organic, bestseller" },
    { title: "Chamomile Calm", vendor: "Leaf & Ladle", price: 1100, tags: "herbal, decaf" },
    { title: "Peppermint Leaf", vendor: "Leaf & Ladle", price: 1000, tags: "herbal, organic, decaf" },
    { title: "Masala Chai", vendor: "Leaf & Ladle", price: 1300, tags: "black-tea" },
    { title: "Rooibos Vanilla", vendor: "Steepwell", price: 1200, tags: "herbal, decaf" },
    { title: "Oolong Tieguanyin", vendor: "Steepwell", price: 2400, tags: "oolong" },
    { title: "Tea Discovery Box", vendor: "Leaf & Ladle", price: 3600, tags: "sampler, gift" },
    { title: "Hojicha Roasted Green", vendor: "Steepwell", price: 1600, tags: "green-tea, new", launchedDaysAgo: 60 },
  ].map((p) => ({ ...p, consumable: true })),
  [ // Mugs & Cups
    { title: "Classic Diner Mug", vendor: "Clay Street Ceramics", price: 1600, tags: "bestseller" },
    { title: "Stoneware Espresso Cups (Set of 2)", vendor: "Clay Street Ceramics", price: 2400, tags: "espresso, gift" },
    { title: "Double-Wall Glass Cup", vendor: "Clay Street Ceramics", price: 1800, tags: "" },
    { title: "Cappuccino Cup & Saucer", vendor: "Clay Street Ceramics", price: 2200, tags: "espresso" },
    { title: "Travel Tumbler 12oz", vendor: HOUSE, price: 2800, tags: "gift" },
    { title: "Handmade Speckled Mug", vendor: "Clay Street Ceramics", price: 3200, tags: "gift, limited" },
    { title: "Tailored Logo Mug", vendor: HOUSE, price: 1500, tags: "gift" },
    { title: "Tea Cup & Infuser Set", vendor: "Steepwell", price: 2900, tags: "tea, gift" },
    { title: "Latte Bowl", vendor: "Clay Street Ceramics", price: 2000, tags: "" },
  ],
  [ // Accessories
    { title: "Calibrated Tamper 58mm", vendor: "Crema Works", price: 4500, tags: "espresso" },
    { title: "Milk Frothing Pitcher", vendor: "Crema Works", price: 2500, tags: "espresso, bestseller" },
    { title: "Knock Box", vendor: "Baristo", price: 3200, tags: "espresso" },
    { title: "Espresso Cleaning Tablets", vendor: "Baristo", price: 1400, tags: "espresso", consumable: true },
    { title: "Descaling Solution", vendor: "Baristo", price: 1600, tags: "espresso", consumable: true },
    { title: "Bottomless Portafilter", vendor: "Crema Works", price: 6500, tags: "espresso" },
    { title: "Vacuum Coffee Canister", vendor: HOUSE, price: 2900, tags: "gift" },
    { title: "Stainless Tea Infuser", vendor: "Steepwell", price: 900, tags: "tea" },
    { title: "Barista Cloths (3 Pack)", vendor: HOUSE, price: 1200, tags: "" },
  ],
  [ // Merch
    { title: "Tailored Canvas Tote", vendor: HOUSE, price: 2000, tags: "gift" },
    { title: "Tailored Logo T-Shirt", vendor: HOUSE, price: 2800, tags: "" },
    { title: "Tailored Hoodie", vendor: HOUSE, price: 5800, tags: "gift" },
    { title: "Tailored Dad Cap", vendor: HOUSE, price: 2500, tags: "" },
    { title: "Tailored Enamel Pin", vendor: HOUSE, price: 800, tags: "" },
    { title: "Coffee Origins Poster", vendor: HOUSE, price: 3000, tags: "gift" },
    { title: "Tailored Sticker Pack", vendor: HOUSE, price: 600, tags: "new", status: "DRAFT", launchedDaysAgo: 20 },
  ],
];

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
// People and places

type Place = { city: string; province: string | null; weight: number };
type Country = { code: string; weight: number; names: number; places: Place[] };

function places(list: string): Place[] {
  // "City|PROV|weight; ..." keeps the tables below readable.
  return list.split(";").map((entry) => {
    const [city = "", province = "", weight = "1"] = entry.split("|").map((s) => s.trim());
    return { city, province: province === "" ? null : province, weight: Number(weight) };
  });
}

// Name lists by language, referred to by index from COUNTRIES.
const EN = 0;
const DE = 1;
const FR = 2;
const NL = 3;
const ES = 4;
const IT = 5;
const JA = 6;
const SV = 7;
// prettier-ignore
const FIRST_NAMES: readonly (readonly string[])[] = [
  ["James", "Mary", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas", "Mia", "Jack", "Charlotte", "Henry", "Amelia", "Owen", "Harper", "Leo", "Grace", "Daniel", "Chloe", "Samuel", "Zoe", "Aiden", "Priya", "Wei", "Fatima", "Diego"],
  ["Lukas", "Anna", "Finn", "Lena", "Jonas", "Marie", "Felix", "Sophie", "Paul", "Hannah", "Max", "Leonie", "Jürgen", "Katrin"],
  ["Louis", "Camille", "Gabriel", "Léa", "Hugo", "Chloé", "Arthur", "Manon", "Jules", "Inès", "Théo", "Juliette", "Mathis", "Élodie"],
  ["Daan", "Emma", "Sem", "Julia", "Lucas", "Tess", "Levi", "Sanne", "Bram", "Fleur", "Thijs", "Anouk"],
  ["Hugo", "Lucía", "Martín", "Sofía", "Pablo", "María", "Álvaro", "Carmen", "Javier", "Elena", "Diego", "Paula"],
  ["Leonardo", "Giulia", "Francesco", "Sofia", "Alessandro", "Aurora", "Lorenzo", "Chiara", "Matteo", "Martina", "Marco", "Elena"],
  ["Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Sakura", "Kenji", "Yuki", "Takumi", "Mei"],
  ["Erik", "Elsa", "Oskar", "Maja", "Lars", "Astrid", "Nils", "Ingrid", "Axel", "Saga", "Björn", "Linnea"],
];
// prettier-ignore
const LAST_NAMES: readonly (readonly string[])[] = [
  ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Nguyen", "Patel", "Kim", "O'Brien", "Murphy"],
  ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Wolf", "Krüger"],
  ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Girard"],
  ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos"],
  ["García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz"],
  ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo"],
  ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada"],
  ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Lindberg", "Holm"],
];

/** ASCII local-part of an email address for a name: "Lefèvre" -> "lefevre", "de Jong" -> "dejong". */
function emailPart(name: string): string {
  return name
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}
// Computed once: normalize() in the per-customer loop would cost a million calls per run.
const FIRST_EMAIL = FIRST_NAMES.map((names) => names.map(emailPart));
const LAST_EMAIL = LAST_NAMES.map((names) => names.map(emailPart));

// Shopify province codes (ISO 3166-2 without the country prefix, JP keeps "JP-"); countries where
// Shopify keeps no province have null.
// prettier-ignore
const COUNTRIES: readonly Country[] = [
  {
    code: "US",
    weight: 55,
    names: EN,
    places: places(
      "New York|NY|9; Brooklyn|NY|6; Buffalo|NY|1; Los Angeles|CA|5; San Francisco|CA|4; San Diego|CA|2; Oakland|CA|1.5; " +
        "Austin|TX|3; Houston|TX|2; Dallas|TX|2; Seattle|WA|4; Spokane|WA|0.5; Chicago|IL|4; Boston|MA|3; Cambridge|MA|1; " +
        "Portland|OR|3; Denver|CO|2; Boulder|CO|1; Miami|FL|2; Tampa|FL|1; Orlando|FL|1; Atlanta|GA|2; Philadelphia|PA|2.5; " +
        "Pittsburgh|PA|1; Jersey City|NJ|1.5; Hoboken|NJ|1; Minneapolis|MN|1.5; Charlotte|NC|1; Raleigh|NC|1; Detroit|MI|1; " +
        "Ann Arbor|MI|0.5; Richmond|VA|1; Arlington|VA|1; Phoenix|AZ|1.5; Columbus|OH|1; Cleveland|OH|0.8; Washington|DC|2; " +
        "Nashville|TN|1.2; Salt Lake City|UT|0.8",
    ),
  },
  {
    code: "CA",
    weight: 9,
    names: EN,
    places: places(
      "Toronto|ON|5; Ottawa|ON|1.5; Vancouver|BC|4; Victoria|BC|1; Montréal|QC|3; Québec City|QC|1; Calgary|AB|1.5; " +
        "Edmonton|AB|1; Halifax|NS|0.7; Winnipeg|MB|0.7",
    ),
  },
  {
    code: "GB",
    weight: 10,
    names: EN,
    places: places("London||8; Manchester||2; Edinburgh||1.5; Bristol||1.5; Leeds||1; Glasgow||1; Birmingham||1.5; Brighton||1"),
  },
  { code: "DE", weight: 6, names: DE, places: places("Berlin||4; Hamburg||2; München||2.5; Köln||1.5; Frankfurt am Main||1.5; Leipzig||1") },
  { code: "FR", weight: 4, names: FR, places: places("Paris||5; Lyon||1.5; Marseille||1; Bordeaux||1; Lille||0.8; Nantes||0.8") },
  {
    code: "AU",
    weight: 5,
    names: EN,
    places: places("Sydney|NSW|4; Melbourne|VIC|4; Brisbane|QLD|2; Perth|WA|1.5; Adelaide|SA|1; Canberra|ACT|0.6"),
  },
  { code: "NL", weight: 3, names: NL, places: places("Amsterdam||4; Rotterdam||2; Utrecht||1.5; Den Haag||1.2; Eindhoven||0.8") },
  { code: "IE", weight: 1.5, names: EN, places: places("Dublin|D|4; Cork|CO|1; Galway|G|0.7") },
  { code: "SE", weight: 1.5, names: SV, places: places("Stockholm||3; Göteborg||1.5; Malmö||1") },
  { code: "JP", weight: 1.5, names: JA, places: places("Tokyo|JP-13|4; Osaka|JP-27|2; Kyoto|JP-26|1") },
  { code: "ES", weight: 1.5, names: ES, places: places("Madrid|M|3; Barcelona|B|3; Valencia|V|1") },
  { code: "IT", weight: 1.5, names: IT, places: places("Milano|MI|3; Roma|RM|3; Torino|TO|1") },
  { code: "NZ", weight: 1, names: EN, places: places("Auckland|AUK|3; Wellington|WGN|1.5; Christchurch|CAN|1") },
];
const COUNTRY_WEIGHTS = COUNTRIES.map((c) => c.weight);
const PLACE_WEIGHTS = COUNTRIES.map((c) => c.places.map((p) => p.weight));
const CANADA_FRENCH_PROVINCE = "QC";

const EMAIL_DOMAINS = ["example.com", "example.org", "mail.example.net"] as const;
const EMAIL_DOMAIN_WEIGHTS = [0.6, 0.25, 0.15];

const EMAIL_STATES: readonly MarketingState[] = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING"];
// Prospects mostly came in through the newsletter form, so more of them are subscribed.
const EMAIL_WEIGHTS_BUYER = [0.43, 0.4, 0.14, 0.03];
const EMAIL_WEIGHTS_PROSPECT = [0.55, 0.3, 0.1, 0.05];
const SMS_STATES: readonly MarketingState[] = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"];
const SMS_WEIGHTS = [0.15, 0.815, 0.035];

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
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new RangeError("demo now must be a valid Date");
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
    const email = `${FIRST_EMAIL[language]![firstIndex]!}.${LAST_EMAIL[language]![lastIndex]!}.${
      i + 1
    }@${domain}`;

    let prospect = profile.bernoulli(PROSPECT_SHARE);
    const checkoutSignup = profile.bernoulli(CHECKOUT_SIGNUP_SHARE);
    const firstOrderAt = checkoutSignup
      ? signup + profile.int(5_000, 15 * MINUTE)
      : signup + Math.floor(profile.exponential(1 / 30) * DAY);
    if (firstOrderAt > now) prospect = true;
    // Newsletter-only signups often leave no address.
    const hasAddress = !prospect || profile.bernoulli(0.5);

    const emailState =
      EMAIL_STATES[profile.weightedIndex(prospect ? EMAIL_WEIGHTS_PROSPECT : EMAIL_WEIGHTS_BUYER)]!;
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
        this.orderRow(
          customerId,
          email,
          attemptAt,
          cancelledAt,
          cancelledAt,
          total,
          voided ? 0 : total,
          status,
          lines,
        ),
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
          refunded = line
            ? Number(line.priceMinor)
            : Math.max(1, Math.round(subtotal * (0.1 + 0.4 * random.next())));
          refunded = Math.min(refunded, total - 1);
        }
      }
    }
    orders.push(
      this.orderRow(
        customerId,
        email,
        t,
        null,
        Math.min(this.now, updatedAt),
        total,
        refunded,
        financial,
        keptLines,
      ),
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
