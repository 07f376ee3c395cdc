// Demo-mode environment for tests that call loaders and actions directly.
import { vi } from "vitest";

/**
 * The environment a loader or action test runs in: demo mode (a loopback HOST) on `databaseUrl`, the
 * inbox poller off, plus `extra`. Undone by `vi.unstubAllEnvs()`.
 */
export function stubDemoEnv(databaseUrl: string, extra: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries({
    DATABASE_URL: databaseUrl,
    TAILORED_DEMO: "1",
    HOST: "127.0.0.1",
    SHOPIFY_API_KEY: "k",
    SHOPIFY_API_SECRET: "s",
    SHOPIFY_APP_URL: "http://localhost:3000",
    TAILORED_INBOX_POLL: "off",
    ...extra,
  }))
    vi.stubEnv(k, v);
}
