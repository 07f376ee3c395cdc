import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { BlockStack, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { requireAdmin } from "~/auth.server";
import { DeleteSegmentModal, skipRevalidationAfterDelete } from "~/components/DeleteSegmentModal";
import { formatDate, formatDateTime } from "~/components/format";
import { db } from "~/db.server";
import { parseSegmentId } from "~/domain/segments/segment-id";
import { segmentDetail } from "~/models/segments/read-models.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const id = parseSegmentId(params.id);
  // Whole pages only: anything else in the URL (1.5, -3, 1e9, text) is the first page.
  const asked = Number(new URL(request.url).searchParams.get("page") ?? "1");
  const page = Number.isSafeInteger(asked) && asked >= 1 && asked <= 1_000_000 ? asked : 1;
  const detail = id === null ? null : await segmentDetail(db, { shop, id, now: new Date(), page });
  if (!detail) throw new Response("No such segment", { status: 404 });
  return { ...detail, lastComputedAt: detail.lastComputedAt?.toISOString() ?? null };
};

export const shouldRevalidate: ShouldRevalidateFunction = skipRevalidationAfterDelete;

/** Size over the last 30 days as a plain SVG line: small, and nothing to load in the admin. */
function SizeChart({ points }: { points: { day: string; size: number }[] }) {
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...points.map((p) => p.size));
  const x = (i: number) => (i / Math.max(1, points.length - 1)) * (width - 8) + 4;
  const y = (v: number) => height - 4 - (v / max) * (height - 8);
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.size).toFixed(1)}`).join(" ");
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      height={height}
      preserveAspectRatio="none"
      role="img"
      aria-label="Segment size over the last 30 days"
    >
      <title>{points.map((p) => `${p.day}: ${p.size.toLocaleString("en-US")}`).join("\n")}</title>
      <path d={path} fill="none" stroke="#1f5199" strokeWidth="2" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

export default function SegmentPage() {
  const s = useLoaderData<typeof loader>();
  const first = s.sizeOverTime[0]?.size ?? 0;
  const [deleting, setDeleting] = useState(false);
  return (
    <Page
      title={s.name}
      subtitle={s.query}
      backAction={{ content: "Segments", url: "/app/segments" }}
      secondaryActions={[
        { content: "Edit", url: `/app/segments/${s.id}/edit` },
        { content: "Delete", destructive: true, onAction: () => setDeleting(true) },
      ]}
      pagination={{
        hasPrevious: s.page > 1,
        previousURL: `?page=${s.page - 1}`,
        hasNext: s.page < s.pages,
        nextURL: `?page=${s.page + 1}`,
        label: `Page ${s.page} of ${s.pages}`,
      }}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                <span id="segment-size">{s.memberCount.toLocaleString("en-US")}</span> customers
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                {s.memberCount - first >= 0 ? "+" : ""}
                {(s.memberCount - first).toLocaleString("en-US")} over 30 days (UTC days) · last computed{" "}
                {s.lastComputedAt ? formatDateTime(s.lastComputedAt) : "never"}
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
          <Card>
            <DataTable
              columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
              headings={["Customer", "Email", "Orders", "Spent", "Last order"]}
              rows={s.members.map((m) => [
                m.name,
                m.email ?? "—",
                m.orders,
                m.spent,
                m.lastOrderAt ? formatDate(m.lastOrderAt) : "—",
              ])}
            />
          </Card>
        </Layout.Section>
      </Layout>
      <DeleteSegmentModal id={s.id} name={s.name} open={deleting} onClose={() => setDeleting(false)} />
    </Page>
  );
}
