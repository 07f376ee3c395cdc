// Exact money: integer minor units (cents, yen, fils) as bigint, never a float. Shopify sends amounts
// as decimal strings ("12.30"); we parse them digit by digit.

// ISO 4217 currencies whose minor unit is not 1/100. Everything else has two decimals.
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyExponent(currencyCode: string): number {
  return EXPONENTS[currencyCode.toUpperCase()] ?? 2;
}

export class MoneyFormatError extends Error {}

/**
 * "12.3" -> 1230n for USD. More decimals than the currency has are rounded half away from zero
 * (Shopify never sends them for shop money, but a CSV might).
 */
export function parseMinor(amount: string, currencyCode: string): bigint {
  const text = amount.trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) {
    throw new MoneyFormatError(`"${amount}" is not an amount`);
  }
  const [, sign, whole, fraction = ""] = match;
  const exp = currencyExponent(currencyCode);
  const kept = (fraction + "0".repeat(exp)).slice(0, exp);
  let minor = BigInt((whole || "0") + kept);
  const next = fraction.charCodeAt(exp);
  if (!Number.isNaN(next) && next >= 53 /* '5' */) minor += 1n;
  return sign === "-" ? -minor : minor;
}

/** 1230n USD -> "12.30" (no currency symbol, no grouping: for CSV, APIs and JSON). */
export function formatMinor(minor: bigint, currencyCode: string): string {
  const exp = currencyExponent(currencyCode);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exp + 1, "0");
  const whole = digits.slice(0, digits.length - exp);
  const fraction = digits.slice(digits.length - exp);
  return (negative ? "-" : "") + whole + (exp > 0 ? "." + fraction : "");
}

/** For display: "$1,234.50", in the merchant's locale. */
export function displayMoney(minor: bigint, currencyCode: string, locale = "en-US"): string {
  const exp = currencyExponent(currencyCode);
  const value = Number(formatMinor(minor, currencyCode));
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: currencyCode,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  }).format(value);
}
