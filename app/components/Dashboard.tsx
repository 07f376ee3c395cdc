// The home page's charts: revenue and orders week by week, new and returning customers, the largest
// segments' sizes over 30 days. Each has its table; each row opens the customers behind it. Weeks and
// days are the shop's own (its time zone), as the loader counted them.
import { BlockStack, InlineGrid } from "@shopify/polaris";
import { formatMinor } from "~/domain/money";
import { weekQueries } from "~/models/dashboard";
import { formatDay, formatMoney } from "./format";
import { BarChart, ChartCard, FigureTable, LineChart, TABLE_CSS } from "./charts";

type Week = {
  week: string;
  last: string;
  revenueMinor: string;
  orders: number;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
};
type SegmentSeries = { id: number; name: string; query: string; sizes: { day: string; size: number | null }[] };

const sizeText = (size: number | null | undefined) =>
  size === null || size === undefined ? "not made yet" : size.toLocaleString("en-US");

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
  return (
    <BlockStack gap="400">
      <style dangerouslySetInnerHTML={{ __html: TABLE_CSS }} />
      <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
        <ChartCard
          id="chart-revenue"
          title="Revenue and orders by week"
          description={`Revenue (order totals less refunds) and orders for each of the last ${weeks.length} weeks, Monday to Sunday in your store's time zone.`}
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
            headers={["Week of", "Revenue", "Orders", "Customers"]}
            rows={recent.map((w) => ({
              cells: [
                formatDay(w.week),
                formatMoney(w.revenueMinor, currencyCode),
                w.orders.toLocaleString("en-US"),
                w.customers.toLocaleString("en-US"),
              ],
              query: weekQueries(w).ordered,
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
            caption="New customers, the last 8 weeks"
            headers={["Week of", "New"]}
            rows={recent.map((w) => ({
              cells: [formatDay(w.week), w.newCustomers.toLocaleString("en-US")],
              query: weekQueries(w).fresh,
              name: `New in the week of ${w.week}`,
            }))}
          />
          <FigureTable
            id="table-returning"
            caption="Returning customers, the last 8 weeks"
            headers={["Week of", "Returning"]}
            rows={recent.map((w) => ({
              cells: [formatDay(w.week), w.returningCustomers.toLocaleString("en-US")],
              query: weekQueries(w).returning,
              name: `Returning in the week of ${w.week}`,
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
            : "Members of your largest segments at the end of each day; a segment's line starts on the day it was made."
        }
        chart={segments.length === 0 ? undefined : () => <LineChart data={sizes} />}
      >
        {segments.length === 0 ? null : (
          <FigureTable
            id="table-segments"
            caption="Size today and 30 days ago"
            headers={["Segment", "Today", "30 days ago"]}
            rows={segments.map((s) => ({
              cells: [s.name, sizeText(s.sizes.at(-1)?.size), sizeText(s.sizes[0]?.size)],
              href: `/app/segments/${s.id}`,
            }))}
          />
        )}
      </ChartCard>
    </BlockStack>
  );
}
