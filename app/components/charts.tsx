// Charts for the admin pages: @shopify/polaris-viz drawn in the browser only (it reads `navigator` and
// measures its container, which the server cannot), each with its text alternative — a table of the same
// numbers, every row linking to the customers behind it — rendered on the server too, so the figures
// are there before the script runs and for screen readers.
import { Link } from "@remix-run/react";
import { BlockStack, Card, Text } from "@shopify/polaris";
import { PolarisVizProvider } from "@shopify/polaris-viz";
import { useEffect, useState, type ReactNode } from "react";

export { BarChart, LineChart, SimpleBarChart } from "@shopify/polaris-viz";
export type { DataSeries } from "@shopify/polaris-viz";

/** Renders `children` after hydration only. */
export function ClientOnly({ children, height = 240 }: { children: () => ReactNode; height?: number }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!mounted) return <div style={{ height }} aria-hidden="true" />;
  // The drawing repeats the table beside it: out of the accessibility tree and out of the tab order
  // (inert), so a keyboard never lands in a chart a screen reader cannot see.
  return (
    <PolarisVizProvider>
      <div style={{ height }} aria-hidden="true" {...{ inert: "" }}>
        {children()}
      </div>
    </PolarisVizProvider>
  );
}

/** A segment preview of a query: the editor with the query filled in, counting and listing its customers. */
export function previewHref(query: string, name?: string): string {
  const params = new URLSearchParams({ query });
  if (name) params.set("name", name);
  return `/app/segments/new?${params.toString()}`;
}

export type TableRow = { cells: ReactNode[]; query?: string; name?: string; href?: string };

export function FigureTable({
  id,
  caption,
  headers,
  rows,
}: {
  id: string;
  caption: string;
  headers: string[];
  rows: TableRow[];
}) {
  return (
    <table id={id} className="tailored-table">
      <caption className="tailored-caption">{caption}</caption>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
          <th scope="col">Customers behind it</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {row.cells.map((cell, j) =>
              j === 0 ? (
                <th key={j} scope="row">
                  {cell}
                </th>
              ) : (
                <td key={j}>{cell}</td>
              ),
            )}
            <td>
              {row.href ? (
                <Link to={row.href}>Open</Link>
              ) : row.query ? (
                <Link to={previewHref(row.query, row.name)}>Preview</Link>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A card: title, a sentence that says what the chart shows (its aria description), the chart, its table. */
export function ChartCard({
  id,
  title,
  description,
  chart,
  height = 240,
  children,
}: {
  id: string;
  title: string;
  description: string;
  chart?: () => ReactNode;
  /** The drawing's whole height, reserved before it draws (so nothing below it moves or is covered). */
  height?: number;
  children?: ReactNode;
}) {
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd" id={`${id}-title`}>
            {title}
          </Text>
          <Text as="p" tone="subdued" id={`${id}-description`}>
            {description}
          </Text>
          {chart ? (
            <figure role="group" aria-describedby={`${id}-description`} style={{ margin: 0 }}>
              <ClientOnly height={height}>{chart}</ClientOnly>
            </figure>
          ) : null}
          {children}
        </BlockStack>
      </Card>
    </section>
  );
}

/** The tables' look: plain, compact, readable without the chart. */
export const TABLE_CSS = `
.tailored-table { border-collapse: collapse; width: 100%; font-size: 13px; }
.tailored-table th, .tailored-table td { border-bottom: 1px solid #e3e3e3; padding: 4px 8px; text-align: right; }
.tailored-table th[scope="row"], .tailored-table thead th:first-child { text-align: left; }
.tailored-caption { text-align: left; font-weight: 600; padding: 4px 0; }
.tailored-grid td a { display: block; padding: 8px; text-decoration: none; color: inherit; }
`;
