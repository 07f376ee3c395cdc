// The demo shop's catalogue as data: categories, how they pull each other into a basket, and the
// products with their prices and tags. The process that sells them is app/demo/generator.ts.
import type { ProductStatus } from "../domain/rows";

export const CATEGORIES = [
  "Coffee Beans",
  "Espresso Machines",
  "Grinders",
  "Brewing Gear",
  "Tea",
  "Mugs & Cups",
  "Accessories",
  "Merch",
] as const;
export const BEANS = 0;
export const MACHINES = 1;
export const GRINDERS = 2;
export const BREWING = 3;
export const TEA = 4;
export const MUGS = 5;
export const ACCESSORIES = 6;
export const CATEGORY_COUNT = CATEGORIES.length;
export const SKU_PREFIX = ["BEA", "ESP", "GRI", "BRW", "TEA", "MUG", "ACC", "MER"] as const;

// Dirichlet concentration of customer category affinity: small values make "fans" of one category.
export const AFFINITY_ALPHA = [2.2, 0.22, 0.22, 0.5, 0.75, 0.45, 0.35, 0.2] as const;
// How likely a customer is to come back for a category they already bought from.
export const OWNED_FACTOR = [1, 0.02, 0.05, 0.55, 1, 0.5, 0.8, 0.35] as const;
// Add-on lines: which categories a primary line pulls in, as weights.
export const COMPLEMENTS: readonly (readonly number[])[] = [
  /* beans       */ [0.45, 0, 0.02, 0.15, 0.03, 0.15, 0.15, 0.05],
  /* machines    */ [0.35, 0, 0.4, 0.02, 0, 0.03, 0.2, 0],
  /* grinders    */ [0.6, 0, 0, 0.2, 0, 0, 0.2, 0],
  /* brewing     */ [0.55, 0, 0.05, 0.2, 0.02, 0.08, 0.1, 0],
  /* tea         */ [0.05, 0, 0, 0.1, 0.45, 0.3, 0.1, 0],
  /* mugs        */ [0.3, 0, 0, 0, 0.3, 0.2, 0.05, 0.15],
  /* accessories */ [0.5, 0, 0, 0.05, 0.05, 0.15, 0.25, 0],
  /* merch       */ [0.4, 0, 0, 0, 0.05, 0.35, 0, 0.2],
];

export type ProductSpec = {
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

export const HOUSE = "Tailored Roasters";
// prettier-ignore
export const CATALOGUE: readonly (readonly ProductSpec[])[] = [
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
