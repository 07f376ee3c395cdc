// What the segment services throw for a merchant to read: the routes answer 422, 503 and 429 for them.

/** A query or stored rule that cannot be used, with where and why (positioned when it comes from text). */
export class SegmentRuleError extends Error {}
/** PostgreSQL stopped a merchant's segment statement at its time bound (statement_timeout). */
export class SegmentTimeoutError extends Error {}
/** The shop already has as many previews running as it may (MAX_PREVIEWS_PER_SHOP). */
export class SegmentBusyError extends Error {}
