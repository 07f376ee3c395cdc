// Bounds on what one client can hold of the production server (server.mjs): how long it may take to
// send its headers and its whole request, how long an idle keep-alive connection stays, how many and
// how large its headers may be, and how many connections are open at once. Node's defaults let a client
// that never finishes its headers hold a connection for a minute (and be noticed up to 30 s later), with
// no limit on connections: a few hundred such clients would starve Shopify's deliveries, which must be
// answered within 5 s. Pure: server.mjs reads it from the build's entry (env overrides for tests and
// operators).

export type HttpLimits = {
  /** Headers must be complete within this (else 408 and the connection is closed). */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must be received within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would let them run that late). */
  checkIntervalMs: number;
  /** Headers beyond this count are dropped. */
  maxHeadersCount: number;
  /** Bytes of the request line and headers together (else 431). */
  maxHeaderSize: number;
  /** Connections open at once; more are closed on arrival. */
  maxConnections: number;
  /**
   * Bytes of body a request to the Remix handler may carry (the admin's form posts, auth/login); the
   * webhook and pixel paths have bounds of their own. Past it: 413, unread.
   */
  maxBodyBytes: number;
};

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  // Shopify and browsers send their headers at once; ten seconds is generous for a slow mobile link.
  headersTimeoutMs: 10_000,
  // The largest webhook body we take (4 MiB) on a slow link, or a form post from the admin.
  requestTimeoutMs: 30_000,
  // Node's default, said out loud: Shopify reuses connections between deliveries.
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  // A browser sends about 20 headers, Shopify's webhooks about 15.
  maxHeadersCount: 100,
  // Node's default: Shopify's session token (a JWT) and cookies fit well within it.
  maxHeaderSize: 16 * 1024,
  // Shopify's delivery concurrency per app is far below this, the admin's a handful per merchant.
  maxConnections: 1_000,
  // The admin's largest post is a segment's rule (capped in the parser far below this) or a campaign.
  maxBodyBytes: 1024 * 1024,
};

const ENV: Partial<Record<keyof HttpLimits, string>> = {
  headersTimeoutMs: "TAILORED_HTTP_HEADERS_TIMEOUT_MS",
  requestTimeoutMs: "TAILORED_HTTP_REQUEST_TIMEOUT_MS",
  keepAliveTimeoutMs: "TAILORED_HTTP_KEEP_ALIVE_TIMEOUT_MS",
  maxConnections: "TAILORED_HTTP_MAX_CONNECTIONS",
  maxBodyBytes: "TAILORED_HTTP_MAX_BODY_BYTES",
};

/** The limits, with the environment's overrides; throws on a value that is not a positive whole number. */
export function httpLimits(env: Record<string, string | undefined>): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS };
  for (const [key, name] of Object.entries(ENV) as [keyof HttpLimits, string][]) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    if (!/^\d+$/.test(raw) || Number(raw) <= 0)
      throw new Error(`${name} must be a positive whole number, got "${raw}"`);
    limits[key] = Number(raw);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(
      `the headers timeout (${limits.headersTimeoutMs} ms) must not exceed the request timeout (${limits.requestTimeoutMs} ms)`,
    );
  }
  // Checked often enough that a timeout is enforced within a quarter of itself.
  limits.checkIntervalMs = Math.max(10, Math.min(limits.checkIntervalMs, Math.floor(limits.headersTimeoutMs / 4)));
  return limits;
}

const WITHOUT_BODY = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request for the Remix handler may be read, from its method and headers alone: a body must
 * declare its length (browsers and App Bridge always do) and stay within `limit`. Refused requests are
 * answered before a byte of their body is read, so a client cannot make the server hold a large form.
 */
export function bodyRefusal(
  method: string | undefined,
  headers: Record<string, string | string[] | undefined>,
  limit: number,
): { status: 411 | 413; text: string } | null {
  if (WITHOUT_BODY.has((method ?? "GET").toUpperCase())) return null;
  const length = headers["content-length"];
  if (typeof length !== "string") {
    return headers["transfer-encoding"] === undefined
      ? null
      : { status: 411, text: "A request body must say its length (Content-Length)" };
  }
  if (!/^\d+$/.test(length.trim())) return { status: 411, text: "Content-Length is not a number" };
  if (Number(length) > limit) return { status: 413, text: `Request body too large (at most ${limit} bytes)` };
  return null;
}

/**
 * A request's body, up to `limit` bytes; null past it (a declared length over the limit is refused
 * unread). For the webhook and pixel paths, whose bodies are bounded before anything else happens.
 */
export async function readLimited(request: Request, limit: number): Promise<Buffer | null> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return null;
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
