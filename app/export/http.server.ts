// HTTP for the destination clients (Klaviyo, Mailchimp): one request, retried on 429, 5xx and network
// failures with exponential backoff and full jitter, honouring Retry-After when the answer has one
// (Klaviyo sends it on 429; Mailchimp's concurrency 429 sends none). Small code of our own rather than
// p-retry: the wait comes from the answer (Retry-After) as often as from the attempt number, and the
// Admin API client (app/sync/admin-client.server.ts) already does the same by hand (decision 022).
//
// Errors never carry a request's headers or body: the API key travels in a header, and bodies are
// customers' data. A message names the service, the method, the path and the status only.

export class DestinationError extends Error {
  override name = "DestinationError";
  constructor(
    message: string,
    readonly details: { service: string; status?: number; code?: string; retryable?: boolean; attempts?: number } = {
      service: "",
    },
  ) {
    super(message);
  }
}

export type HttpOptions = {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** 0 <= random() < 1, for the jitter (tests pin it). */
  random?: () => number;
  maxAttempts?: number;
  baseMs?: number;
  capMs?: number;
  timeoutMs?: number;
  /** Told of each wait (tests, progress): the status that caused it and how long. */
  onRetry?: (info: { status: number | null; waitMs: number; attempt: number; retryAfter: boolean }) => void;
};

const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * A request path as it may appear in a message that is kept (job errors): a Mailchimp subscriber hash
 * (md5 of an e-mail, 32 hex digits) is an identifier of the person, and is left out.
 */
export function safePath(path: string): string {
  return path.replace(/[0-9a-f]{32}/gi, "{hash}");
}

/** Retry-After as seconds or an HTTP date (RFC 9110), capped; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === "") return null;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS) : null;
}

/** "Full jitter": uniformly between 0 and min(cap, base * 2^(attempt-1)). */
export function backoffMs(attempt: number, random: () => number, baseMs = 500, capMs = 30_000): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}

export type HttpClient = (
  method: string,
  url: string,
  init?: { headers?: Record<string, string>; body?: string },
) => Promise<Response>;

/**
 * A request function for one service. Answers other than 429 and 5xx are returned as they are (the
 * client reads them); after the last attempt a 429/5xx/network failure is a DestinationError.
 */
export function httpClient(service: string, options: HttpOptions = {}): HttpClient {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  return async (method, url, init = {}) => {
    const path = safePath(new URL(url).pathname);
    let last: DestinationError | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let response: Response;
      try {
        response = await fetchFn(url, {
          method,
          headers: init.headers,
          body: init.body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
        });
      } catch (error) {
        const timedOut = (error as Error)?.name === "TimeoutError";
        last = new DestinationError(
          `${service}: ${method} ${path}: ${timedOut ? "no answer in time" : "could not connect"}`,
          {
            service,
            code: timedOut ? "TIMEOUT" : "NETWORK",
            retryable: true,
          },
        );
        if (attempt < maxAttempts) {
          const waitMs = backoffMs(attempt, random, options.baseMs, options.capMs);
          options.onRetry?.({ status: null, waitMs, attempt, retryAfter: false });
          await sleep(waitMs);
        }
        continue;
      }
      if (response.status !== 429 && response.status < 500) return response;
      await response.body?.cancel().catch(() => undefined);
      last = new DestinationError(`${service}: ${method} ${path}: HTTP ${response.status}`, {
        service,
        status: response.status,
        code: `HTTP_${response.status}`,
        retryable: true,
      });
      if (attempt < maxAttempts) {
        const told = response.status === 429 ? retryAfterMs(response.headers.get("retry-after"), Date.now()) : null;
        const waitMs = told ?? backoffMs(attempt, random, options.baseMs, options.capMs);
        options.onRetry?.({ status: response.status, waitMs, attempt, retryAfter: told !== null });
        await sleep(waitMs);
      }
    }
    throw new DestinationError(`gave up after ${maxAttempts} attempts: ${last!.message}`, {
      ...last!.details,
      attempts: maxAttempts,
    });
  };
}

/** The answer's JSON, or a DestinationError naming the status (the body's own message when short). */
export async function expectJson<T>(service: string, what: string, response: Response, ok: number[]): Promise<T> {
  const text = await response.text().catch(() => "");
  if (!ok.includes(response.status)) {
    throw new DestinationError(`${service}: ${what}: HTTP ${response.status}${describeBody(text)}`, {
      service,
      status: response.status,
      code: `HTTP_${response.status}`,
      retryable: false,
    });
  }
  if (text === "") return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DestinationError(`${service}: ${what}: the answer is not JSON`, { service, code: "INVALID_RESPONSE" });
  }
}

/** A service's own error text (Klaviyo's errors[].detail, Mailchimp's detail), short, for the job record. */
function describeBody(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { detail?: unknown }[]; detail?: unknown; title?: unknown };
    const detail = body.errors?.[0]?.detail ?? body.detail ?? body.title;
    return typeof detail === "string" ? `: ${detail.slice(0, 200)}` : "";
  } catch {
    return "";
  }
}
