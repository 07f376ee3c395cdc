// Secrets at rest (the merchants' Klaviyo and Mailchimp API keys): AES-256-GCM under
// TAILORED_ENCRYPTION_KEY (32 random bytes, base64). Each value gets a fresh 96-bit IV; the row it
// belongs to (shop and service) is bound as additional data, so a sealed key copied into another
// shop's row does not open. Sealed form: "v1:<key id>:<iv>:<tag>:<ciphertext>" (base64url parts; the
// key id is the first 8 hex digits of SHA-256 of the key, so a value says which key sealed it).
//
// Rotation (docs/PRIVACY.md): set the new key as TAILORED_ENCRYPTION_KEY and the old one as
// TAILORED_ENCRYPTION_KEY_PREVIOUS; values sealed with the old key still open, and are sealed again
// with the new one when read (credentials.server.ts) or by `tailored destinations rekey`; then drop the
// previous key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export class SecretsError extends Error {
  override name = "SecretsError";
}

type Key = { id: string; bytes: Buffer };

function parseKey(name: string, value: string | undefined): Key | null {
  const text = value?.trim();
  if (!text) return null;
  const bytes = Buffer.from(text, "base64");
  // Never the key itself in a message: only its name and what is wrong with it.
  if (bytes.length !== 32 || bytes.toString("base64").replace(/=+$/, "") !== text.replace(/=+$/, "")) {
    throw new SecretsError(`${name} must be 32 random bytes in base64 (openssl rand -base64 32)`);
  }
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

export type Keyring = { current: Key; previous: Key | null };

/** The keys from the environment; throws a SecretsError (naming the variable, never its value). */
export function keyringFromEnv(env: Record<string, string | undefined> = process.env): Keyring {
  const current = parseKey("TAILORED_ENCRYPTION_KEY", env.TAILORED_ENCRYPTION_KEY);
  if (!current) {
    throw new SecretsError(
      "TAILORED_ENCRYPTION_KEY is not set: it encrypts the email tools' API keys (32 random bytes, base64; openssl rand -base64 32)",
    );
  }
  return { current, previous: parseKey("TAILORED_ENCRYPTION_KEY_PREVIOUS", env.TAILORED_ENCRYPTION_KEY_PREVIOUS) };
}

const b64 = (b: Buffer) => b.toString("base64url");

export function seal(keyring: Keyring, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.bytes, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", keyring.current.id, b64(iv), b64(cipher.getAuthTag()), b64(body)].join(":");
}

/** The plaintext, and whether it was sealed with the previous key (then it should be sealed again). */
export function open(keyring: Keyring, sealed: string, context: string): { plaintext: string; stale: boolean } {
  const parts = sealed.split(":");
  if (parts.length !== 5 || parts[0] !== "v1") throw new SecretsError("a stored secret is not in a known format");
  const [, id, iv, tag, body] = parts as [string, string, string, string, string];
  const key = [keyring.current, keyring.previous].find((k) => k?.id === id);
  if (!key) {
    throw new SecretsError(
      "a stored secret was sealed with a key that is neither TAILORED_ENCRYPTION_KEY nor TAILORED_ENCRYPTION_KEY_PREVIOUS: connect the service again",
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
      "utf8",
    );
    return { plaintext, stale: key !== keyring.current };
  } catch {
    throw new SecretsError("a stored secret does not open (altered, or moved from another row)");
  }
}

/** A fresh key in the form TAILORED_ENCRYPTION_KEY takes (the demo script makes one this way). */
export function newEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}
