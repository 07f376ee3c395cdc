// Ward's dendrogram on the Insights page: the top of the merge tree of the clustered sample
// (app/domain/models/ward.ts, dendrogramTop), drawn as SVG that scales to its card (a phone too), each
// group below the drawn merges a triangle coloured by its cluster, the cut into k clusters dashed. Its
// text alternative is the legend and a table of the same merges, from the top.
import type { Dendrogram as Tree } from "~/domain/models/ward";

export const CLUSTER_COLORS = ["#005bd3", "#8051ff", "#d82c0d", "#29845a", "#b98900", "#0094d5", "#c4458f", "#5c5f62"];
const GREY = "#616161";

const count = (n: number) => n.toLocaleString("en-US");

/** x of every node (leaves evenly spread, a merge over the middle of its two sides) and y (its height). */
function layout(tree: Tree, width: number, top: number, bottom: number) {
  const n = tree.leaves.length;
  const step = width / n;
  const x: number[] = tree.leaves.map((_, i) => step * (i + 0.5));
  const heights = [...tree.leaves.map((l) => l.height), ...tree.merges.map((g) => g.height)];
  for (const g of tree.merges) x.push((x[g.left]! + x[g.right]!) / 2);
  const max = Math.max(1e-12, ...heights);
  const y = (h: number) => bottom - (h / max) * (bottom - top);
  return { x, y, heights, step };
}

/** The cluster a node lies in, or −1 when it joins clusters (above the cut). */
function clusterOf(tree: Tree): number[] {
  const out = tree.leaves.map((l) => l.cluster);
  for (const g of tree.merges) out.push(out[g.left] === out[g.right] ? out[g.left]! : -1);
  return out;
}

export function Dendrogram({ tree, names }: { tree: Tree; names: string[] }) {
  const W = 640;
  const H = 280;
  const top = 16;
  const base = H - 40;
  const { x, y, heights, step } = layout(tree, W, top, base);
  const clusters = clusterOf(tree);
  const color = (c: number) => (c >= 0 ? CLUSTER_COLORS[c % CLUSTER_COLORS.length]! : GREY);
  const leaves = tree.leaves.length;
  // Runs of leaves of one cluster, for the numbers under the tree.
  const runs: { cluster: number; from: number; to: number }[] = [];
  tree.leaves.forEach((l, i) => {
    const last = runs.at(-1);
    if (last && last.cluster === l.cluster) last.to = i;
    else runs.push({ cluster: l.cluster, from: i, to: i });
  });
  const nodeName = (node: number): string => {
    if (node < leaves) {
      const leaf = tree.leaves[node]!;
      const cluster = leaf.cluster >= 0 ? ` (${names[leaf.cluster] ?? `cluster ${leaf.cluster + 1}`})` : "";
      return `${leaf.size === 1 ? "1 customer" : `a group of ${count(leaf.size)}`}${cluster}`;
    }
    return `merge ${tree.merges.length - (node - leaves)}`;
  };
  const k = runs.length;
  return (
    <div id="ward-dendrogram">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-labelledby="ward-dendrogram-summary"
        style={{ maxWidth: "100%", height: "auto" }}
      >
        {tree.cutHeight !== null ? (
          <g>
            <line x1={0} x2={W} y1={y(tree.cutHeight)} y2={y(tree.cutHeight)} stroke="#8a8a8a" strokeDasharray="6 4" />
            <text x={W - 4} y={y(tree.cutHeight) - 4} textAnchor="end" fontSize="12">
              cut into {k} clusters
            </text>
          </g>
        ) : null}
        {tree.leaves.map((leaf, i) => {
          // A group drawn as a triangle from its width at the base up to where its own merges end.
          const half = Math.max(1, step * 0.42);
          const apex = leaf.size > 1 ? y(leaf.height) : base;
          return (
            <polygon
              key={`leaf-${i}`}
              points={`${x[i]! - half},${base} ${x[i]! + half},${base} ${x[i]!},${apex}`}
              fill={color(leaf.cluster)}
              fillOpacity={0.6}
              stroke={color(leaf.cluster)}
            />
          );
        })}
        {tree.merges.map((g, j) => {
          const node = leaves + j;
          const h = y(heights[node]!);
          return (
            <path
              key={`merge-${j}`}
              d={`M${x[g.left]!},${y(heights[g.left]!)} V${h} H${x[g.right]!} V${y(heights[g.right]!)}`}
              fill="none"
              stroke={color(clusters[node]!)}
              strokeWidth={2}
            />
          );
        })}
        {runs.map((r) => (
          <text
            key={`run-${r.from}`}
            x={(x[r.from]! + x[r.to]!) / 2}
            y={base + 22}
            textAnchor="middle"
            fontSize="16"
            fontWeight="600"
            fill={color(r.cluster)}
          >
            {r.cluster >= 0 ? r.cluster + 1 : ""}
          </text>
        ))}
      </svg>
      <p id="ward-dendrogram-summary" className="tailored-caption" style={{ fontWeight: 400 }}>
        Ward&apos;s tree of the {count(tree.sampleSize)} customers it was built on: lower joins are more alike
        customers. The top {tree.merges.length} joins are drawn; each triangle is a group joined below them.
        {tree.cutHeight !== null ? ` The dashed line cuts the tree into the ${k} clusters numbered below it.` : ""}
      </p>
      <ul className="tailored-legend">
        {runs
          .filter((r, i, all) => r.cluster >= 0 && all.findIndex((o) => o.cluster === r.cluster) === i)
          .map((r) => (
            <li key={r.cluster}>
              <span aria-hidden="true" style={{ background: color(r.cluster) }} />
              {r.cluster + 1}: {names[r.cluster] ?? `cluster ${r.cluster + 1}`}
            </li>
          ))}
      </ul>
      <details>
        <summary>The tree as a table</summary>
        <table id="table-dendrogram" className="tailored-table">
          <caption className="tailored-caption">The joins drawn, from the top (the last made)</caption>
          <thead>
            <tr>
              <th scope="col">Join</th>
              <th scope="col">Joins</th>
              <th scope="col">Customers</th>
              <th scope="col">Distance</th>
            </tr>
          </thead>
          <tbody>
            {tree.merges
              .map((g, j) => ({ g, number: tree.merges.length - j }))
              .reverse()
              .map(({ g, number }) => (
                <tr key={number}>
                  <th scope="row">merge {number}</th>
                  <td>
                    {nodeName(g.left)} and {nodeName(g.right)}
                  </td>
                  <td>{count(g.size)}</td>
                  <td>{g.height.toFixed(2)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

export const DENDROGRAM_CSS = `
.tailored-legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; margin: 0; font-size: 13px; }
.tailored-legend span { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
#ward-dendrogram details summary { cursor: pointer; padding: 4px 0; }
#ward-dendrogram td:nth-child(2) { text-align: left; }
`;
