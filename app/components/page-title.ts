// Every admin page's <title> (Remix `meta`): what the page is, then the app. Screen readers announce it
// on navigation and browser tabs show it; in Shopify admin, App Bridge takes it for the page too.
import type { MetaDescriptor } from "@remix-run/node";

export const APP_NAME = "Tailored";

export function pageTitle(...parts: (string | null | undefined)[]): MetaDescriptor[] {
  return [{ title: [...parts.filter((p): p is string => Boolean(p)), APP_NAME].join(" · ") }];
}
