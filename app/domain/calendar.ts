// Calendar dates in a shop's time zone. Segment rules speak in days ("last_order_date < -90d" means
// before the day 90 days ago, in the shop's zone), while orders carry instants; turning each date in a
// rule into the instant its day starts lets the in-memory evaluator and the SQL compiler compare
// instants only, and so agree. Pure: `now` and the zone are inputs.

export type Ymd = string; // "2025-03-31"

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

function parts(instant: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return out;
}

/** The calendar date an instant falls on in the zone. */
export function localDate(instant: Date, timeZone: string): Ymd {
  const p = parts(instant, timeZone);
  return `${String(p.year).padStart(4, "0")}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetMs(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a calendar day starts in the zone (midnight, or the first instant after a DST gap). */
export function dayStart(ymd: Ymd, timeZone: string): Date {
  const [y, m, d] = ymd.split("-").map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle the offset across a DST change.
  let t = guess - offsetMs(new Date(guess), timeZone);
  t = guess - offsetMs(new Date(t), timeZone);
  return new Date(t);
}

export function isValidYmd(ymd: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    date.getUTCFullYear() === Number(m[1]) &&
    date.getUTCMonth() === Number(m[2]) - 1 &&
    date.getUTCDate() === Number(m[3])
  );
}

/** Calendar arithmetic: months and years clamp to the month's last day (Mar 31 - 1 month = Feb 28/29). */
export function addToYmd(ymd: Ymd, amount: number, unit: "d" | "w" | "m" | "y"): Ymd {
  const [y, m, d] = ymd.split("-").map(Number) as [number, number, number];
  if (unit === "d" || unit === "w") {
    const date = new Date(Date.UTC(y, m - 1, d + amount * (unit === "w" ? 7 : 1)));
    return date.toISOString().slice(0, 10);
  }
  const months = y * 12 + (m - 1) + amount * (unit === "y" ? 12 : 1);
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${String(year).padStart(4, "0")}-${String(month + 1).padStart(2, "0")}-${String(Math.min(d, last)).padStart(2, "0")}`;
}
