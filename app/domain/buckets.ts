// Calendar buckets in a shop's time zone for the dashboard: the last N weeks (Monday to Sunday) or days,
// each with its first and last local date (what a segment query says: "date BETWEEN first AND last")
// and the instants it spans, [from, to). Counting orders by these instants is counting them by the
// shop's own calendar, as the segment engine does (calendar.ts), so a figure and the query behind it
// select the same customers. Pure: `now` and the zone are inputs.
import { addToYmd, dayStart, localDate, type Ymd } from "./calendar";

export type Bucket = { first: Ymd; last: Ymd; from: Date; to: Date };

/** Monday of the week a date falls in (ISO weeks). */
export function mondayOf(ymd: Ymd): Ymd {
  const weekday = new Date(`${ymd}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addToYmd(ymd, -((weekday + 6) % 7), "d");
}

/** The last `weeks` weeks up to and including the one `now` falls in, oldest first. */
export function localWeeks(now: Date, timeZone: string, weeks: number): Bucket[] {
  const thisMonday = mondayOf(localDate(now, timeZone));
  return Array.from({ length: weeks }, (_, i) => {
    const first = addToYmd(thisMonday, -7 * (weeks - 1 - i), "d");
    return {
      first,
      last: addToYmd(first, 6, "d"),
      from: dayStart(first, timeZone),
      to: dayStart(addToYmd(first, 7, "d"), timeZone),
    };
  });
}

/** The last `days` days up to and including today, oldest first. */
export function localDays(now: Date, timeZone: string, days: number): Bucket[] {
  const today = localDate(now, timeZone);
  return Array.from({ length: days }, (_, i) => {
    const first = addToYmd(today, -(days - 1 - i), "d");
    return { first, last: first, from: dayStart(first, timeZone), to: dayStart(addToYmd(first, 1, "d"), timeZone) };
  });
}
