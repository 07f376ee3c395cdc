import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  EmptySearchResult,
  EmptyState,
  FormLayout,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
  useSetIndexFiltersMode,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { pageTitle } from "~/components/page-title";
import { shareOfCustomers } from "~/components/share";
import { ScrollableTable } from "~/components/ScrollableTable";
import { useToast } from "~/components/toast";
import { enumLabel, formatDateTime } from "~/components/format";
import { SORT_OPTIONS, applyListView, listViewParams, readListView, type ListView } from "~/domain/segments/list-view";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { TEMPLATES, templateByKey } from "~/domain/segments/templates";
import { RFM_TABLE } from "~/domain/rfm";
import { DEFAULT_LIFECYCLE, LifecycleThresholdsSchema } from "~/domain/segments/engine";
import { createSegment, listSegments, setLifecycleThresholds } from "~/models/segments/definitions.server";
import { segmentErrorAnswer } from "~/models/segments/errors";
import { countCustomers } from "~/models/segments/read-models.server";
import { shopContext } from "~/models/segments/rules.server";

export const meta = () => pageTitle("Segments");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const now = new Date();
  const all = await listSegments(db, { shop, now });
  const view = readListView(new URL(request.url).searchParams);
  const segments = applyListView(all, view);
  const { lifecycle } = await shopContext(db, { shop, now });
  return {
    customers: await countCustomers(db, { shop }),
    lifecycle: lifecycle ?? DEFAULT_LIFECYCLE,
    rfmTable: RFM_TABLE,
    view,
    total: all.length,
    // Each template's segment, the first made from it: its card offers "View" instead of "Add".
    usedTemplates: Object.fromEntries(
      [...all].reverse().flatMap((s) => (s.template === null ? [] : [[s.template, s.id] as const])),
    ) as Record<string, number>,
    segments: segments.map((s) => ({
      ...s,
      lastComputedAt: s.lastComputedAt?.toISOString() ?? null,
      createdAt: s.createdAt.toISOString(),
    })),
    templates: TEMPLATES.map((t) => ({
      key: t.key,
      name: t.name,
      description: t.description,
      query: t.query,
      unavailable: t.unavailable ?? null,
    })),
  };
};

const AddTemplate = z.object({ intent: z.literal("template"), key: z.string().min(1) });

/** A whole number from a form field; anything else stays a string, for the schema to refuse. */
const formInt = (value: FormDataEntryValue | undefined) =>
  typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const form = Object.fromEntries(await request.formData());
  if (form.intent === "lifecycle") {
    const checked = LifecycleThresholdsSchema.safeParse({
      lapsingDays: formInt(form.lapsingDays),
      lapsedDays: formInt(form.lapsedDays),
      loyalOrders: formInt(form.loyalOrders),
    });
    if (!checked.success) {
      const fields: Record<string, string> = {};
      for (const issue of checked.error.issues)
        fields[String(issue.path[0])] ??= issue.code === "invalid_type" ? "Enter a whole number" : issue.message;
      return json({ ok: false, intent: "lifecycle", error: "Check the thresholds", fields }, { status: 422 });
    }
    const { changed, recomputed } = await setLifecycleThresholds(db, {
      shop,
      thresholds: checked.data,
      now: new Date(),
    });
    const message = !changed
      ? "Lifecycle thresholds unchanged"
      : `Lifecycle thresholds saved${recomputed > 0 ? `; ${recomputed} segment${recomputed === 1 ? "" : "s"} recomputed` : ""}`;
    return { ok: true, intent: "lifecycle", message };
  }
  const parsed = AddTemplate.safeParse(form);
  const template = parsed.success ? templateByKey(parsed.data.key) : undefined;
  if (!template) return json({ ok: false, error: "unknown template" }, { status: 400 });
  if (template.unavailable) return json({ ok: false, error: template.unavailable }, { status: 422 });
  // Added already (a second tab, a double submit): the segment that exists, not a copy of it.
  const existing = (await listSegments(db, { shop, now: new Date() })).find((s) => s.template === template.key);
  if (existing) return { ok: true, id: existing.id, message: `“${template.name}” is already added` };
  try {
    const id = await createSegment(db, {
      shop,
      name: template.name,
      query: template.query,
      template: template.key,
      now: new Date(),
    });
    return { ok: true, id, message: `Added “${template.name}”` };
  } catch (error) {
    const answer = segmentErrorAnswer(error);
    if (!answer) throw error;
    return json({ ok: false, error: answer.message }, answer.init);
  }
};

/** Search and sort in the URL (replacing the entry, so Back leaves the page rather than undoing keystrokes). */
function useListView(view: ListView) {
  const [, setSearchParams] = useSearchParams();
  const [query, setQuery] = useState(view.q);
  const { mode, setMode } = useSetIndexFiltersMode(view.q ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);
  const apply = (next: ListView) => setSearchParams(listViewParams(next), { replace: true, preventScrollReset: true });
  const latest = useRef(view);
  latest.current = view;
  useEffect(() => {
    if (query === latest.current.q) return;
    const timer = setTimeout(() => apply({ ...latest.current, q: query }), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);
  return { query, setQuery, mode, setMode, apply };
}

export default function SegmentsPage() {
  const { customers, segments, templates, lifecycle, rfmTable, view, total, usedTemplates } =
    useLoaderData<typeof loader>();
  const fetcher = useFetcher<{ ok: boolean; error?: string; message?: string }>();
  const navigation = useNavigation();
  const toast = useToast();
  const used = new Map(Object.entries(usedTemplates));
  const list = useListView(view);
  useEffect(() => {
    if (fetcher.data?.ok && fetcher.data.message) toast(fetcher.data.message);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data]);
  return (
    <Page title="Segments" primaryAction={{ content: "New segment", url: "/app/segments/new" }}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {total === 0 ? (
              <EmptyState
                heading="No segments yet"
                action={{ content: "New segment", url: "/app/segments/new" }}
                image=""
              >
                <p>Describe who you want in Shopify's segment language, or start from a template below.</p>
              </EmptyState>
            ) : (
              <>
                <IndexFilters
                  tabs={[{ id: "all-segments", content: "All" }]}
                  selected={0}
                  onSelect={() => undefined}
                  canCreateNewView={false}
                  queryValue={list.query}
                  queryPlaceholder="Search segments by name"
                  onQueryChange={list.setQuery}
                  onQueryClear={() => list.setQuery("")}
                  cancelAction={{ onAction: () => list.setQuery("") }}
                  sortOptions={SORT_OPTIONS}
                  sortSelected={[`${view.sort} ${view.direction}`]}
                  onSort={([value]) =>
                    list.apply(readListView(new URLSearchParams({ q: list.query, sort: value ?? "" })))
                  }
                  filters={[]}
                  appliedFilters={[]}
                  onClearAll={() => list.setQuery("")}
                  hideFilters
                  mode={list.mode}
                  setMode={list.setMode}
                  loading={navigation.state === "loading" && navigation.location?.pathname === "/app/segments"}
                />
                <IndexTable
                  resourceName={{ singular: "segment", plural: "segments" }}
                  itemCount={segments.length}
                  selectable={false}
                  emptyState={
                    <EmptySearchResult
                      title="No segments found"
                      description="No segment name contains that text. Try another search."
                      withIllustration={false}
                    />
                  }
                  sortable={[true, true, true, true]}
                  sortColumnIndex={["name", "size", "change", "computed"].indexOf(view.sort)}
                  sortDirection={view.direction === "asc" ? "ascending" : "descending"}
                  onSort={(index, direction) => {
                    const sort = (["name", "size", "change", "computed"] as const)[index] ?? "name";
                    list.apply({ q: list.query, sort, direction: direction === "ascending" ? "asc" : "desc" });
                  }}
                  headings={[
                    { title: "Name" },
                    { title: "Customers", alignment: "end" },
                    { title: "7 days", alignment: "end" },
                    { title: "Last computed" },
                  ]}
                >
                  {segments.map((s, index) => (
                    <IndexTable.Row id={String(s.id)} key={s.id} position={index}>
                      <IndexTable.Cell>
                        <BlockStack gap="050">
                          <Link to={`/app/segments/${s.id}`}>
                            <Text as="span" fontWeight="semibold">
                              {s.name}
                            </Text>
                          </Link>
                          <Text as="span" variant="bodySm" tone="subdued">
                            <code>{s.query}</code>
                          </Text>
                          {s.computeError ? (
                            <InlineStack gap="100" blockAlign="center">
                              <Badge tone="critical">Not computed</Badge>
                              <Text as="span" variant="bodySm" tone="critical">
                                {s.computeError}
                              </Text>
                            </InlineStack>
                          ) : null}
                        </BlockStack>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          <span data-segment-size={s.name}>{s.memberCount.toLocaleString("en-US")}</span>
                        </Text>
                        <Text as="span" alignment="end" variant="bodySm" tone="subdued">
                          {shareOfCustomers(s.memberCount, customers)} of customers
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        {s.isNew ? (
                          <Badge tone="info">New</Badge>
                        ) : (
                          <Text
                            as="span"
                            alignment="end"
                            numeric
                            tone={s.change7d < 0 ? "critical" : s.change7d > 0 ? "success" : undefined}
                          >
                            {s.change7d > 0 ? `+${s.change7d}` : String(s.change7d)}
                          </Text>
                        )}
                      </IndexTable.Cell>
                      <IndexTable.Cell>{s.lastComputedAt ? formatDateTime(s.lastComputedAt) : "—"}</IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              </>
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Templates
            </Text>
            {fetcher.data && !fetcher.data.ok ? (
              <Text as="p" tone="critical">
                {fetcher.data.error}
              </Text>
            ) : null}
            <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="300">
              {templates.map((t) => (
                <Card key={t.key}>
                  <BlockStack gap="200">
                    <InlineStack align="space-between" blockAlign="center">
                      <Text as="h3" variant="headingSm">
                        {t.name}
                      </Text>
                      {used.has(t.key) ? <Badge tone="success">Added</Badge> : null}
                    </InlineStack>
                    <Text as="p" variant="bodySm" tone="subdued">
                      {t.description}
                    </Text>
                    <Text as="p" variant="bodySm">
                      <code>{t.query}</code>
                    </Text>
                    {t.unavailable ? (
                      <Text as="p" variant="bodySm" tone="subdued">
                        Coming soon: {t.unavailable}.
                      </Text>
                    ) : (
                      <InlineStack gap="200">
                        {used.has(t.key) ? (
                          <Button url={`/app/segments/${used.get(t.key)}`} accessibilityLabel={`View ${t.name}`}>
                            View
                          </Button>
                        ) : (
                          <Button
                            onClick={() => fetcher.submit({ intent: "template", key: t.key }, { method: "post" })}
                            disabled={fetcher.state !== "idle"}
                            accessibilityLabel={`Add ${t.name}`}
                          >
                            Add
                          </Button>
                        )}
                        <Button
                          variant="plain"
                          url={`/app/segments/new?query=${encodeURIComponent(t.query)}&name=${encodeURIComponent(t.name)}`}
                          accessibilityLabel={`Edit first: ${t.name}`}
                        >
                          Edit first
                        </Button>
                      </InlineStack>
                    )}
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                How RFM groups and lifecycle stages are decided
              </Text>
              <Text as="p" variant="bodySm">
                Each customer with an order gets three scores from 1 to 5 by quintile within your store: recency (how
                recently they last ordered; 5 is the most recent fifth), frequency (orders) and monetary (amount spent).
                The group follows from recency and the average of the other two (FM), with Shopify's group names;
                customers without an order are PROSPECTS. Scores are recomputed daily.
              </Text>
              <ScrollableTable
                label="RFM groups by recency and FM score"
                columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                headings={["Recency", "FM 1", "FM 2", "FM 3", "FM 4", "FM 5"]}
                rows={rfmTable.map((row, i) => [`R ${5 - i}`, ...row.map(enumLabel)])}
              />
              <Text as="p" variant="bodySm">
                Lifecycle stages: <b>PROSPECT</b> no order yet; <b>LAPSED</b> last order more than{" "}
                {lifecycle.lapsedDays} days ago; <b>LAPSING</b> more than {lifecycle.lapsingDays} days ago; otherwise{" "}
                <b>NEW</b> (one order), <b>REPEAT</b> (2 to {lifecycle.loyalOrders - 1} orders) or <b>LOYAL</b> (
                {lifecycle.loyalOrders} or more). Change the thresholds here; segments that use lifecycle stages are
                recomputed when you save.
              </Text>
              <LifecycleForm lifecycle={lifecycle} />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

type LifecycleResult = {
  ok: boolean;
  intent?: string;
  error?: string;
  message?: string;
  fields?: Record<string, string>;
};

/** The merchant's lifecycle thresholds, saved through the page's action. */
function LifecycleForm({ lifecycle }: { lifecycle: { lapsingDays: number; lapsedDays: number; loyalOrders: number } }) {
  const fetcher = useFetcher<LifecycleResult>();
  const toast = useToast();
  const [values, setValues] = useState({
    lapsingDays: String(lifecycle.lapsingDays),
    lapsedDays: String(lifecycle.lapsedDays),
    loyalOrders: String(lifecycle.loyalOrders),
  });
  useEffect(() => {
    if (fetcher.data?.ok && fetcher.data.message) toast(fetcher.data.message);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data]);
  const errors = fetcher.data && !fetcher.data.ok ? (fetcher.data.fields ?? {}) : {};
  const field = (name: keyof typeof values, label: string, help: string) => (
    <TextField
      label={label}
      name={name}
      type="number"
      autoComplete="off"
      value={values[name]}
      onChange={(v) => setValues((old) => ({ ...old, [name]: v }))}
      helpText={help}
      error={errors[name]}
    />
  );
  return (
    <fetcher.Form method="post" aria-label="Lifecycle thresholds">
      <input type="hidden" name="intent" value="lifecycle" />
      <BlockStack gap="300">
        <FormLayout>
          <FormLayout.Group condensed>
            {field("lapsingDays", "Lapsing after (days)", "Days since the last order")}
            {field("lapsedDays", "Lapsed after (days)", "More than lapsing")}
            {field("loyalOrders", "Loyal from (orders)", "At least 2")}
          </FormLayout.Group>
        </FormLayout>
        <InlineStack align="end">
          <Button submit loading={fetcher.state !== "idle"}>
            Save thresholds
          </Button>
        </InlineStack>
      </BlockStack>
    </fetcher.Form>
  );
}
