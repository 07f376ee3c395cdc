// The segment queries behind the dashboard's weekly figures (pure: shared by the page and the tests).
// They name the same local dates the loader counted (dashboard.server.ts), so each selects exactly the
// customers its figure counts.
export function weekQueries(w: { week: string; last: string }) {
  return {
    /** Customers with a counted order in the week (the "Customers" column). */
    ordered: `orders_placed MATCHES (date BETWEEN ${w.week} AND ${w.last})`,
    /** New: their first counted order in the week. */
    fresh: `first_order_date BETWEEN ${w.week} AND ${w.last}`,
    /** Returning: ordered in the week, first ordered before it. */
    returning: `orders_placed MATCHES (date BETWEEN ${w.week} AND ${w.last}) AND first_order_date < ${w.week}`,
  };
}
