// Service-origin overrides: environment variables that send a service client somewhere other than the
// real service, for tests and local tools (SHOPIFY_ADMIN_ORIGIN points the Admin API client at a
// local server that follows Shopify's contract). In production such a variable would send the shops'
// offline access tokens wherever it points, so none is honoured there: the server refuses to start
// (server.mjs), and the clients refuse to use one (adminOriginFromEnv). A future override is covered by
// its name: <SERVICE>_…ORIGIN, SERVICE being one Tailored talks to.
const OVERRIDE = /^(SHOPIFY|TAILORED|KLAVIYO|MAILCHIMP)_[A-Z0-9_]*ORIGIN$/;

/** The overrides set (non-blank) in `env`, sorted. */
export function serviceOriginOverrides(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => OVERRIDE.test(name) && (env[name] ?? "").trim() !== "")
    .sort();
}

export function isProduction(env: Record<string, string | undefined>): boolean {
  return env.NODE_ENV === "production";
}

/** A setting the app refuses to run with (server.mjs prints its message and exits). */
export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

/** Throws a ConfigurationError when `env` is production's and sets a service-origin override. */
export function assertNoServiceOverridesInProduction(env: Record<string, string | undefined>): void {
  const set = serviceOriginOverrides(env);
  if (isProduction(env) && set.length > 0) {
    throw new ConfigurationError(
      `${set.join(", ")} ${set.length === 1 ? "is" : "are"} set with NODE_ENV=production: ${set.length === 1 ? "it points" : "they point"} ` +
        "a service client (and the shops' access tokens) away from the real service; unset it, it is for tests and local tools only",
    );
  }
}

/**
 * KLAVIYO_API_ORIGIN / MAILCHIMP_API_ORIGIN (tests, local tools: a stand-in server), or undefined for
 * the real service. Refused in production, where it would send a merchant's API key wherever it points.
 */
export function destinationOriginFromEnv(
  env: Record<string, string | undefined>,
  service: "klaviyo" | "mailchimp",
): string | undefined {
  const name = service === "klaviyo" ? "KLAVIYO_API_ORIGIN" : "MAILCHIMP_API_ORIGIN";
  const override = env[name]?.trim();
  if (!override) return undefined;
  if (isProduction(env)) {
    throw new ConfigurationError(`${name} is set with NODE_ENV=production: refusing to send an API key there`);
  }
  return override.replace(/\/+$/, "");
}
