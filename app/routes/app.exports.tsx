// Exports: a segment to CSV (a signed download URL, useCsvDownload), or to Klaviyo, Mailchimp or
// Shopify tags as a job, once or kept in sync; the jobs with their progress and counts.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  DataTable,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Select,
  Text,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { pageTitle } from "~/components/page-title";
import { useCsvDownload } from "~/components/useCsvDownload";
import { db } from "~/db.server";
import { DEFAULT_FIELDS, FIELD_NAMES, FIELDS, parseFields } from "~/export/csv";
import { signDownload } from "~/export/download-token.server";
import { segmentRef } from "~/export/members.server";
import { SecretsError } from "~/export/secrets.server";
import { kickExportJobs } from "~/export/background.server";
import { listDestinations } from "~/export/credentials.server";
import { JobInputError, listJobs, queueJob } from "~/export/jobs.server";
import { isService, TARGET_LABEL, TARGETS } from "~/export/targets";

export const meta = () => pageTitle("Exports");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  const [segments, destinations, jobs] = await Promise.all([
    db.prisma.segment.findMany({
      where: { shop },
      select: { id: true, name: true, memberCount: true },
      orderBy: { name: "asc" },
    }),
    listDestinations(db, { shop }),
    listJobs(db, { shop, limit: 30 }),
  ]);
  const names = new Map(segments.map((s) => [s.id, s.name]));
  // `?segment=<id>` (the segment page's "Export" actions) chooses it, when it is one of the shop's.
  const asked = Number(new URL(request.url).searchParams.get("segment"));
  return {
    demo,
    segments,
    selected: names.has(asked) ? asked : (segments[0]?.id ?? null),
    connected: destinations.map((d) => d.service),
    fields: FIELD_NAMES.map((name) => ({ name, label: FIELDS[name].label, default: DEFAULT_FIELDS.includes(name) })),
    jobs: jobs.map((j) => ({
      id: j.id,
      segment: names.get(j.segmentId) ?? `Segment ${j.segmentId} (deleted)`,
      target: j.target,
      mode: j.mode,
      status: j.status,
      total: j.total,
      sent: j.sent,
      skipped: j.skipped,
      failed: j.failed,
      lastError: j.errors.at(-1)?.message ?? null,
      createdAt: j.createdAt?.toISOString() ?? null,
    })),
  };
};

const ActionSchema = z.object({
  intent: z.literal("export"),
  segmentId: z.coerce.number().int().positive().max(2_147_483_647),
  target: z.enum(TARGETS),
  keepInSync: z.enum(["true", "false"]).default("false"),
});

const DownloadSchema = z.object({
  intent: z.literal("download"),
  segmentId: z.coerce.number().int().positive().max(2_147_483_647),
  fields: z.string().max(2_000),
  bom: z.enum(["true", "false"]).default("false"),
});

/** A short-lived signed URL for the CSV (a plain link does not work inside Shopify admin's iframe). */
async function downloadUrl(shop: string, form: Record<string, FormDataEntryValue>) {
  const parsed = DownloadSchema.safeParse(form);
  if (!parsed.success) return json({ ok: false, error: "Choose a segment and the fields" }, { status: 400 });
  const fields = parseFields(parsed.data.fields);
  if (!fields.ok) return json({ ok: false, error: fields.error }, { status: 422 });
  const segment = await segmentRef(db, { shop, id: parsed.data.segmentId });
  if (!segment) return json({ ok: false, error: "No such segment" }, { status: 404 });
  try {
    const token = signDownload(
      { shop, segmentId: segment.id, fields: fields.fields, bom: parsed.data.bom === "true" },
      { now: new Date() },
    );
    return json({ ok: true, url: `/exports/download/${token}` });
  } catch (error) {
    if (error instanceof SecretsError) return json({ ok: false, error: error.message }, { status: 503 });
    throw error;
  }
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const form = Object.fromEntries(await request.formData());
  if (form.intent === "download") return downloadUrl(shop, form);
  const parsed = ActionSchema.safeParse(form);
  if (!parsed.success) return json({ ok: false, error: "Choose a segment and where to send it" }, { status: 400 });
  const { segmentId, target, keepInSync } = parsed.data;
  if (isService(target) && !(await listDestinations(db, { shop })).some((d) => d.service === target)) {
    return json({ ok: false, error: `Connect ${TARGET_LABEL[target]} on the Settings page first` }, { status: 422 });
  }
  try {
    const { job, created } = await queueJob(db, {
      shop,
      segmentId,
      target,
      mode: "full",
      now: new Date(),
      keepInSync: keepInSync === "true",
    });
    kickExportJobs(db, (error) => console.warn("[export]", error instanceof Error ? error.message : error));
    return { ok: true, message: created ? `Export ${job.id} started` : `Export ${job.id} is already running` };
  } catch (error) {
    if (error instanceof JobInputError) return json({ ok: false, error: error.message }, { status: 422 });
    throw error;
  }
};

const STATUS_TONE = { done: "success", failed: "critical", running: "info", queued: undefined } as const;

export default function ExportsPage() {
  const data = useLoaderData<typeof loader>();
  const fetcher = useFetcher<{ ok: boolean; message?: string; error?: string }>();
  const download = useCsvDownload();
  const revalidator = useRevalidator();
  const [segment, setSegment] = useState(String(data.selected ?? ""));
  const [fields, setFields] = useState<string[]>(data.fields.filter((f) => f.default).map((f) => f.name));
  const [bom, setBom] = useState(true);
  const [target, setTarget] = useState<string>("klaviyo");
  const [keepInSync, setKeepInSync] = useState(false);
  const active = data.jobs.some((j) => j.status === "queued" || j.status === "running");

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [active, revalidator]);

  const segmentOptions = data.segments.map((s) => ({
    label: `${s.name} (${s.memberCount.toLocaleString("en-US")})`,
    value: String(s.id),
  }));

  return (
    <Page title="Exports" subtitle="Send segments where you email your customers, or download them">
      <Layout>
        {fetcher.data && fetcher.state === "idle" ? (
          <Layout.Section>
            <Banner tone={fetcher.data.ok ? "success" : "critical"}>
              <p>{fetcher.data.ok ? fetcher.data.message : fetcher.data.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {data.segments.length === 0 ? (
          <Layout.Section>
            <Banner tone="info">
              <p>Make a segment first: exports send a segment&apos;s members.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Segment
              </Text>
              <Select label="Segment to export" options={segmentOptions} value={segment} onChange={setSegment} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Download as CSV
              </Text>
              <InlineStack gap="300" wrap>
                {data.fields.map((f) => (
                  <Checkbox
                    key={f.name}
                    label={f.label}
                    checked={fields.includes(f.name)}
                    onChange={(on) =>
                      setFields((now) =>
                        on ? inOfferedOrder(now.concat(f.name), data.fields) : now.filter((x) => x !== f.name),
                      )
                    }
                  />
                ))}
              </InlineStack>
              <Checkbox label="For spreadsheets (UTF-8 byte-order mark)" checked={bom} onChange={setBom} />
              {download.error ? (
                <Banner tone="critical">
                  <p>{download.error}</p>
                </Banner>
              ) : null}
              <InlineStack>
                <Button
                  variant="primary"
                  disabled={!segment || fields.length === 0}
                  loading={download.busy}
                  onClick={() => download.start({ segmentId: segment, fields, bom })}
                >
                  Download CSV
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Send to an email tool or Shopify
              </Text>
              <Select
                label="Destination"
                options={TARGETS.map((t) => ({
                  label: `${TARGET_LABEL[t]}${isService(t) && !data.connected.includes(t) ? " (not connected)" : ""}`,
                  value: t,
                }))}
                value={target}
                onChange={setTarget}
              />
              <Checkbox
                label="Keep in sync (send members as they enter and leave)"
                checked={keepInSync}
                onChange={setKeepInSync}
              />
              <Text as="p" variant="bodySm" tone="subdued">
                Klaviyo and Mailchimp receive only customers subscribed to email marketing in Shopify.
              </Text>
              <InlineStack>
                <Button
                  onClick={() =>
                    fetcher.submit(
                      { intent: "export", segmentId: segment, target, keepInSync: String(keepInSync) },
                      { method: "post" },
                    )
                  }
                  disabled={!segment || fetcher.state !== "idle"}
                >
                  Export
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Jobs
              </Text>
              {data.jobs.length === 0 ? (
                <Text as="p" tone="subdued">
                  No export has run yet.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "numeric", "numeric", "numeric"]}
                  headings={["Segment", "Destination", "Status", "Progress", "Sent", "Skipped (no consent)", "Failed"]}
                  rows={data.jobs.map((j) => [
                    j.segment,
                    `${TARGET_LABEL[j.target]}${j.mode === "sync" ? " (changes)" : ""}`,
                    <BlockStack key="s" gap="100">
                      <Badge tone={STATUS_TONE[j.status as keyof typeof STATUS_TONE]}>{j.status}</Badge>
                      {j.lastError ? (
                        <Text as="span" variant="bodySm" tone="critical">
                          {j.lastError}
                        </Text>
                      ) : null}
                    </BlockStack>,
                    <ProgressBar
                      key="p"
                      size="small"
                      progress={
                        j.status === "done"
                          ? 100
                          : j.total > 0
                            ? Math.min(99, Math.round(((j.sent + j.skipped + j.failed) / j.total) * 100))
                            : 0
                      }
                    />,
                    j.sent.toLocaleString("en-US"),
                    j.skipped.toLocaleString("en-US"),
                    j.failed.toLocaleString("en-US"),
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

/** The chosen fields in the order they are offered. */
function inOfferedOrder(chosen: string[], all: readonly { name: string }[]): string[] {
  return all.map((f) => f.name).filter((name) => chosen.includes(name));
}
