import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, EmptyState, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { db } from "~/db.server";
import { displayMoney } from "~/domain/money";
import { shopStats } from "~/models/stats.server";

export const meta = () => pageTitle("Home");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const stats = await shopStats(db, { shop });
  return {
    shop,
    empty: stats.customers === 0 && stats.orders === 0,
    figures: {
      customers: stats.customers.toLocaleString("en-US"),
      orders: stats.orders.toLocaleString("en-US"),
      revenue: displayMoney(stats.revenueMinor, stats.currencyCode),
      repeatPurchaseRate: stats.repeatPurchaseRate === null ? "—" : `${(stats.repeatPurchaseRate * 100).toFixed(1)}%`,
    },
    detail: {
      cancelledOrders: stats.cancelledOrders.toLocaleString("en-US"),
      customersWithOrders: stats.customersWithOrders.toLocaleString("en-US"),
      repeatCustomers: stats.repeatCustomers.toLocaleString("en-US"),
    },
  };
};

function Figure({ id, label, value, help }: { id: string; label: string; value: string; help: string }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl" id={id}>
          {value}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      </BlockStack>
    </Card>
  );
}

export default function Home() {
  const { empty, figures, detail } = useLoaderData<typeof loader>();
  if (empty) {
    return (
      <Page title="Tailored">
        <Card>
          <EmptyState heading="No customers or orders yet" image="">
            <p>
              Tailored keeps its own copy of your store's customers and orders. Existing ones are copied when the app is
              installed and new ones arrive as they happen; your figures appear here as soon as the first have arrived.
            </p>
          </EmptyState>
        </Card>
      </Page>
    );
  }
  return (
    <Page title="Tailored">
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <Figure id="figure-customers" label="Customers" value={figures.customers} help="In your store" />
            <Figure
              id="figure-orders"
              label="Orders"
              value={figures.orders}
              help={`Not counting ${detail.cancelledOrders} cancelled`}
            />
            <Figure id="figure-revenue" label="Revenue" value={figures.revenue} help="Order totals less refunds" />
            <Figure
              id="figure-repeat-rate"
              label="Repeat-purchase rate"
              value={figures.repeatPurchaseRate}
              help={`${detail.repeatCustomers} of ${detail.customersWithOrders} customers who ordered came back`}
            />
          </InlineGrid>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
