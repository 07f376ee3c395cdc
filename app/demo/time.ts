// Time in the demo shop, in milliseconds, and the window its history spans.
export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
/** Customers sign up over the two years before `now` (the store opened shortly before that). */
export const WINDOW = 730 * DAY;
