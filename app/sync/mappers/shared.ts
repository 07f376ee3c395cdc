// What the Shopify payload mappers share (rest.ts: REST webhook payloads; graphql.ts: Admin GraphQL
// nodes): failure plumbing, field schemas, ids, enums and money. Pure: no I/O, no clock, no env. Bad
// data never throws out of a mapper: `run` turns an Invalid thrown deep inside into { ok: false, error }
// naming the field.
import { z } from "zod";
import { parseMinor } from "~/domain/money";
import type { FinancialStatus, MarketingState, ProductStatus } from "~/domain/rows";

export type MapResult<T> = { ok: true; value: T } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------------
// Failure plumbing: schemas and checks throw Invalid deep inside; `run` turns it into a MapResult.

export type Path = readonly (string | number)[];

export class Invalid extends Error {
  constructor(
    readonly path: Path,
    message: string,
  ) {
    super(message);
  }
}

function formatPath(root: string, path: Path): string {
  return root + path.map((key) => (typeof key === "number" ? `[${key}]` : `.${key}`)).join("");
}

export function run<T>(root: string, build: () => T): MapResult<T> {
  try {
    return { ok: true, value: build() };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: `${formatPath(root, error.path)}: ${error.message}` };
    // A bug rather than bad data, but callers were promised a result, not an exception.
    return { ok: false, error: `${root}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function parse<S extends z.ZodType>(schema: S, input: unknown, at: Path = []): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).filter((key): key is string | number => typeof key !== "symbol");
  throw new Invalid([...at, ...path], issue?.message ?? "invalid");
}

// ---------------------------------------------------------------------------------------------------
// Field schemas. Messages read as "<path>: expected …" whether the value is missing or malformed.

export const object = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: "expected an object" });
export const array = <T extends z.ZodType>(item: T) => z.array(item, { error: "expected an array" });

export const isoDate = z.iso
  .datetime({ offset: true, error: "expected an ISO date-time" })
  .transform((text) => new Date(text));
export const optionalDate = isoDate.nullish().transform((date) => date ?? null);

/** Optional text: absent, null and blank all become null. */
export const text = z
  .string({ error: "expected a string or null" })
  .nullish()
  .transform((value) => (value == null || value.trim() === "" ? null : value));

export const requiredString = z.string({ error: "expected a string" });
export const bool = z.boolean({ error: "expected a boolean" });
export const quantity = z.number({ error: "expected a quantity" }).int({ error: "expected a quantity" }).nonnegative({
  error: "expected a quantity",
});

// Decimal strings only: a JSON number has already been through a float.
export const amount = z.string({ error: "expected a decimal amount" }).regex(/^[+-]?\d+(\.\d+)?$/, {
  error: "expected a decimal amount",
});
/**
 * A price, a total or money refunded: never below zero. A negative one is bad data (or a forgery), not a
 * credit; taken as it came it would lower a customer's spend and every segment's sums, so the event is
 * failed with this reason. (Refund order adjustments are signed by definition and use `amount`.)
 */
export const nonNegativeAmount = amount.refine((value) => !value.startsWith("-") || /^-0+(\.0+)?$/.test(value), {
  error: "expected an amount of at least 0",
});
// ISO 4217, plus the four-letter codes Shopify's CurrencyCode enum has (USDC).
export const currencyCode = z.string({ error: "expected a currency code" }).regex(/^[A-Z]{3,4}$/, {
  error: "expected a currency code",
});

/** REST ids: JSON numbers (or numeric strings); checked for precision by resolveId. */
export const gidString = z.string({ error: "expected a Shopify GID" });

// ---------------------------------------------------------------------------------------------------
// Ids

const GID = /^gid:\/\/shopify\/([A-Za-z][A-Za-z0-9]*)\/(\d+)(?:\?.*)?$/;

function canonicalDigits(digits: string): string | null {
  const id = BigInt(digits);
  return id > 0n ? id.toString() : null;
}

/** "gid://shopify/Customer/123", "123" or 123 -> "123"; null when it is none of those (or lost precision). */
export function toLegacyId(value: unknown, type?: string): string | null {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value > 0 ? String(value) : null;
  }
  if (typeof value !== "string") return null;
  if (/^\d+$/.test(value)) return canonicalDigits(value);
  const match = GID.exec(value);
  if (!match || (type !== undefined && match[1] !== type)) return null;
  return canonicalDigits(match[2] ?? "");
}

/**
 * Shopify's numeric id as a string. Throws a RangeError for anything else, including JSON numbers past
 * 2^53 (their digits are already wrong): use the GID string for those.
 */
export function legacyId(idOrGid: string | number): string {
  const id = toLegacyId(idOrGid);
  if (id === null) throw new RangeError(`not a Shopify id: ${String(idOrGid)}`);
  return id;
}

export function gidOf(value: string, type: string, path: Path): string {
  const id = toLegacyId(value, type);
  if (id === null || !value.startsWith("gid://")) throw new Invalid(path, `expected a gid://shopify/${type}/… id`);
  return id;
}

// ---------------------------------------------------------------------------------------------------
// Enums

const MARKETING_STATES: readonly MarketingState[] = [
  "SUBSCRIBED",
  "NOT_SUBSCRIBED",
  "UNSUBSCRIBED",
  "PENDING",
  "REDACTED",
  "INVALID",
];
const FINANCIAL_STATUSES: readonly FinancialStatus[] = [
  "PENDING",
  "AUTHORIZED",
  "PAID",
  "PARTIALLY_PAID",
  "PARTIALLY_REFUNDED",
  "REFUNDED",
  "VOIDED",
  "EXPIRED",
];
const PRODUCT_STATUSES: readonly ProductStatus[] = ["ACTIVE", "ARCHIVED", "DRAFT"];

function oneOf<T extends string>(values: readonly T[], raw: string): T | null {
  const upper = raw.toUpperCase();
  return (values as readonly string[]).includes(upper) ? (upper as T) : null;
}

export function marketingState(raw: string | null | undefined, path: Path): MarketingState {
  if (raw == null) return "NOT_SUBSCRIBED";
  const state = oneOf(MARKETING_STATES, raw);
  if (state === null) throw new Invalid(path, `expected one of ${MARKETING_STATES.join(", ")}`);
  return state;
}

/** Unknown or absent statuses are not worth dropping an order over. */
export function financialStatus(raw: string | null | undefined): FinancialStatus | null {
  return raw == null ? null : oneOf(FINANCIAL_STATUSES, raw);
}

export function productStatus(raw: string, path: Path): ProductStatus {
  const status = oneOf(PRODUCT_STATUSES, raw);
  if (status === null) throw new Invalid(path, "expected active, archived or draft");
  return status;
}

// ---------------------------------------------------------------------------------------------------
// Money

export function minor(money: { amount: string }, currency: string): bigint {
  return parseMinor(money.amount, currency);
}

export function requireCurrency(actual: string, expected: string, path: Path): void {
  if (actual !== expected) throw new Invalid(path, `expected the shop currency ${expected}, got ${actual}`);
}

export function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}
