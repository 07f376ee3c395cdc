// Privacy: the reports customers/data_request produced (for the merchant to pass on to the customer),
// customers/redact's deletion requests to the email tools and where each stands, and how long
// Tailored keeps what it keeps (docs/PRIVACY.md).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "~/auth.server";
import { useShopFormat } from "~/components/shop-format";
import { pageTitle } from "~/components/page-title";
import { db } from "~/db.server";
import { listDeletions } from "~/export/deletions.server";
import { KEEP_EXPORT_JOBS_DAYS, KEEP_PRIVACY_REPORTS_DAYS, MEMBERSHIP_HISTORY_DAYS } from "~/export/erasure.server";
import { listReports } from "~/export/privacy-report.server";
import { KEEP_DONE_MS, KEEP_FAILED_MS } from "~/sync/inbox.server";

const day = 86_400_000;

export const meta = () => pageTitle("Privacy");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const [reports, deletions] = await Promise.all([listReports(db, { shop }), listDeletions(db, { shop })]);
  return {
    reports: reports.map((r) => ({ ...r, createdAt: r.createdAt?.toISOString() ?? null })),
    deletions: deletions.map((d) => ({
      ...d,
      createdAt: d.createdAt?.toISOString() ?? null,
      doneAt: d.doneAt?.toISOString() ?? null,
    })),
    retention: {
      membershipHistoryDays: MEMBERSHIP_HISTORY_DAYS,
      reportsDays: KEEP_PRIVACY_REPORTS_DAYS,
      exportJobsDays: KEEP_EXPORT_JOBS_DAYS,
      appliedWebhooksDays: Math.round(KEEP_DONE_MS / day),
      failedWebhooksDays: Math.round(KEEP_FAILED_MS / day),
    },
  };
};

export default function PrivacyPage() {
  const data = useLoaderData<typeof loader>();
  const format = useShopFormat();
  const r = data.retention;
  return (
    <Page title="Privacy" subtitle="Customers' data requests, erasures, and how long Tailored keeps what it keeps">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Data requests
              </Text>
              <Text as="p" tone="subdued">
                When a customer asks Shopify for their data, Tailored writes down everything it holds about them.
                Download the report and send it to the customer. Reports are kept {r.reportsDays} days.
              </Text>
              {data.reports.length === 0 ? (
                <Text as="p">No data request has come in.</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={["Received", "Customer", "Request", "Report"]}
                  rows={data.reports.map((rep) => [
                    rep.createdAt ? format.dateTime(rep.createdAt) : "",
                    rep.customerId ?? "(by e-mail)",
                    rep.requestId ?? "",
                    <Link key={rep.id} url={`/app/privacy/reports/${rep.id}.json`}>
                      Download JSON
                    </Link>,
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Erasures sent to your email tools
              </Text>
              <Text as="p" tone="subdued">
                When Shopify asks Tailored to erase a customer, Klaviyo and Mailchimp (if connected) are asked to delete
                the contact too, and asked again until they have.
              </Text>
              {data.deletions.length === 0 ? (
                <Text as="p">None.</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric", "text"]}
                  headings={["Asked", "Service", "Status", "Attempts", "Last error"]}
                  rows={data.deletions.map((d) => [
                    d.createdAt ? format.dateTime(d.createdAt) : "",
                    d.service,
                    <Badge
                      key={d.id}
                      tone={d.status === "done" ? "success" : d.status === "failed" ? "critical" : "info"}
                    >
                      {d.status}
                    </Badge>,
                    d.attempts,
                    d.lastError ?? "",
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                How long Tailored keeps data
              </Text>
              <List>
                <List.Item>
                  Segment membership history (entered / left, with dates): {r.membershipHistoryDays} days
                </List.Item>
                <List.Item>Data request reports: {r.reportsDays} days</List.Item>
                <List.Item>Export jobs and their error lists: {r.exportJobsDays} days after they finish</List.Item>
                <List.Item>
                  Webhook deliveries: payloads are cleared once applied; failed ones kept {r.failedWebhooksDays} days
                  for a retry; the delivery records {r.appliedWebhooksDays} days
                </List.Item>
                <List.Item>
                  Customers, orders and their facts: while the app is installed; erased on Shopify&apos;s request
                </List.Item>
              </List>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
