// The shops' email-tool connections (Destination): an API key is checked against the service, sealed
// (secrets.server.ts) and stored; read back only to build a client. Nothing here returns a key to a
// caller that could show it, and no message includes one. shop/redact deletes the rows with the shop.
import type { Executor } from "~/db/database.server";
import { date, decoder, nullable, sql, text } from "~/db/sql";
import { destinationOriginFromEnv } from "~/service-origins";
import { DestinationError, type HttpOptions } from "./http.server";
import { KlaviyoClient } from "./klaviyo.server";
import { MailchimpClient } from "./mailchimp.server";
import { keyringFromEnv, open, seal } from "./secrets.server";

import { isService, SERVICES, type Service } from "./targets";

export { isService, SERVICES, type Service };

export type ClientOptions = HttpOptions & { env?: Record<string, string | undefined>; pollMs?: number };

export type DestinationSummary = {
  service: Service;
  account: string | null;
  connectedAt: Date | null;
  /** Mailchimp: the audience the merchant chose (null: the account's first). */
  listId?: string | null;
};

const context = (shop: string, service: string) => `tailored:destination\n${shop}\n${service}`;

export function klaviyoClient(apiKey: string, options: ClientOptions = {}): KlaviyoClient {
  return new KlaviyoClient(apiKey, {
    ...options,
    origin: destinationOriginFromEnv(options.env ?? process.env, "klaviyo"),
  });
}

export function mailchimpClient(apiKey: string, options: ClientOptions = {}): MailchimpClient {
  return new MailchimpClient(apiKey, {
    ...options,
    origin: destinationOriginFromEnv(options.env ?? process.env, "mailchimp"),
  });
}

export class CredentialsError extends Error {
  override name = "CredentialsError";
}

/** What is wrong with a key as typed, before any request; null when it may be tried. */
export function keyProblem(service: Service, apiKey: string): string | null {
  const key = apiKey.trim();
  if (key === "") return "Enter the API key";
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (key.length > 200 || /[\s\u0000-\u001f]/.test(key)) return "That is not an API key";
  if (service === "klaviyo" && !key.startsWith("pk_")) return "A Klaviyo private API key starts with pk_";
  if (service === "mailchimp" && !/-[a-z]{2,4}[0-9]{1,3}$/.test(key))
    return "A Mailchimp API key ends with its data centre, like -us6";
  return null;
}

/**
 * Checks the key with the service and stores it sealed. Throws CredentialsError for a key the service
 * refuses (its message safe to show), DestinationError when the service cannot be reached.
 */
export async function connectDestination(
  db: Executor,
  {
    shop,
    service,
    apiKey,
    now,
    options = {},
  }: { shop: string; service: Service; apiKey: string; now: Date; options?: ClientOptions },
): Promise<DestinationSummary> {
  const key = apiKey.trim();
  const problem = keyProblem(service, key);
  if (problem) throw new CredentialsError(problem);
  const keyring = keyringFromEnv(options.env ?? process.env);
  let account: string | null;
  try {
    const client = service === "klaviyo" ? klaviyoClient(key, options) : mailchimpClient(key, options);
    ({ account } = await client.validate());
  } catch (error) {
    const status = error instanceof DestinationError ? error.details.status : undefined;
    if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
      throw new CredentialsError(`${service === "klaviyo" ? "Klaviyo" : "Mailchimp"} refused the key (HTTP ${status})`);
    }
    throw error;
  }
  // A new key may be another account's: a chosen audience is kept only if this account has it.
  let listId: string | null = null;
  const held = await chosenList(db, { shop, service });
  if (held && service === "mailchimp") {
    const audiences = await mailchimpClient(key, options).audiences();
    if (audiences.some((a) => a.id === held)) listId = held;
  }
  const sealed = seal(keyring, key, context(shop, service));
  await db.run(
    sql`INSERT INTO "Destination" ("shop", "service", "secret", "account", "listId", "connectedAt", "updatedAt")
     VALUES (${shop}, ${service}, ${sealed}, ${account}, ${listId}, ${now}, ${now})
     ON CONFLICT ("shop", "service") DO UPDATE SET "secret" = excluded."secret", "account" = excluded."account",
       "listId" = excluded."listId", "connectedAt" = excluded."connectedAt", "updatedAt" = excluded."updatedAt"`,
  );
  return { service, account, connectedAt: now, listId };
}

export async function disconnectDestination(
  db: Executor,
  { shop, service }: { shop: string; service: Service },
): Promise<boolean> {
  return (await db.run(sql`DELETE FROM "Destination" WHERE "shop" = ${shop} AND "service" = ${service}`)) > 0;
}

/** What the Settings page shows: which services are connected, to which account; never the key. */
export async function listDestinations(db: Executor, { shop }: { shop: string }): Promise<DestinationSummary[]> {
  const rows = await db.all(
    sql`SELECT "service", "account", "connectedAt", "listId" FROM "Destination" WHERE "shop" = ${shop} ORDER BY "service"`,
    decoder({ service: text, account: nullable(text), connectedAt: date, listId: nullable(text) }),
  );
  return rows.filter((r): r is typeof r & { service: Service } => isService(r.service));
}

/** The stored key, opened; re-sealed with the current key when it was sealed with the previous one. */
export async function apiKeyFor(
  db: Executor,
  { shop, service, env = process.env }: { shop: string; service: Service; env?: Record<string, string | undefined> },
): Promise<string | null> {
  const [row] = await db.all(
    sql`SELECT "secret" FROM "Destination" WHERE "shop" = ${shop} AND "service" = ${service}`,
    decoder({ secret: text }),
  );
  if (!row) return null;
  const keyring = keyringFromEnv(env);
  const { plaintext, stale } = open(keyring, row.secret, context(shop, service));
  if (stale) {
    await db.run(
      sql`UPDATE "Destination" SET "secret" = ${seal(keyring, plaintext, context(shop, service))}
       WHERE "shop" = ${shop} AND "service" = ${service} AND "secret" = ${row.secret}`,
    );
  }
  return plaintext;
}

/** Every stored key sealed again with the current key (after a rotation); returns how many. */
export async function resealAll(db: Executor, env: Record<string, string | undefined> = process.env): Promise<number> {
  const rows = await db.all(sql`SELECT "shop", "service" FROM "Destination"`, decoder({ shop: text, service: text }));
  for (const r of rows) if (isService(r.service)) await apiKeyFor(db, { shop: r.shop, service: r.service, env });
  return rows.length;
}

/** The list (Mailchimp audience) the shop chose for a service, or null. */
export async function chosenList(
  db: Executor,
  { shop, service }: { shop: string; service: Service },
): Promise<string | null> {
  const [row] = await db.all(
    sql`SELECT "listId" FROM "Destination" WHERE "shop" = ${shop} AND "service" = ${service}`,
    decoder({ listId: nullable(text) }),
  );
  return row?.listId ?? null;
}

/** The connected Mailchimp account's audiences (GET /lists), for the merchant to choose from. */
export async function mailchimpAudiences(
  db: Executor,
  { shop, options = {} }: { shop: string; options?: ClientOptions },
): Promise<{ id: string; name: string }[]> {
  return ((await clientFor(db, { shop, service: "mailchimp", options })) as MailchimpClient).audiences();
}

/**
 * Chooses the Mailchimp audience Tailored uses for the shop: refused (CredentialsError, safe to show)
 * unless the connected account has it. Returns its name.
 */
export async function chooseMailchimpAudience(
  db: Executor,
  { shop, audienceId, now, options = {} }: { shop: string; audienceId: string; now: Date; options?: ClientOptions },
): Promise<string> {
  const audience = (await mailchimpAudiences(db, { shop, options })).find((a) => a.id === audienceId);
  if (!audience) throw new CredentialsError("That audience is not one of the Mailchimp account's");
  await db.run(
    sql`UPDATE "Destination" SET "listId" = ${audience.id}, "updatedAt" = ${now}
     WHERE "shop" = ${shop} AND "service" = 'mailchimp'`,
  );
  return audience.name;
}

export async function clientFor(
  db: Executor,
  { shop, service, options = {} }: { shop: string; service: Service; options?: ClientOptions },
): Promise<KlaviyoClient | MailchimpClient> {
  const key = await apiKeyFor(db, { shop, service, env: options.env });
  if (!key) throw new CredentialsError(`${shop} has not connected ${service}: connect it on the Settings page`);
  return service === "klaviyo" ? klaviyoClient(key, options) : mailchimpClient(key, options);
}
