// Demo mode: the admin pages open without Shopify OAuth, on the seeded demo shop. It exists only when
// it is asked for explicitly (TAILORED_DEMO=1) AND the server listens on loopback only (HOST), so a
// server reachable from outside can never skip authentication.
export const DEMO_SHOP = "tailored-demo.myshopify.com";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export function isDemoMode(env: Record<string, string | undefined> = process.env): boolean {
  return env.TAILORED_DEMO === "1" && LOOPBACK.has(env.HOST ?? "");
}

/**
 * Why demo mode refuses a request, or null. It opens the admin without authentication, so the loopback
 * listen address is not enough on its own:
 * - DNS rebinding: a page on attacker.example whose name is made to resolve to 127.0.0.1 talks to the
 *   demo as its own origin, and may read whatever it answers. Its requests carry `Host:
 *   attacker.example`: only loopback names are answered (421, Misdirected Request).
 * - Cross-site writes: a form on another site posting to http://localhost:3000 (creating, deleting
 *   segments). Anything but GET and HEAD must come from the demo's own origin: the `Origin` header,
 *   else `Sec-Fetch-Site`, else `Referer` (403). A request with none of them is not from a browser page
 *   (browsers send Origin with every cross-origin POST), and is let through: curl, tests.
 * The names come from `Host` (which a page cannot set), or the URL when a request has no such header
 * (loaders called directly in tests); never from X-Forwarded-Host, which a page can.
 */
export function demoRequestRefusal(request: Request): Response | null {
  const host = (request.headers.get("host") ?? new URL(request.url).host).trim().toLowerCase();
  if (!LOOPBACK_HOSTS.has(hostName(host))) {
    return new Response("Demo mode answers only at localhost, 127.0.0.1 or [::1].", { status: 421 });
  }
  if (request.method === "GET" || request.method === "HEAD") return null;
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  const referer = request.headers.get("referer");
  const sameOrigin =
    origin !== null
      ? isOrigin(origin, host)
      : site !== null
        ? site === "same-origin"
        : referer !== null
          ? isOrigin(referer, host)
          : true;
  return sameOrigin ? null : new Response("Demo mode takes changes only from its own pages.", { status: 403 });
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** "localhost:3000" -> "localhost", "[::1]:3000" -> "[::1]"; "" when it is not a host at all. */
function hostName(host: string): string {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/.exec(host);
  return match ? match[1]! : "";
}

/** Whether `url` (an Origin or a Referer) is http(s) on exactly `host` (name and port). */
function isOrigin(url: string, host: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.host === host;
  } catch {
    return false; // "null" (a sandboxed frame, a file), or garbage
  }
}

export function demoShopDomain(env: Record<string, string | undefined> = process.env): string {
  return env.TAILORED_DEMO_SHOP || DEMO_SHOP;
}
