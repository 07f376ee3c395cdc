import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, type ShouldRevalidateFunction } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Card,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
  useBreakpoints,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { requireAdmin } from "~/auth.server";
import { DeleteSegmentModal, skipRevalidationBeforeLeaving } from "~/components/DeleteSegmentModal";
import { useCsvDownload } from "~/components/useCsvDownload";
import { useDuplicateSegment } from "~/components/useDuplicateSegment";
import { formatDay } from "~/components/format";
import { useShopFormat } from "~/components/shop-format";
import { useToast } from "~/components/toast";
import { shareOfCustomers } from "~/components/share";
import { pageTitle } from "~/components/page-title";
import { db } from "~/db.server";
import { parseSegmentId } from "~/domain/segments/segment-id";
import { nativeSegmentCheck } from "~/export/native-segment";
import { createNativeSegment } from "~/export/native-segment.server";
import { segmentRef } from "~/export/members.server";
import { segmentDetail, type PreviewMember } from "~/models/segments/read-models.server";
import { adminClientForShop } from "~/sync/shopify-client.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdmin(request);
  const id = parseSegmentId(params.id);
  // Whole pages only: anything else in the URL (1.5, -3, 1e9, text) is the first page.
  const asked = Number(new URL(request.url).searchParams.get("page") ?? "1");
  const page = Number.isSafeInteger(asked) && asked >= 1 && asked <= 1_000_000 ? asked : 1;
  const detail = id === null ? null : await segmentDetail(db, { shop, id, now: new Date(), page });
  if (!detail) throw new Response("No such segment", { status: 404 });
  return {
    ...detail,
    demo,
    lastComputedAt: detail.lastComputedAt?.toISOString() ?? null,
    createdAt: detail.createdAt.toISOString(),
    // Whether "Create as a Shopify segment" is offered, and why not (decided from the parsed rule).
    native: nativeSegmentCheck(detail.query),
  };
};

type ActionData = { ok: boolean; message?: string; error?: string };

/** "Create as a Shopify segment": segmentCreate with the segment's name and rule. */
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const id = parseSegmentId(params.id);
  const segment = id === null ? null : await segmentRef(db, { shop, id });
  if (!segment) return json<ActionData>({ ok: false, error: "No such segment" }, { status: 404 });
  const form = await request.formData();
  if (form.get("intent") !== "native-segment")
    return json<ActionData>({ ok: false, error: "Unknown action" }, { status: 400 });
  let admin;
  try {
    admin = await adminClientForShop(shop);
  } catch {
    return json<ActionData>(
      { ok: false, error: "Shopify cannot be reached for this shop (no access token: is the app installed?)" },
      { status: 422 },
    );
  }
  const outcome = await createNativeSegment(admin, segment);
  return outcome.ok
    ? json<ActionData>({ ok: true, message: `Created in Shopify as the segment "${segment.name}"` })
    : json<ActionData>({ ok: false, error: outcome.error }, { status: 422 });
};

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  pageTitle(data ? data.name : "Segment not found", "Segments");

export const shouldRevalidate: ShouldRevalidateFunction = skipRevalidationBeforeLeaving;

/**
 * Size by day as a plain SVG line (small, nothing to load in the admin), with its scale and dates as
 * text beside it, and the values as the image's text alternative. A segment made today has one day of
 * history: drawn flat, and said so.
 */
function SizeChart({ points }: { points: { day: string; size: number }[] }) {
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...points.map((p) => p.size));
  const line = points.length === 1 ? [points[0]!, points[0]!] : points;
  const x = (i: number) => (i / Math.max(1, line.length - 1)) * (width - 8) + 4;
  const y = (v: number) => height - 4 - (v / max) * (height - 8);
  const path = line.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.size).toFixed(1)}`).join(" ");
  const first = points[0];
  const last = points[points.length - 1];
  const label =
    first && last
      ? `Segment size by day from ${formatDay(first.day)} to ${formatDay(last.day)}: ` +
        points.map((p) => `${formatDay(p.day)} ${p.size.toLocaleString("en-US")}`).join(", ")
      : "No size history yet";
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" wrap={false} blockAlign="stretch">
        <BlockStack align="space-between" inlineAlign="end">
          <Text as="span" variant="bodySm" tone="subdued" numeric>
            {max.toLocaleString("en-US")}
          </Text>
          <Text as="span" variant="bodySm" tone="subdued" numeric>
            0
          </Text>
        </BlockStack>
        <div style={{ flex: 1, minWidth: 0 }}>
          <svg
            viewBox={`0 0 ${width} ${height}`}
            width="100%"
            height={height}
            preserveAspectRatio="none"
            role="img"
            aria-label={label}
          >
            <line x1="4" x2={width - 4} y1={height - 4} y2={height - 4} stroke="#c9cccf" strokeWidth="1" />
            <path d={path} fill="none" stroke="#1f5199" strokeWidth="2" vectorEffect="non-scaling-stroke" />
          </svg>
        </div>
      </InlineStack>
      {first && last ? (
        <InlineStack align="space-between">
          <Text as="span" variant="bodySm" tone="subdued">
            {formatDay(first.day)}
          </Text>
          <Text as="span" variant="bodySm" tone="subdued">
            {points.length === 1 ? "history starts today" : formatDay(last.day)}
          </Text>
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}

/**
 * The members, a page at a time, with the pages in the table's footer; on a phone, IndexTable's
 * condensed list (one row per customer with the figures beneath the name).
 */
function MembersTable({
  members,
  page,
  pages,
  demo,
}: {
  members: PreviewMember[];
  page: number;
  pages: number;
  demo: boolean;
}) {
  // In Shopify admin each member opens their customer page there; the demo shop has no admin to open.
  const name = (m: PreviewMember) =>
    demo ? (
      m.name
    ) : (
      <a href={`shopify://admin/customers/${m.id}`} target="_top">
        {m.name}
      </a>
    );
  const navigate = useNavigate();
  const { smDown } = useBreakpoints();
  const format = useShopFormat();
  return (
    <IndexTable
      condensed={smDown}
      resourceName={{ singular: "customer", plural: "customers" }}
      itemCount={members.length}
      selectable={false}
      headings={[
        { title: "Customer" },
        { title: "Email" },
        { title: "Orders", alignment: "end" },
        { title: "Spent", alignment: "end" },
        { title: "Last order" },
      ]}
      pagination={{
        hasPrevious: page > 1,
        onPrevious: () => navigate(`?page=${page - 1}`),
        hasNext: page < pages,
        onNext: () => navigate(`?page=${page + 1}`),
        label: `Page ${page} of ${pages}`,
      }}
    >
      {members.map((m, i) =>
        smDown ? (
          <IndexTable.Row id={m.id} key={m.id} position={i}>
            <div style={{ padding: "12px 16px" }}>
              <BlockStack gap="100">
                <Text as="span" fontWeight="semibold">
                  {name(m)}
                </Text>
                <Text as="span" tone="subdued">
                  {m.email ?? "No email"}
                </Text>
                <Text as="span" variant="bodySm">
                  {m.orders} orders · {m.spent} · last {m.lastOrderAt ? format.date(m.lastOrderAt) : "never"}
                </Text>
              </BlockStack>
            </div>
          </IndexTable.Row>
        ) : (
          <IndexTable.Row id={m.id} key={m.id} position={i}>
            <IndexTable.Cell>
              <Text as="span" fontWeight="semibold">
                {name(m)}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>{m.email ?? "—"}</IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {m.orders}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {m.spent}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>{m.lastOrderAt ? format.date(m.lastOrderAt) : "—"}</IndexTable.Cell>
          </IndexTable.Row>
        ),
      )}
    </IndexTable>
  );
}

export default function SegmentPage() {
  const s = useLoaderData<typeof loader>();
  const first = s.sizeOverTime[0]?.size ?? 0;
  const [deleting, setDeleting] = useState(false);
  const native = useFetcher<ActionData>();
  const copy = useDuplicateSegment(s.id);
  const csv = useCsvDownload();
  const toast = useToast();
  useEffect(() => {
    if (csv.error) toast(csv.error, { isError: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [csv.error]);
  const format = useShopFormat();
  return (
    <Page
      title={s.name}
      subtitle={s.query}
      backAction={{ content: "Segments", url: "/app/segments" }}
      secondaryActions={[
        { content: "Edit", url: `/app/segments/${s.id}/edit` },
        { content: "Duplicate", onAction: copy.duplicate, loading: copy.busy, disabled: copy.busy },
        // Using the segment: the CSV at once, the email tools and Shopify tags through the Exports page.
        {
          content: "Export CSV",
          loading: csv.busy,
          disabled: csv.busy,
          // No fields named: the default ones (the Exports page picks others).
          onAction: () => csv.start({ segmentId: s.id, fields: [], bom: true }),
        },
        { content: "Send to email or tags", url: `/app/exports?segment=${s.id}` },
        {
          content: "Create as a Shopify segment",
          disabled: !s.native.ok || native.state !== "idle",
          helpText: s.native.ok
            ? "Shopify's own segment, with this rule, for Shopify Email and discounts"
            : s.native.reason,
          onAction: () => native.submit({ intent: "native-segment" }, { method: "post" }),
        },
        { content: "Delete", destructive: true, onAction: () => setDeleting(true) },
      ]}
    >
      <Layout>
        {native.data && native.state === "idle" ? (
          <Layout.Section>
            <Banner tone={native.data.ok ? "success" : "critical"}>
              <p>{native.data.ok ? native.data.message : native.data.error}</p>
            </Banner>
          </Layout.Section>
        ) : !s.native.ok ? (
          <Layout.Section>
            <Text as="p" variant="bodySm" tone="subdued" id="native-segment-reason">
              Not offered as a Shopify segment: {s.native.reason}.
            </Text>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                <span id="segment-size">{s.memberCount.toLocaleString("en-US")}</span> customers ·{" "}
                <span id="segment-share">{shareOfCustomers(s.memberCount, s.shopCustomers)}</span> of your customers
              </Text>
              <Text as="p" variant="bodySm" tone="subdued" id="segment-change">
                {s.isNew
                  ? `New: created ${format.date(s.createdAt)}, so its history starts then`
                  : `${s.memberCount - first >= 0 ? "+" : ""}${format.count(s.memberCount - first)} over 30 days`}{" "}
                · last computed {s.lastComputedAt ? format.dateTime(s.lastComputedAt) : "never"}
              </Text>
              <SizeChart points={s.sizeOverTime} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
            <Card>
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  Average customer
                </Text>
                <Text as="p">Spent {s.profile.averageSpent}</Text>
                <Text as="p">{s.profile.averageOrders} orders</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  Top countries
                </Text>
                {s.profile.topCountries.length === 0 ? (
                  <Text as="p" tone="subdued">
                    —
                  </Text>
                ) : null}
                {s.profile.topCountries.map((c) => (
                  <Text as="p" key={c.code}>
                    {c.code}: {c.customers.toLocaleString("en-US")}
                  </Text>
                ))}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  Top products
                </Text>
                {s.profile.topProducts.length === 0 ? (
                  <Text as="p" tone="subdued">
                    —
                  </Text>
                ) : null}
                {s.profile.topProducts.map((p) => (
                  <Text as="p" key={p.title}>
                    {p.title}: {p.customers.toLocaleString("en-US")} customers
                  </Text>
                ))}
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <MembersTable members={s.members} page={s.page} pages={s.pages} demo={s.demo} />
          </Card>
        </Layout.Section>
      </Layout>
      <DeleteSegmentModal id={s.id} name={s.name} open={deleting} onClose={() => setDeleting(false)} />
    </Page>
  );
}

export { SegmentNotFoundBoundary as ErrorBoundary } from "~/components/SegmentNotFound";
