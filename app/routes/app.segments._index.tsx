import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  EmptySearchResult,
  EmptyState,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
  useIndexResourceState,
  useSetIndexFiltersMode,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { pageTitle } from "~/components/page-title";
import { shareOfCustomers } from "~/components/share";
import { ScrollableTable } from "~/components/ScrollableTable";
import { useToast } from "~/components/toast";
import { BulkDeleteSegmentsModal } from "~/components/BulkDeleteSegmentsModal";
import { useShopFormat } from "~/components/shop-format";
import { lifecycleSummary, rfmGroupLabel } from "~/domain/segments/group-names";
import { formatWholeMoney } from "~/components/format";
import { SORT_OPTIONS, applyListView, listViewParams, readListView, type ListView } from "~/domain/segments/list-view";
import { requireAdmin } from "~/auth.server";
import { db } from "~/db.server";
import { describeTemplate, TEMPLATES, templateByKey } from "~/domain/segments/templates";
import { RFM_TABLE } from "~/domain/rfm";
import { DEFAULT_LIFECYCLE } from "~/domain/segments/engine";
import { parseSegmentId } from "~/domain/segments/segment-id";
import { createSegment, deleteSegments, listSegments } from "~/models/segments/definitions.server";
import { segmentErrorAnswer } from "~/models/segments/errors";
import { countCustomers } from "~/models/segments/read-models.server";
import { shopContext } from "~/models/segments/rules.server";

export const meta = () => pageTitle("Segments");

/** More than a page of the list is not a selection a merchant made by hand. */
const MAX_BULK_DELETE = 250;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const now = new Date();
  const all = await listSegments(db, { shop, now });
  const view = readListView(new URL(request.url).searchParams);
  const segments = applyListView(all, view);
  const ctx = await shopContext(db, { shop, now });
  const lifecycle = ctx.lifecycle ?? DEFAULT_LIFECYCLE;
  const templateShop = { lifecycle, money: (amount: number) => formatWholeMoney(amount, ctx.currencyCode) };
  return {
    customers: await countCustomers(db, { shop }),
    lifecycle,
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
      description: describeTemplate(t, templateShop),
      query: t.query,
      unavailable: t.unavailable ?? null,
    })),
  };
};

const AddTemplate = z.object({ intent: z.literal("template"), key: z.string().min(1) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const formData = await request.formData();
  if (formData.get("intent") === "delete") return bulkDeleteAnswer(shop, formData.getAll("id"));
  const parsed = AddTemplate.safeParse(Object.fromEntries(formData));
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

/** The list's bulk delete: every id a segment id (422 naming the bad one), all removed in one transaction. */
async function bulkDeleteAnswer(shop: string, values: FormDataEntryValue[]) {
  if (values.length === 0) return json({ ok: false, error: "Select the segments to delete" }, { status: 422 });
  if (values.length > MAX_BULK_DELETE)
    return json({ ok: false, error: `Delete at most ${MAX_BULK_DELETE} segments at a time` }, { status: 422 });
  const ids: number[] = [];
  for (const [index, value] of values.entries()) {
    const id = typeof value === "string" ? parseSegmentId(value) : null;
    if (id === null)
      return json({ ok: false, error: `id ${index + 1} is not a segment id: “${String(value)}”` }, { status: 422 });
    ids.push(id);
  }
  const removed = await deleteSegments(db, { shop, ids });
  if (removed.length === 0) return json({ ok: false, error: "No such segment" }, { status: 404 });
  const message = removed.length === 1 ? `Deleted “${removed[0]!.name}”` : `Deleted ${removed.length} segments`;
  return { ok: true, deleted: removed.map((r) => r.id), message };
}

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
  const format = useShopFormat();
  const fetcher = useFetcher<{ ok: boolean; error?: string; message?: string }>();
  const navigation = useNavigation();
  const toast = useToast();
  const used = new Map(Object.entries(usedTemplates));
  const list = useListView(view);
  const selection = useIndexResourceState(segments.map((s) => ({ id: String(s.id) })));
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    if (fetcher.data?.ok && fetcher.data.message) toast(fetcher.data.message);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.data]);
  const selected = segments
    .filter((s) => selection.selectedResources.includes(String(s.id)))
    .map((s) => ({ id: s.id, name: s.name }));
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
                  selectedItemsCount={selection.allResourcesSelected ? "All" : selection.selectedResources.length}
                  onSelectionChange={selection.handleSelectionChange}
                  promotedBulkActions={[{ content: "Delete segments", onAction: () => setConfirming(true) }]}
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
                    <IndexTable.Row
                      id={String(s.id)}
                      key={s.id}
                      position={index}
                      selected={selection.selectedResources.includes(String(s.id))}
                    >
                      <IndexTable.Cell>
                        <BlockStack gap="050">
                          {/* The row's primary link: a click anywhere on the row (but its checkbox) opens it. */}
                          <Link to={`/app/segments/${s.id}`} data-primary-link>
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
                          <span data-segment-size={s.name}>{format.count(s.memberCount)}</span>
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
                            {s.change7d > 0 ? `+${format.count(s.change7d)}` : format.count(s.change7d)}
                          </Text>
                        )}
                      </IndexTable.Cell>
                      <IndexTable.Cell>{s.lastComputedAt ? format.dateTime(s.lastComputedAt) : "—"}</IndexTable.Cell>
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
                rows={rfmTable.map((row, i) => [`R ${5 - i}`, ...row.map(rfmGroupLabel)])}
              />
              <Text as="p" variant="bodySm">
                {lifecycleSummary(lifecycle)}{" "}
                <Link to="/app/settings#lifecycle">Change the thresholds in Settings</Link>.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
      <BulkDeleteSegmentsModal
        open={confirming}
        selected={selected}
        onClose={() => setConfirming(false)}
        onDeleted={() => {
          setConfirming(false);
          selection.clearSelection();
        }}
      />
    </Page>
  );
}
