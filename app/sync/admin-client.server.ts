// A small client for Shopify's Admin GraphQL API, used by the sync (bulk operations, catch-up
// queries). No Shopify library: the contract is small and this keeps retries and throttling in one
// place we can test against a local server.
//
// What it relies on (Admin GraphQL API, 2025-07):
// - Rate limits are per app and store, by calculated query cost, with a leaky bucket. A request the
//   bucket can't cover is answered HTTP 200 with an error whose extensions.code is "THROTTLED", and
//   extensions.cost carries requestedQueryCost and throttleStatus { maximumAvailable,
//   currentlyAvailable, restoreRate }: the bucket refills at restoreRate points a second, so the wait
//   until the request fits is (requested - available) / restoreRate seconds.
// - HTTP 429 with Retry-After (seconds) is the request-count limit's answer; we wait as told.
// - 5xx are Shopify-side failures worth retrying; 401/403 (bad token, missing scope) and other GraphQL
//   errors will not change by retrying.

import { SHOP_DOMAIN } from "~/domain/shop-domain";
import { isProduction } from "~/service-origins";

export type ThrottleStatus = { currentlyAvailable: number; maximumAvailable: number; restoreRate: number };

export type AdminClientOptions = {
  shop: string; // "x.myshopify.com"
  accessToken: string; // X-Shopify-Access-Token
  apiVersion?: string; // "2025-07"
  origin?: string; // default `https://${shop}`; tests pass "http://127.0.0.1:PORT"
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  maxAttempts?: number; // default 6
  /** Per attempt; a request that takes longer is abandoned and retried like a network error. */
  timeoutMs?: number; // default 60 000
};

export const DEFAULT_API_VERSION = "2025-07";

// A throttled request is retried no sooner than this, so a rounding of currentlyAvailable cannot turn
// into a busy loop.
const MIN_THROTTLE_WAIT_MS = 100;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export class AdminApiError extends Error {
  override name = "AdminApiError";
  /** HTTP status of the last response, when there was one. */
  status?: number;
  /** THROTTLED, ACCESS_DENIED, … (the first GraphQL error's extensions.code), or HTTP_<status>, NETWORK, TIMEOUT. */
  code?: string;
  /** The response's `errors`, as Shopify sent them. */
  errors?: unknown;
  /** How many attempts were made before giving up. */
  attempts?: number;

  constructor(
    message: string,
    details: { status?: number; code?: string; errors?: unknown; attempts?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.errors !== undefined) this.errors = details.errors;
    if (details.attempts !== undefined) this.attempts = details.attempts;
  }
}

function defaultOrigin(shop: string): string {
  // The shop name ends up in a URL we send the access token to: only a myshopify.com host will do.
  if (!SHOP_DOMAIN.test(shop))
    throw new AdminApiError(`not a shop domain: ${JSON.stringify(shop)} (expected x.myshopify.com)`);
  return `https://${shop}`;
}

/**
 * SHOPIFY_ADMIN_ORIGIN (tests, local tools: a local server standing in for Shopify) or https://{shop}.
 * Never the override in production: the access token would go wherever it points (service-origins.ts).
 */
export function adminOriginFromEnv(env: Record<string, string | undefined>, shop: string): string {
  const override = env.SHOPIFY_ADMIN_ORIGIN?.trim();
  if (override && isProduction(env)) {
    throw new AdminApiError(
      "SHOPIFY_ADMIN_ORIGIN is set with NODE_ENV=production: refusing to send an access token there",
    );
  }
  if (override) return override.replace(/\/+$/, "");
  return defaultOrigin(shop);
}

type GraphQLError = { message?: unknown; extensions?: { code?: unknown } & Record<string, unknown> };
type Cost = { requestedQueryCost?: unknown; throttleStatus?: Partial<Record<keyof ThrottleStatus, unknown>> };
type Body = { data?: unknown; errors?: unknown; extensions?: { cost?: Cost } };

function finite(value: unknown): number | null {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

/** Retry-After is seconds (Shopify sends e.g. "2.0"); an HTTP date is allowed by RFC 9110 too. */
function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(header);
  if (Number.isFinite(date)) return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
  return null;
}

function errorMessages(errors: unknown): string {
  if (typeof errors === "string") return errors;
  if (Array.isArray(errors)) {
    return errors
      .map((e) =>
        e && typeof e === "object" && typeof (e as GraphQLError).message === "string"
          ? (e as GraphQLError).message
          : JSON.stringify(e),
      )
      .join("; ");
  }
  if (errors && typeof errors === "object") return JSON.stringify(errors);
  return String(errors);
}

function firstCode(errors: unknown): string | undefined {
  if (!Array.isArray(errors)) return undefined;
  for (const e of errors) {
    const code = (e as GraphQLError | null)?.extensions?.code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

export class AdminClient {
  readonly shop: string;
  readonly apiVersion: string;
  readonly endpoint: string;
  private readonly accessToken: string;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private throttle: ThrottleStatus | null = null;

  constructor(options: AdminClientOptions) {
    this.shop = options.shop;
    this.accessToken = options.accessToken;
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    const origin = (options.origin ?? defaultOrigin(options.shop)).replace(/\/+$/, "");
    this.endpoint = `${origin}/admin/api/${this.apiVersion}/graphql.json`;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Last seen extensions.cost.throttleStatus, for callers that pace themselves. */
  get lastThrottle(): ThrottleStatus | null {
    return this.throttle;
  }

  /** POST {origin}/admin/api/{version}/graphql.json; returns `data` or throws AdminApiError. */
  async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const body = JSON.stringify(variables === undefined ? { query } : { query, variables });
    let lastFailure: AdminApiError | null = null;

    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const isLast = attempt === this.maxAttempts;
      let response: Response;
      try {
        response = await this.fetchFn(this.endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            "x-shopify-access-token": this.accessToken,
          },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error)?.name === "TimeoutError";
        lastFailure = new AdminApiError(
          timedOut
            ? `no answer from ${this.shop} within ${this.timeoutMs} ms`
            : `could not reach ${this.shop}: ${(error as Error)?.message ?? String(error)}`,
          { code: timedOut ? "TIMEOUT" : "NETWORK", cause: error },
        );
        if (!isLast) await this.sleep(this.backoff(attempt));
        continue;
      }

      const status = response.status;
      const text = await response.text().catch(() => "");
      let parsed: Body | null = null;
      try {
        parsed = text ? (JSON.parse(text) as Body) : null;
      } catch {
        parsed = null;
      }
      if (parsed && typeof parsed === "object") this.noteCost(parsed);

      if (status === 429) {
        lastFailure = new AdminApiError(`${this.shop}: too many requests (HTTP 429)`, {
          status,
          code: "HTTP_429",
          errors: parsed?.errors,
        });
        if (!isLast) {
          const wait =
            retryAfterMs(response.headers.get("retry-after"), Date.now()) ??
            this.throttleWait(parsed) ??
            this.backoff(attempt);
          await this.sleep(wait);
        }
        continue;
      }
      if (status >= 500) {
        lastFailure = new AdminApiError(
          `${this.shop}: Shopify error (HTTP ${status})${parsed?.errors ? `: ${errorMessages(parsed.errors)}` : ""}`,
          {
            status,
            code: `HTTP_${status}`,
            errors: parsed?.errors,
          },
        );
        if (!isLast) await this.sleep(this.backoff(attempt));
        continue;
      }
      if (status === 401 || status === 403) {
        const what = status === 401 ? "the access token was refused" : "access is forbidden";
        throw new AdminApiError(
          `${this.shop}: ${what} (HTTP ${status})${parsed?.errors ? `: ${errorMessages(parsed.errors)}` : ""}`,
          {
            status,
            code: `HTTP_${status}`,
            errors: parsed?.errors,
            attempts: attempt,
          },
        );
      }
      if (status < 200 || status >= 300) {
        throw new AdminApiError(
          `${this.shop}: HTTP ${status}${parsed?.errors ? `: ${errorMessages(parsed.errors)}` : text ? `: ${text.slice(0, 200)}` : ""}`,
          {
            status,
            code: `HTTP_${status}`,
            errors: parsed?.errors,
            attempts: attempt,
          },
        );
      }
      if (!parsed || typeof parsed !== "object") {
        throw new AdminApiError(`${this.shop}: the answer is not JSON: ${text.slice(0, 200)}`, {
          status,
          code: "INVALID_RESPONSE",
          attempts: attempt,
        });
      }

      const errors = parsed.errors;
      const hasErrors = Array.isArray(errors) ? errors.length > 0 : errors !== undefined && errors !== null;
      if (hasErrors) {
        const throttled =
          Array.isArray(errors) && errors.some((e) => (e as GraphQLError | null)?.extensions?.code === "THROTTLED");
        if (throttled) {
          lastFailure = new AdminApiError(`${this.shop}: throttled (${errorMessages(errors)})`, {
            status,
            code: "THROTTLED",
            errors,
          });
          if (!isLast) await this.sleep(this.throttleWait(parsed) ?? this.backoff(attempt));
          continue;
        }
        throw new AdminApiError(`${this.shop}: ${errorMessages(errors)}`, {
          status,
          code: firstCode(errors),
          errors,
          attempts: attempt,
        });
      }
      if (!("data" in parsed) || parsed.data === null || parsed.data === undefined) {
        throw new AdminApiError(`${this.shop}: the answer has no data`, {
          status,
          code: "INVALID_RESPONSE",
          attempts: attempt,
        });
      }
      return parsed.data as T;
    }

    const last = lastFailure ?? new AdminApiError(`${this.shop}: no attempt made`);
    throw new AdminApiError(`gave up after ${this.maxAttempts} attempts: ${last.message}`, {
      status: last.status,
      code: last.code,
      errors: last.errors,
      attempts: this.maxAttempts,
      cause: last,
    });
  }

  private noteCost(body: Body): void {
    const status = body.extensions?.cost?.throttleStatus;
    if (!status) return;
    const currentlyAvailable = finite(status.currentlyAvailable);
    const maximumAvailable = finite(status.maximumAvailable);
    const restoreRate = finite(status.restoreRate);
    if (currentlyAvailable === null || maximumAvailable === null || restoreRate === null) return;
    this.throttle = { currentlyAvailable, maximumAvailable, restoreRate };
  }

  /** How long until the bucket holds the requested cost again; null when the answer doesn't say. */
  private throttleWait(body: Body | null): number | null {
    const cost = body?.extensions?.cost;
    const requested = finite(cost?.requestedQueryCost);
    const available = finite(cost?.throttleStatus?.currentlyAvailable);
    const rate = finite(cost?.throttleStatus?.restoreRate);
    if (requested === null || available === null || rate === null || rate <= 0) return null;
    return Math.max(MIN_THROTTLE_WAIT_MS, Math.ceil(((requested - available) / rate) * 1000));
  }

  /** Exponential, capped, with jitter so that many workers failing together don't retry together. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }
}
