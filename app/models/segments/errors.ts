// What the segment services throw for a merchant to read: the routes answer 422, 503 and 429 for them.

/** A query or stored rule that cannot be used, with where and why (positioned when it comes from text). */
export class SegmentRuleError extends Error {}
/** PostgreSQL stopped a merchant's segment statement at its time bound (statement_timeout). */
export class SegmentTimeoutError extends Error {}
/** The shop already has as many previews and saves computing as it may (MAX_COMPUTES_PER_SHOP). */
export class SegmentBusyError extends Error {}

/**
 * How a route answers what the segment services throw: a rule error 422 (its message says where), a
 * statement stopped at its time bound 503, a shop with no compute slot free 429 with Retry-After.
 * Null for anything else (a real failure, left to the error boundary).
 */
export function segmentErrorAnswer(
  error: unknown,
): { message: string; init: { status: 422 | 503 | 429; headers?: Record<string, string> } } | null {
  if (error instanceof SegmentRuleError) return { message: error.message, init: { status: 422 } };
  if (error instanceof SegmentTimeoutError) return { message: error.message, init: { status: 503 } };
  if (error instanceof SegmentBusyError)
    return { message: error.message, init: { status: 429, headers: { "Retry-After": "1" } } };
  return null;
}
