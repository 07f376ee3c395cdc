// Dates in server-rendered pages. The server and the merchant's browser may sit in different time
// zones and locales; text that depends on either differs between the server's HTML and the browser's
// first render, and React throws away the page's markup (hydration errors #418/#425). UTC, en-US.
const DATE_TIME = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" });
const DATE = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", dateStyle: "medium" });

export function formatDateTime(iso: string): string {
  return `${DATE_TIME.format(new Date(iso))} UTC`;
}

export function formatDate(iso: string): string {
  return DATE.format(new Date(iso));
}

/** An enum value as words: "NEEDS_ATTENTION" -> "Needs attention" (the query keeps the value itself). */
export function enumLabel(value: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(value)) return value;
  const words = value.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
