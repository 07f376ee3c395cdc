// Dates and money in pages, in the shop's terms: instants in the shop's time zone (named, "EST"),
// money in the shop's currency with its symbol and separators. Server and browser may sit in
// different zones and locales; text that depends on either would differ between the server's HTML
// and the browser's first render, and React throws the page's markup away (hydration errors
// #418/#425). So the zone is always given (the shop's, from the app's loader: shop-format.tsx), never
// the machine's, and the locale is en-US.
import { currencyExponent, displayMoney, parseMinor } from "~/domain/money";

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timeZone} ${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      "en-US",
      withTime
        ? {
            timeZone,
            year: "numeric",
            month: "short",
            day: "numeric",
            hour: "numeric",
            minute: "2-digit",
            timeZoneName: "short",
          }
        : { timeZone, dateStyle: "medium" },
    );
    formatters.set(key, f);
  }
  return f;
}

/** An instant as date and time in a zone: "Mar 8, 2026, 10:30 AM EDT". */
export function formatDateTime(iso: string, timeZone = "UTC"): string {
  return formatter(timeZone, true).format(new Date(iso));
}

/** An instant's calendar date in a zone: "Mar 8, 2026". */
export function formatDate(iso: string, timeZone = "UTC"): string {
  return formatter(timeZone, false).format(new Date(iso));
}

/** A calendar day already in the shop's terms ("2026-03-08"): "Mar 8, 2026", whatever the zone. */
export function formatDay(ymd: string): string {
  return formatter("UTC", false).format(new Date(`${ymd.slice(0, 10)}T00:00:00Z`));
}

/**
 * Money for a page: minor units (bigint, or their decimal text from a loader) -> "$1,234.50" in the
 * shop's currency.
 */
export function formatMoney(minor: bigint | string | number, currencyCode: string): string {
  const value = typeof minor === "bigint" ? minor : BigInt(typeof minor === "number" ? Math.round(minor) : minor);
  return displayMoney(value, currencyCode);
}

/** A whole amount in major units, as a merchant would write it: 500 USD -> "$500". */
export function formatWholeMoney(amount: number, currencyCode: string): string {
  const text = displayMoney(parseMinor(String(Math.round(amount)), currencyCode), currencyCode);
  const exp = currencyExponent(currencyCode);
  return exp > 0 ? text.replace(new RegExp(`[.,]0{${exp}}(?!\\d)`), "") : text;
}

/** A count with separators: 12345 -> "12,345". */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** An enum value as words: "NEEDS_ATTENTION" -> "Needs attention" (the query keeps the value itself). */
export function enumLabel(value: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(value)) return value;
  const words = value.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
