// The insights page's figures. Every number is a segment query's count (app/models/insights.server.ts)
// and links to those customers as a segment preview; every chart has its table.
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import { heatColors } from "~/components/heat";
import { displayMoney } from "~/domain/money";
import type { Cell, FitView, Insights } from "~/models/insights.server";
import type { ClusterProfile } from "~/domain/models/profile";
import type { Dendrogram as Tree } from "~/domain/models/ward";
import { formatRate } from "~/models/predictions/settings";
import { BarChart, ChartCard, FigureTable, LineChart, previewHref, SimpleBarChart, TABLE_CSS } from "./charts";
import { CLUSTER_COLORS, Dendrogram, DENDROGRAM_CSS } from "./Dendrogram";

type BacktestView = {
  status: string;
  summary: string;
  cutoff: string;
  holdoutDays: number;
  holdoutWeeks: { week: number; expected: number; actual: number }[];
  groups: { frequency: string; customers: number; meanExpected: number; meanActual: number }[];
  relativeError: number | null;
  meanAbsoluteError: number | null;
};

const count = (n: number) => n.toLocaleString("en-US");
const fmtDate = (iso: string) => iso.slice(0, 10);

function cellSeries(name: string, cells: Cell[]) {
  return [{ name, data: cells.map((c) => ({ key: c.label, value: c.count })) }];
}

function cellRows(cells: Cell[]) {
  return cells.map((c) => ({ cells: [c.label, count(c.count)], query: c.query, name: c.label }));
}

export function RfmGrid({ grid }: { grid: Insights["grid"] }) {
  const max = Math.max(1, ...grid.cells.flat().map((c) => c.count));
  return (
    <table id="rfm-grid" className="tailored-table tailored-grid">
      <caption className="tailored-caption">
        Customers by days since their last order (rows) and number of orders (columns). Open a cell to see its
        customers.
      </caption>
      <thead>
        <tr>
          <th scope="col">Last order</th>
          {grid.frequency.map((f) => (
            <th key={f} scope="col">
              {f}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {grid.cells.map((row, i) => (
          <tr key={grid.recency[i]}>
            <th scope="row">{grid.recency[i]}</th>
            {row.map((cell) => {
              const colors = heatColors(cell.count / max);
              return (
                <td key={cell.label} style={{ background: colors.background, color: colors.color }}>
                  <Link
                    style={{ color: colors.color }}
                    to={previewHref(cell.query, cell.label)}
                    data-query={cell.query}
                    data-count={cell.count}
                    aria-label={`${cell.label}: ${count(cell.count)} customers`}
                  >
                    {count(cell.count)}
                  </Link>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FitStatus({ bgnbd, failure }: { bgnbd: FitView | null; failure: Insights["lastFailure"] }) {
  const navigation = useNavigation();
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Predictions
          </Text>
          <Form method="post">
            <input type="hidden" name="intent" value="refit" />
            <Button submit loading={navigation.state === "submitting"}>
              Refit now
            </Button>
          </Form>
        </InlineStack>
        <Text as="p" id="fit-status">
          {bgnbd
            ? `Fitted on ${count(bgnbd.n)} customers with orders on ${fmtDate(bgnbd.fittedAt)} (BG/NBD${
                bgnbd.converged ? "" : ", optimizer stopped early"
              }). Refitted every night.`
            : "Not fitted yet: predictions appear after the first nightly refit, or now with Refit now."}
        </Text>
        {failure ? (
          <Banner tone="warning" title={`The last ${failure.kind} fit on ${fmtDate(failure.at)} could not be made`}>
            <p>{failure.reason}</p>
          </Banner>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** How the customers are clustered: the merchant picks k-means or Ward, and k or "best by silhouette". */
function ClusterForm({ method, k }: { method: "kmeans" | "ward"; k: string }) {
  const navigation = useNavigation();
  const result = useActionData() as { ok: boolean; intent?: string; error?: string; message?: string } | undefined;
  const mine = result?.intent === "cluster" ? result : undefined;
  const [chosen, setChosen] = useState<string>(method);
  const [size, setSize] = useState(k);
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "cluster";
  return (
    <Form method="post" id="cluster-form">
      <input type="hidden" name="intent" value="cluster" />
      <BlockStack gap="200">
        {mine && !mine.ok ? <Banner tone="critical">{mine.error}</Banner> : null}
        {mine?.ok ? <Banner tone="success">{mine.message}</Banner> : null}
        <InlineGrid columns={{ xs: 1, sm: 2 }} gap="200">
          <Select
            label="Method"
            name="method"
            id="cluster-method"
            value={chosen}
            onChange={setChosen}
            options={[
              { label: "k-means", value: "kmeans" },
              { label: "Ward (hierarchical, with its tree)", value: "ward" },
            ]}
          />
          <Select
            label="Number of clusters"
            name="k"
            id="cluster-k"
            value={size}
            onChange={setSize}
            options={[
              { label: "Best fit (2 to 8)", value: "" },
              ...[2, 3, 4, 5, 6, 7, 8].map((n) => ({ label: String(n), value: String(n) })),
            ]}
          />
        </InlineGrid>
        <InlineStack>
          <Button submit loading={busy}>
            Cluster again
          </Button>
        </InlineStack>
        <Text as="p" variant="bodySm" tone="subdued">
          Kept for the nightly refit.
        </Text>
      </BlockStack>
    </Form>
  );
}

/** Each cluster at (median days since the last order, median spend), its area by its size. */
function ClusterMap({ profiles, currency }: { profiles: ClusterProfile[]; currency: string }) {
  const W = 520;
  const H = 260;
  const pad = 44;
  const maxX = Math.max(1, ...profiles.map((p) => p.medianDaysSinceLastOrder));
  const maxY = Math.max(1, ...profiles.map((p) => p.medianSpend));
  const maxSize = Math.max(1, ...profiles.map((p) => p.size));
  const colors = CLUSTER_COLORS;
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-label="Clusters placed by median days since the last order (across) and median spend (up); bigger circles have more customers. The table below holds the same figures."
    >
      <line x1={pad} y1={H - pad} x2={W - 10} y2={H - pad} stroke="#8a8a8a" />
      <line x1={pad} y1={10} x2={pad} y2={H - pad} stroke="#8a8a8a" />
      <text x={W / 2} y={H - 8} textAnchor="middle" fontSize="11">
        median days since last order
      </text>
      <text x={12} y={H / 2} fontSize="11" transform={`rotate(-90 12 ${H / 2})`} textAnchor="middle">
        median spend ({currency})
      </text>
      {profiles.map((p, i) => {
        const x = pad + (p.medianDaysSinceLastOrder / maxX) * (W - pad - 30);
        const y = H - pad - (p.medianSpend / maxY) * (H - pad - 30);
        const r = 6 + 24 * Math.sqrt(p.size / maxSize);
        return (
          <g key={p.cluster}>
            <circle cx={x} cy={y} r={r} fill={colors[i % colors.length]} fillOpacity={0.55} />
            <text x={x} y={y - r - 3} textAnchor="middle" fontSize="10">
              {p.name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function InsightsView({ data }: { data: Insights }) {
  const money = (minor: number) => displayMoney(BigInt(Math.round(minor)), data.currencyCode);
  const clusters =
    (data.fits.clusters?.details as {
      profiles?: ClusterProfile[];
      method?: string;
      dendrogram?: Tree | null;
    } | null) ?? null;
  const fixedK = data.fits.clusters?.params.fixedK;
  const profiles = clusters?.profiles ?? [];
  const backtest = (data.fits.backtest?.details as BacktestView | null) ?? null;
  const predicted = data.churn.some((c) => c.count > 0);
  // The rate the stored values were discounted at (fits before the setting existed used 10 %).
  const fittedRate = data.fits.bgnbd?.params.discountRatePercent;
  const clvRate = typeof fittedRate === "number" ? fittedRate : predicted ? 10 : data.discountRatePercent;
  return (
    <BlockStack gap="400">
      <style dangerouslySetInnerHTML={{ __html: TABLE_CSS + DENDROGRAM_CSS }} />
      <FitStatus bgnbd={data.fits.bgnbd} failure={data.lastFailure} />
      <ChartCard
        id="insight-rfm"
        title="Recency × frequency"
        description="How recently and how often your customers buy: each cell counts the customers with that many orders whose last order falls in that range. Darker cells hold more customers."
      >
        <RfmGrid grid={data.grid} />
      </ChartCard>
      <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
        <ChartCard
          id="insight-lifecycle"
          title="Lifecycle"
          description="Customers by lifecycle stage, from prospects to loyal buyers, and those lapsing or lapsed."
          chart={() => <SimpleBarChart data={cellSeries("Customers", data.lifecycle)} />}
        >
          <FigureTable
            id="table-lifecycle"
            caption="Customers by stage"
            headers={["Stage", "Customers"]}
            rows={cellRows(data.lifecycle)}
          />
        </ChartCard>
        <ChartCard
          id="insight-churn"
          title="Churn risk"
          description={
            predicted
              ? "Customers by the probability that they have stopped buying: low below 33%, medium 33–66%, high above 66%."
              : "Appears once the predictions have been fitted."
          }
          chart={predicted ? () => <SimpleBarChart data={cellSeries("Customers", data.churn)} /> : undefined}
        >
          <FigureTable
            id="table-churn"
            caption="Customers by churn risk"
            headers={["Risk", "Customers"]}
            rows={cellRows(data.churn)}
          />
          <FigureTable
            id="table-tiers"
            caption="Predicted spend tier (next 12 months)"
            headers={["Tier", "Customers"]}
            rows={cellRows(data.tiers)}
          />
        </ChartCard>
      </InlineGrid>
      <ChartCard
        id="insight-clv"
        title={`CLV over 12 months at ${formatRate(clvRate)} a year`}
        description={`Customers by what they are expected to spend over the next 12 months (BG/NBD × Gamma-Gamma), discounted at ${formatRate(clvRate)} a year.${
          clvRate !== data.discountRatePercent
            ? ` Your new rate of ${formatRate(data.discountRatePercent)} applies from the next refit.`
            : ""
        }`}
        chart={predicted ? () => <BarChart data={cellSeries("Customers", data.clv)} /> : undefined}
      >
        <FigureTable
          id="table-clv"
          caption="Customers by predicted 12-month value"
          headers={["Predicted value", "Customers"]}
          rows={cellRows(data.clv)}
        />
      </ChartCard>
      <ChartCard
        id="insight-clusters"
        title="Kinds of customers"
        description={
          profiles.length > 0
            ? `${profiles.length} clusters found by ${clusters?.method === "ward" ? "Ward's hierarchical clustering" : "k-means"} on recency, frequency, spend, order value, tenure and product mix; each named from how it compares with your whole shop.`
            : "Appears once the customers have been clustered."
        }
      >
        <ClusterForm
          method={clusters?.method === "ward" ? "ward" : "kmeans"}
          k={typeof fixedK === "number" ? String(fixedK) : ""}
        />
        {profiles.length > 0 ? (
          <>
            {clusters?.method === "ward" && clusters.dendrogram && clusters.dendrogram.leaves.length > 1 ? (
              <Dendrogram tree={clusters.dendrogram} names={profiles.map((p) => p.name)} />
            ) : null}
            <ClusterMap profiles={profiles} currency={data.currencyCode} />
            <FigureTable
              id="table-clusters"
              caption="Cluster profiles (medians)"
              headers={["Cluster", "Customers", "Spend", "Orders", "Days since last order", "Top product types"]}
              rows={profiles.map((p) => ({
                cells: [
                  p.name,
                  count(p.size),
                  money(p.medianSpend),
                  String(p.medianOrders),
                  String(p.medianDaysSinceLastOrder),
                  p.topProductTypes.join(", ") || "—",
                ],
                query: `cluster = '${p.name.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`,
                name: p.name,
              }))}
            />
          </>
        ) : null}
      </ChartCard>
      <ChartCard
        id="insight-backtest"
        title="How good are these predictions for your shop?"
        description={
          backtest
            ? backtest.summary
            : "Appears after the first refit: the model is refitted on your orders before the last quarter and its predictions compared with what your customers then did."
        }
        chart={
          backtest && backtest.status === "ok"
            ? () => (
                <LineChart
                  data={[
                    {
                      name: "Expected",
                      data: backtest.holdoutWeeks.map((w) => ({
                        key: `week ${w.week}`,
                        value: Math.round(w.expected),
                      })),
                    },
                    {
                      name: "Actual",
                      data: backtest.holdoutWeeks.map((w) => ({ key: `week ${w.week}`, value: w.actual })),
                    },
                  ]}
                />
              )
            : undefined
        }
      >
        {backtest && backtest.status === "ok" ? (
          <FigureTable
            id="table-backtest"
            caption={`Repeat orders per customer in the ${backtest.holdoutDays} days after ${backtest.cutoff}, by orders before it`}
            headers={["Repeat orders before", "Customers", "Expected each", "Actual each"]}
            rows={backtest.groups.map((g) => ({
              cells: [g.frequency, count(g.customers), g.meanExpected.toFixed(2), g.meanActual.toFixed(2)],
            }))}
          />
        ) : null}
      </ChartCard>
    </BlockStack>
  );
}
