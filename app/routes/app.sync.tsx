import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  EmptyState,
  InlineStack,
  Layout,
  List,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import { useEffect } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { useShopFormat } from "~/components/shop-format";
import { pageTitle } from "~/components/page-title";
import { ScrollableTable } from "~/components/ScrollableTable";
import { db } from "~/db.server";
import { dataGeneratedAt } from "~/models/shops.server";
import { latestJobs, queueBackfill, RESOURCES, type BulkJob } from "~/sync/backfill.server";
import { failedEvents, KEEP_FAILED_MS, retryFailed, topicActivity } from "~/sync/inbox.server";
import { getCursor } from "~/sync/reconcile.server";
import { kickBackfill, kickReconcile, wakeInbox } from "~/sync/worker.server";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const meta = () => pageTitle("Sync");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  const [jobs, topics, failed, customersCursor, ordersCursor] = await Promise.all([
    latestJobs(db, { shop }),
    topicActivity(db, { shop }),
    failedEvents(db, { shop }),
    getCursor(db, shop, "customers"),
    getCursor(db, shop, "orders"),
  ]);
  return {
    demo,
    // When the demo shop's data was made (the page says so instead of offering a sync).
    generatedAt: demo ? iso(await dataGeneratedAt(db, { shop })) : null,
    jobs: RESOURCES.map((resource) => {
      const job = jobs.find((j) => j.resource === resource);
      return job ? serializeJob(job) : { resource, status: "never" as const };
    }),
    topics: topics.map((t) => ({ ...t, lastReceivedAt: iso(t.lastReceivedAt) })),
    failed: failed.map((f) => ({ ...f, receivedAt: iso(f.receivedAt) })),
    keepFailedDays: Math.round(KEEP_FAILED_MS / 86_400_000),
    syncedUntil: { customers: iso(customersCursor), orders: iso(ordersCursor) },
  };
};

function serializeJob(job: BulkJob) {
  return {
    resource: job.resource,
    status: job.status,
    rowsDone: job.rowsDone,
    rowsEstimate: job.rowsEstimate,
    error: job.error,
    finishedAt: iso(job.finishedAt),
  };
}

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("retry"), seq: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("retry-all") }),
  z.object({ intent: z.literal("backfill") }),
  z.object({ intent: z.literal("reconcile") }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  const parsed = ActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ ok: false, error: "unknown action" }, { status: 400 });
  const input = parsed.data;
  switch (input.intent) {
    case "retry":
    case "retry-all": {
      const retried = await retryFailed(db, { shop, seqs: input.intent === "retry" ? [input.seq] : undefined });
      wakeInbox();
      return { ok: true, message: `${retried} event${retried === 1 ? "" : "s"} queued again` };
    }
    case "backfill":
    case "reconcile": {
      if (demo) return json({ ok: false, error: "The demo shop has no Shopify store to sync from." }, { status: 422 });
      if (input.intent === "backfill") {
        await queueBackfill(db, { shop, now: new Date() });
        void kickBackfill(shop);
        return { ok: true, message: "Full sync started" };
      }
      void kickReconcile(shop);
      return { ok: true, message: "Checking Shopify for changes" };
    }
  }
};

const STATUS_TONE = {
  done: "success",
  failed: "critical",
  running: "info",
  importing: "info",
  queued: undefined,
  never: undefined,
} as const;
const STATUS_LABEL = {
  done: "Complete",
  failed: "Failed",
  running: "Shopify is preparing the data",
  importing: "Importing",
  queued: "Waiting",
  never: "Not started",
} as const;

function BackfillRow({ job }: { job: ReturnType<typeof useLoaderData<typeof loader>>["jobs"][number] }) {
  const label = job.resource[0]!.toUpperCase() + job.resource.slice(1);
  const done = "rowsDone" in job ? job.rowsDone : 0;
  const estimate = "rowsEstimate" in job ? job.rowsEstimate : null;
  const progress =
    job.status === "done" ? 100 : estimate ? Math.min(99, Math.round((done / Math.max(estimate, 1)) * 100)) : 0;
  return (
    <BlockStack gap="150">
      <InlineStack align="space-between" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {label}
        </Text>
        <Badge tone={STATUS_TONE[job.status]}>{STATUS_LABEL[job.status]}</Badge>
      </InlineStack>
      <ProgressBar progress={progress} size="small" tone={job.status === "failed" ? "critical" : "primary"} />
      <Text as="p" variant="bodySm" tone="subdued">
        {job.status === "never"
          ? "No sync has run yet."
          : `${done.toLocaleString("en-US")}${estimate ? ` of about ${estimate.toLocaleString("en-US")}` : ""} ${job.resource}`}
        {"error" in job && job.error ? ` — ${job.error}` : ""}
      </Text>
    </BlockStack>
  );
}

/** Why each button is off in the demo, and what it does in a real shop. */
const DEMO_BUTTONS = [
  {
    button: "Run full sync",
    does: "imports every customer, order and product from Shopify again through a bulk operation, with its progress shown above",
  },
  {
    button: "Check for missed changes",
    does: "asks Shopify at once for customers and orders changed since the last check (it also runs every 30 minutes by itself)",
  },
] as const;

export default function SyncPage() {
  const data = useLoaderData<typeof loader>();
  const format = useShopFormat();
  const fetcher = useFetcher<{ ok: boolean; message?: string; error?: string }>();
  const revalidator = useRevalidator();
  const active = data.jobs.some((j) => j.status === "queued" || j.status === "running" || j.status === "importing");

  // Progress moves on the server: refresh while something is running.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => revalidator.revalidate(), 3000);
    return () => clearInterval(timer);
  }, [active, revalidator]);

  useEffect(() => {
    const result = fetcher.data;
    if (!result) return;
    const message = result.ok ? result.message : result.error;
    if (message && typeof window !== "undefined" && window.shopify?.toast)
      window.shopify.toast.show(message, { isError: !result.ok });
  }, [fetcher.data]);

  const submit = (intent: string, extra: Record<string, string> = {}) =>
    fetcher.submit({ intent, ...extra }, { method: "post" });
  const busy = fetcher.state !== "idle";

  return (
    <Page
      title="Sync"
      subtitle="Tailored's copy of your store's customers, orders and products"
      primaryAction={{
        content: "Run full sync",
        onAction: () => submit("backfill"),
        disabled: data.demo || busy || active,
        helpText: data.demo ? "Off in the demo: there is no Shopify store to import from" : undefined,
      }}
      secondaryActions={[
        {
          content: "Check for missed changes",
          onAction: () => submit("reconcile"),
          disabled: data.demo || busy,
          helpText: data.demo ? "Off in the demo: there is no Shopify store to ask" : undefined,
        },
      ]}
    >
      <Layout>
        {data.demo ? (
          <Layout.Section>
            <Banner
              tone="info"
              title={`Demo data, generated on ${data.generatedAt ? format.date(data.generatedAt) : "—"}`}
            >
              <BlockStack gap="200">
                <p>
                  This demo shop is not connected to a Shopify store: its customers, orders and products were generated
                  (npm run demo, or tailored seed), so there is nothing to sync from and the sync buttons are off.
                </p>
                <List type="bullet">
                  {DEMO_BUTTONS.map((b) => (
                    <List.Item key={b.button}>
                      <b>{b.button}</b>: in a real shop, {b.does}.
                    </List.Item>
                  ))}
                </List>
                <p>Webhooks sent to this server with tailored send-webhooks appear below, as a real shop's would.</p>
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        {fetcher.data && fetcher.state === "idle" ? (
          <Layout.Section>
            <Banner tone={fetcher.data.ok ? "success" : "critical"}>
              <p>{fetcher.data.ok ? fetcher.data.message : fetcher.data.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                Initial import
              </Text>
              {data.jobs.map((job) => (
                <BackfillRow key={job.resource} job={job} />
              ))}
              <Text as="p" variant="bodySm" tone="subdued">
                {data.demo
                  ? "The demo shop's data was generated, not imported: see above."
                  : `Customers and orders are checked against Shopify for missed changes every 30 minutes${
                      data.syncedUntil.orders ? `; complete up to ${format.dateTime(data.syncedUntil.orders)}` : ""
                    }.`}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Webhooks
              </Text>
              {data.topics.length === 0 ? (
                <Text as="p" tone="subdued">
                  No webhook has arrived yet. Shopify sends one for every new or changed customer, order and product.
                </Text>
              ) : (
                <ScrollableTable
                  label="Webhooks received by topic"
                  columnContentTypes={["text", "text", "numeric", "numeric", "numeric"]}
                  headings={["Topic", "Last received", "Received", "Waiting", "Failed"]}
                  rows={data.topics.map((t) => [
                    t.topic,
                    t.lastReceivedAt ? format.dateTime(t.lastReceivedAt) : "—",
                    t.received.toLocaleString("en-US"),
                    t.pending.toLocaleString("en-US"),
                    t.failed.toLocaleString("en-US"),
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Failed events
                </Text>
                {data.failed.length > 0 ? (
                  <Button onClick={() => submit("retry-all")} disabled={busy}>
                    Retry all
                  </Button>
                ) : null}
              </InlineStack>
              <Text as="p" tone="subdued">
                A failed event keeps what Shopify sent (often customers&apos; personal data) for {data.keepFailedDays}{" "}
                days, to be retried; then it is deleted. Applied events keep none of it.
              </Text>
              {data.failed.length === 0 ? (
                <EmptyState heading="Nothing has failed" image="">
                  <p>Events Tailored could not apply would be listed here, with the reason, to retry.</p>
                </EmptyState>
              ) : (
                <ScrollableTable
                  label="Failed events"
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={["Topic", "Received", "Why", "Action"]}
                  rows={data.failed.map((f) => [
                    f.topic,
                    f.receivedAt ? format.dateTime(f.receivedAt) : "—",
                    f.error ?? "",
                    <Button
                      key={f.seq}
                      size="slim"
                      onClick={() => submit("retry", { seq: String(f.seq) })}
                      disabled={busy}
                      accessibilityLabel={`Retry the ${f.topic} event received ${f.receivedAt ? format.dateTime(f.receivedAt) : ""}`}
                    >
                      Retry
                    </Button>,
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
