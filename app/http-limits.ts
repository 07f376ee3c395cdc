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
};

const ENV: Partial<Record<keyof HttpLimits, string>> = {
  headersTimeoutMs: "TAILORED_HTTP_HEADERS_TIMEOUT_MS",
  requestTimeoutMs: "TAILORED_HTTP_REQUEST_TIMEOUT_MS",
  keepAliveTimeoutMs: "TAILORED_HTTP_KEEP_ALIVE_TIMEOUT_MS",
  maxConnections: "TAILORED_HTTP_MAX_CONNECTIONS",
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
