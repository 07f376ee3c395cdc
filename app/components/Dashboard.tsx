// The home page's charts: revenue and orders week by week, new and returning customers, the largest
// segments' sizes over 30 days. Each has its table; each row opens the customers behind it.
import { BlockStack, InlineGrid } from "@shopify/polaris";
import { formatMinor } from "~/domain/money";
import { formatDay, formatMoney } from "./format";
import { BarChart, ChartCard, FigureTable, LineChart, TABLE_CSS } from "./charts";

type Week = { week: string; revenueMinor: string; orders: number; newCustomers: number; returningCustomers: number };
type SegmentSeries = { id: number; name: string; query: string; sizes: { day: string; size: number }[] };

const addDays = (ymd: string, days: number) =>
  new Date(Date.parse(`${ymd}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function Dashboard({
  weeks,
  segments,
  currencyCode,
}: {
  weeks: Week[];
  segments: SegmentSeries[];
  currencyCode: string;
}) {
  const money = (minor: string) => Number(formatMinor(BigInt(minor), currencyCode));
  const revenue = [
    { name: `Revenue (${currencyCode})`, data: weeks.map((w) => ({ key: w.week, value: money(w.revenueMinor) })) },
  ];
  const orders = [{ name: "Orders", data: weeks.map((w) => ({ key: w.week, value: w.orders })) }];
  const customers = [
    { name: "New", data: weeks.map((w) => ({ key: w.week, value: w.newCustomers })) },
    { name: "Returning", data: weeks.map((w) => ({ key: w.week, value: w.returningCustomers })) },
  ];
  const sizes = segments.map((s) => ({ name: s.name, data: s.sizes.map((p) => ({ key: p.day, value: p.size })) }));
  const recent = weeks.slice(-8).reverse();
  const ordered = (w: Week) => `orders_placed MATCHES (date BETWEEN ${w.week} AND ${addDays(w.week, 6)})`;
  return (
    <BlockStack gap="400">
      <style dangerouslySetInnerHTML={{ __html: TABLE_CSS }} />
      <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
        <ChartCard
          id="chart-revenue"
          title="Revenue and orders by week"
          description={`Revenue (order totals less refunds) and orders for each of the last ${weeks.length} weeks, starting Mondays.`}
          height={340}
          chart={() => (
            <BlockStack gap="200">
              <div style={{ height: 160 }}>
                <LineChart data={revenue} />
              </div>
              <div style={{ height: 160 }}>
                <BarChart data={orders} />
              </div>
            </BlockStack>
          )}
        >
          <FigureTable
            id="table-revenue"
            caption="The last 8 weeks"
            headers={["Week of", "Revenue", "Orders"]}
            rows={recent.map((w) => ({
              cells: [formatDay(w.week), formatMoney(w.revenueMinor, currencyCode), w.orders.toLocaleString("en-US")],
              query: ordered(w),
              name: `Ordered in the week of ${w.week}`,
            }))}
          />
        </ChartCard>
        <ChartCard
          id="chart-customers"
          title="New and returning customers"
          description="Customers who ordered each week: for the first time (new), or again (returning)."
          chart={() => <BarChart data={customers} type="stacked" />}
        >
          <FigureTable
            id="table-customers"
            caption="The last 8 weeks"
            headers={["Week of", "New", "Returning"]}
            rows={recent.map((w) => ({
              cells: [
                formatDay(w.week),
                w.newCustomers.toLocaleString("en-US"),
                w.returningCustomers.toLocaleString("en-US"),
              ],
              query: `first_order_date BETWEEN ${w.week} AND ${addDays(w.week, 6)}`,
              name: `New in the week of ${w.week}`,
            }))}
          />
        </ChartCard>
      </InlineGrid>
      <ChartCard
        id="chart-segments"
        title="Your segments over the last 30 days"
        description={
          segments.length === 0
            ? "No segments yet: make one on the Segments page, or start from a template."
            : "Members of your largest segments at the end of each day."
        }
        chart={segments.length === 0 ? undefined : () => <LineChart data={sizes} />}
      >
        {segments.length === 0 ? null : (
          <FigureTable
            id="table-segments"
            caption="Size today and 30 days ago"
            headers={["Segment", "Today", "30 days ago"]}
            rows={segments.map((s) => ({
              cells: [
                s.name,
                (s.sizes.at(-1)?.size ?? 0).toLocaleString("en-US"),
                (s.sizes[0]?.size ?? 0).toLocaleString("en-US"),
              ],
              href: `/app/segments/${s.id}`,
            }))}
          />
        )}
      </ChartCard>
    </BlockStack>
  );
}
