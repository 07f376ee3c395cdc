import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { Badge, Box, InlineStack, Text } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { requireAdmin } from "~/auth.server";
import { ShopFormatProvider } from "~/components/shop-format";
import { AppBridgeToasts, PolarisToasts } from "~/components/toast";
import { db } from "~/db.server";
import { shopFormat } from "~/models/shops.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  // Every page's dates in the shop's time zone and money in its currency (components/shop-format.tsx).
  return { apiKey: process.env.SHOPIFY_API_KEY || "", demo, shop, format: await shopFormat(db, { shop }) };
};

// One list of pages for both navigations: App Bridge's NavMenu in Shopify admin, a plain bar in demo mode.
const PAGES = [
  { to: "/app", label: "Home", home: true },
  { to: "/app/insights", label: "Insights", home: false },
  { to: "/app/segments", label: "Segments", home: false },
  { to: "/app/campaigns", label: "Campaigns", home: false },
  { to: "/app/sync", label: "Sync", home: false },
  { to: "/app/exports", label: "Exports", home: false },
  { to: "/app/privacy", label: "Privacy", home: false },
  { to: "/app/settings", label: "Settings", home: false },
] as const;

export default function App() {
  const { apiKey, demo, shop, format } = useLoaderData<typeof loader>();
  // Demo mode has no App Bridge: toasts need Polaris's Frame there.
  const Toasts = demo ? PolarisToasts : AppBridgeToasts;
  return (
    <AppProvider isEmbeddedApp={!demo} apiKey={apiKey}>
      <Toasts>
        {demo ? (
          <Box padding="300" background="bg-surface" borderBlockEndWidth="025" borderColor="border">
            <InlineStack gap="400" blockAlign="center">
              <Text as="span" variant="headingMd">
                Tailored
              </Text>
              {PAGES.map((page) => (
                <Link key={page.to} to={page.to}>
                  {page.label}
                </Link>
              ))}
              <Badge tone="info">{`Demo mode: ${shop}`}</Badge>
            </InlineStack>
          </Box>
        ) : (
          <NavMenu>
            {PAGES.map((page) => (
              <Link key={page.to} to={page.to} rel={page.home ? "home" : undefined}>
                {page.label}
              </Link>
            ))}
          </NavMenu>
        )}
        <ShopFormatProvider value={format}>
          <Outlet />
        </ShopFormatProvider>
      </Toasts>
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses, so that their headers are included in the response.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
