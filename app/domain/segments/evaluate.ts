// The in-memory engine: one customer, as the webhook processor sees them, against a prepared rule
// (engine.ts). The SQL compiler (app/models/segments/compile-sql.ts) reads the same prepared form; a
// property test holds the two together (tests/segments/engines.test.ts).
import {
  foldAscii,
  lifecycleStage,
  type Cmp,
  type EngineContext,
  type Instants,
  type IntField,
  type TextField,
  type IntTest,
  type LineTest,
  type ListField,
  type OrdersPlaced,
  type Prepared,
  type PurchaseLine,
  type PurchaseOrder,
  type Purchased,
  type Subject,
} from "./engine";
import { evaluateBehaviour } from "./engine/behaviour";

function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.indexOf("@");
  return at < 0 ? null : foldAscii(email.slice(at + 1));
}

/**
 * Shopify writes a city as countryCode-regionCode-cityCode, the city code being the name run together
 * ('US-NY-NewYorkCity'). Ours is built from the default address the same way: the stored city with
 * these separators dropped, after the country and the province (left out when the address has
 * none: 'DE-Berlin'), compared ASCII-folded. Letters outside ASCII are kept as they are ('Zürich'
 * stays 'Zürich'): neither database can strip accents portably, and both engines must agree.
 */
export const CITY_SEPARATORS = [" ", "-", ".", ",", "'", "(", ")", "/"] as const;

export function cityCode(city: string): string {
  let code = city;
  for (const ch of CITY_SEPARATORS) code = code.split(ch).join("");
  return code;
}

function customerCity(s: Subject): string | null {
  if (!s.countryCode || !s.city) return null;
  const code = cityCode(s.city);
  if (code === "") return null;
  return foldAscii(s.provinceCode ? `${s.countryCode}-${s.provinceCode}-${code}` : `${s.countryCode}-${code}`);
}

function listOf(field: ListField, s: Subject): string[] {
  if (field === "tags") return s.tags.map(foldAscii);
  if (field === "cities") {
    const city = customerCity(s);
    return city === null ? [] : [city];
  }
  if (!s.countryCode) return [];
  if (field === "countries") return [s.countryCode];
  return s.provinceCode ? [`${s.countryCode}-${s.provinceCode}`] : [];
}

/** Whether a whole number passes a test; the SQL compiler asks it too, of an empty sum. */
export function intTest(v: bigint, t: IntTest): boolean {
  return t.op === "BETWEEN" ? v >= t.low && v <= t.high : compare(v, t.op, t.value);
}

function eventsOf(s: Subject) {
  if (!s.events) throw new Error("this rule reads browsing: load the subject with its events (see readsBehaviour)");
  return s.events;
}

function ordersOf(s: Subject): readonly PurchaseOrder[] {
  if (!s.orders) throw new Error("this rule reads purchases: load the subject with its orders (see readsPurchases)");
  return s.orders;
}

function lineValue(field: LineTest["field"], line: PurchaseLine): string | null {
  if (field === "productId") return line.productId;
  const v = field === "productType" ? line.productType : line.vendor;
  return v === null ? null : foldAscii(v);
}

function lineMatches(t: LineTest, line: PurchaseLine): boolean {
  if (t.field === "tags") {
    const has = line.tags.some((tag) => t.values.includes(foldAscii(tag)));
    return t.negate ? !has : has;
  }
  const v = lineValue(t.field, line);
  if (v === null) return false;
  return t.values.includes(v) !== t.negate;
}

function purchased(p: Purchased, s: Subject): boolean {
  let any = false;
  let total = 0n;
  for (const order of ordersOf(s)) {
    if (!p.dates.every((range) => inInterval(order.processedAt, range))) continue;
    let matched = false;
    let units = 0n;
    for (const line of order.lines) {
      if (!p.lines.every((t) => lineMatches(t, line))) continue;
      matched = true;
      units += BigInt(line.quantity);
    }
    if (!matched || (p.quantity && !intTest(units, p.quantity))) continue;
    if (!p.sumQuantity) return true;
    any = true;
    total += units;
  }
  return any && p.sumQuantity !== null && intTest(total, p.sumQuantity);
}

function ordersPlaced(p: OrdersPlaced, s: Subject): boolean {
  let count = 0n;
  let sum = 0n;
  for (const order of ordersOf(s)) {
    if (!p.dates.every((range) => inInterval(order.processedAt, range))) continue;
    count += 1n;
    sum += order.amountMinor;
  }
  return count >= p.countAtLeast && (p.sumAmount === null || intTest(sum, p.sumAmount));
}

/** Money and counts (bigint) and the fractional predictions (number) alike. */
function compare<T extends bigint | number>(a: T, op: Cmp, b: T): boolean {
  switch (op) {
    case "=":
      return a === b;
    case "!=":
      return a !== b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

function intField(field: IntField, s: Subject): bigint | null {
  if (field === "ordersCount") return BigInt(s.ordersCount);
  return s[field] ?? null;
}

function textField(field: TextField, s: Subject): string | null {
  if (field === "email_domain") return emailDomain(s.email);
  if (field === "clusterName") return s.clusterName == null ? null : foldAscii(s.clusterName);
  return s[field] ?? null;
}

function inInterval(at: Date | null, range: Instants): boolean {
  if (at === null) return false;
  const t = at.getTime();
  const inside = (range.from === null || t >= range.from) && (range.to === null || t < range.to);
  return range.negate ? !inside : inside;
}

export function evaluate(p: Prepared, s: Subject): boolean {
  switch (p.kind) {
    case "and":
      return p.children.every((c) => evaluate(c, s));
    case "or":
      return p.children.some((c) => evaluate(c, s));
    case "not":
      return !evaluate(p.child, s);
    case "int": {
      const v = intField(p.field, s);
      return v !== null && compare(v, p.op, p.value);
    }
    case "intRange": {
      const v = intField(p.field, s);
      return v !== null && v >= p.low && v <= p.high;
    }
    case "real": {
      const v = s[p.field];
      return v != null && compare(v, p.op, p.value);
    }
    case "realRange": {
      const v = s[p.field];
      return v != null && v >= p.low && v <= p.high;
    }
    case "instant":
      return inInterval(s[p.field], p.range);
    case "isNull": {
      const missing =
        p.field === "email_domain"
          ? emailDomain(s.email) === null
          : p.field === "tags" || p.field === "countries" || p.field === "regions" || p.field === "cities"
            ? listOf(p.field, s).length === 0
            : p.field === "ordersCount" || p.field === "amountSpentMinor"
              ? false
              : p.field === "clusterName"
                ? textField(p.field, s) === null
                : (s[p.field] ?? null) === null;
      return p.negate ? !missing : missing;
    }
    case "text": {
      const v = textField(p.field, s);
      if (v === null) return false;
      return p.negate ? v !== p.value : v === p.value;
    }
    case "listContains": {
      const has = listOf(p.field, s).includes(p.value);
      return p.negate ? !has : has;
    }
    case "purchased":
      return purchased(p, s);
    case "ordersPlaced":
      return ordersPlaced(p, s);
    case "viewed":
    case "searched":
    case "abandoned":
    case "sessions":
    case "lastSeen":
      return evaluateBehaviour(p, eventsOf(s), () => ordersOf(s).map((o) => o.processedAt));
  }
}

/** The stage one customer is in (for display); the same definitions as the rule form. */
export function stageOf(subject: Subject, ctx: EngineContext): string {
  for (const stage of ["PROSPECT", "LAPSED", "LAPSING", "NEW", "REPEAT", "LOYAL"]) {
    if (evaluate(lifecycleStage(stage, ctx), subject)) return stage;
  }
  return "PROSPECT"; // a customer with orders but no last order date: facts not computed yet
}
