// Turning the Web Pixel on for a shop: `webPixelCreate` with the settings its TOML declares (the shop,
// its ingest key, the ingest URL), at install (services/install.server.ts) and again by the
// reconciliation when the shop has none (the extension was deployed after the install, or the call
// failed). Shopify answers "No web pixel was found" until the extension is deployed; that is logged
// and retried by the next reconciliation, never an install failure.
//
// The shop's primary domain is read in the same pass: when it is a custom domain its origin joins the
// ingest's CORS allow-list (PixelShop.origins).
import type { Executor } from "~/db/database.server";
import { ensurePixelShop, markActivated } from "./store.server";

/** Runs one Admin GraphQL operation and returns its `data` (throws on GraphQL errors). */
export type GraphqlRunner = (query: string, variables?: Record<string, unknown>) => Promise<unknown>;

const SHOP_DOMAIN_QUERY = `#graphql
  query TailoredPixelShop {
    shop {
      primaryDomain {
        url
      }
    }
  }
`;

const WEB_PIXEL_QUERY = `#graphql
  query TailoredWebPixel {
    webPixel {
      id
      settings
    }
  }
`;

const WEB_PIXEL_CREATE = `#graphql
  mutation TailoredWebPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) {
      webPixel {
        id
        settings
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

const WEB_PIXEL_UPDATE = `#graphql
  mutation TailoredWebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) {
      webPixel {
        id
        settings
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

type UserError = { field?: string[] | null; message: string; code?: string | null };
type PixelPayload = { webPixel: { id: string; settings: string } | null; userErrors: UserError[] };

export class PixelActivationError extends Error {
  override name = "PixelActivationError";
}

/** The settings the pixel runs with (extensions/tailored-pixel/shopify.extension.toml's fields). */
export function pixelSettings(shop: string, ingestKey: string, appUrl: string): Record<string, string> {
  return { shop, ingestKey, ingestUrl: `${appUrl.replace(/\/+$/, "")}/pixel/events` };
}

/** An https origin other than the myshopify.com one, from the primary domain's URL. */
export function customOrigin(url: string | null | undefined, shop: string): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" || parsed.host === shop) return null;
    return parsed.origin;
  } catch {
    return null;
  }
}

function failed(what: string, errors: UserError[]): PixelActivationError {
  return new PixelActivationError(`${what}: ${errors.map((e) => e.message).join("; ")}`);
}

/**
 * Makes sure the shop's pixel exists with the current settings. Idempotent: an existing pixel (ours,
 * or one Shopify already holds for the app: "TAKEN") is updated instead. Returns its id.
 */
export async function activatePixel(
  db: Executor,
  graphql: GraphqlRunner,
  { shop, appUrl, now }: { shop: string; appUrl: string; now: Date },
): Promise<string> {
  const row = await ensurePixelShop(db, { shop, now });
  const settings = JSON.stringify(pixelSettings(shop, row.ingestKey, appUrl));
  const domain = (await graphql(SHOP_DOMAIN_QUERY)) as { shop?: { primaryDomain?: { url?: string } | null } };
  const origin = customOrigin(domain.shop?.primaryDomain?.url, shop);

  const create = (await graphql(WEB_PIXEL_CREATE, { webPixel: { settings } })) as { webPixelCreate: PixelPayload };
  let payload = create.webPixelCreate;
  if (payload.userErrors.some((e) => e.code === "TAKEN")) {
    const existing = (await graphql(WEB_PIXEL_QUERY)) as { webPixel: { id: string } | null };
    if (!existing.webPixel) throw failed("webPixelCreate", payload.userErrors);
    const update = (await graphql(WEB_PIXEL_UPDATE, { id: existing.webPixel.id, webPixel: { settings } })) as {
      webPixelUpdate: PixelPayload;
    };
    payload = update.webPixelUpdate;
  }
  if (payload.userErrors.length > 0 || !payload.webPixel) throw failed("webPixelCreate", payload.userErrors);
  await markActivated(db, { shop, webPixelId: payload.webPixel.id, origins: origin ? [origin] : [], now });
  return payload.webPixel.id;
}

/**
 * The reconciliation's repair: activates the pixel when the shop has none on record, or when Shopify
 * no longer has the one recorded. Returns whether it (re)activated.
 */
export async function repairPixel(
  db: Executor,
  graphql: GraphqlRunner,
  { shop, appUrl, now, webPixelId }: { shop: string; appUrl: string; now: Date; webPixelId: string | null },
): Promise<boolean> {
  if (webPixelId) {
    const held = (await graphql(WEB_PIXEL_QUERY).catch(() => ({ webPixel: null }))) as {
      webPixel: { id: string } | null;
    };
    if (held.webPixel?.id === webPixelId) return false;
  }
  await activatePixel(db, graphql, { shop, appUrl, now });
  return true;
}
