// A short-lived signed URL for a CSV download (decision 024). Inside Shopify admin the app is an iframe
// whose requests carry a session token in a header: a plain link (<a download>) sends none, so the CSV
// route refuses it. Instead the page asks an authenticated action for a URL, and opens it in a new
// window (App Bridge lets `open()` out of the iframe). The URL itself is the credential: it names one
// shop, one segment and the fields, and expires after a few minutes; it is HMAC-SHA-256 signed with a
// key derived from TAILORED_ENCRYPTION_KEY, so a changed shop, segment, field or expiry is refused.
import { createHmac, timingSafeEqual } from "node:crypto";
import { keyringFromEnv } from "./secrets.server";

export const DOWNLOAD_TTL_MS = 5 * 60_000;

export type DownloadGrant = { shop: string; segmentId: number; fields: string[]; bom: boolean; expiresAt: number };

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function signingKey(env: Record<string, string | undefined>): Buffer {
  // Not the encryption key itself: a key derived for this one use.
  return createHmac("sha256", keyringFromEnv(env).current.bytes).update("tailored:csv-download").digest();
}

export function signDownload(
  grant: Omit<DownloadGrant, "expiresAt">,
  {
    now,
    env = process.env,
    ttlMs = DOWNLOAD_TTL_MS,
  }: { now: Date; env?: Record<string, string | undefined>; ttlMs?: number },
): string {
  const body = b64(JSON.stringify({ ...grant, expiresAt: now.getTime() + ttlMs }));
  return `${body}.${b64(createHmac("sha256", signingKey(env)).update(body).digest())}`;
}

export type Verified = { ok: true; grant: DownloadGrant } | { ok: false; status: 403 | 410; reason: string };

export function verifyDownload(
  token: string,
  { now, env = process.env }: { now: Date; env?: Record<string, string | undefined> },
): Verified {
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return { ok: false, status: 403, reason: "Not a download link" };
  const expected = createHmac("sha256", signingKey(env)).update(body).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, status: 403, reason: "This download link is not valid" };
  let grant: DownloadGrant;
  try {
    grant = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as DownloadGrant;
  } catch {
    return { ok: false, status: 403, reason: "This download link is not valid" };
  }
  if (!(grant.expiresAt > now.getTime()))
    return { ok: false, status: 410, reason: "This download link has expired: download again from the page" };
  return { ok: true, grant };
}
