// Hierarchical clustering with Ward's linkage: each merge joins the two clusters whose union adds the
// least within-cluster variance. Built with the nearest-neighbour chain (Murtagh 1983; Ward is
// reducible, so the chain finds the same merges as the greedy algorithm) over a Lance–Williams update of
// the m×m matrix: O(m²) time and memory on a seeded sample of at most 2,000 customers; the rest join
// the cluster whose centroid is nearest. Merges are reported as scipy's linkage does (leaves 0..m−1,
// merge i makes cluster m+i), for a dendrogram.
import { centroidsOf, nearest, squaredDistance, type Points } from "./matrix";
import { sampleIndexes } from "./sample";

export type WardMerge = {
  /** Cluster ids joined: 0..m−1 are the sample's points, m+i the cluster made by merge i. */
  a: number;
  b: number;
  /** Ward distance: sqrt(2 · increase in within-cluster sum of squares), as scipy reports it. */
  height: number;
  size: number;
};

export type WardResult = {
  /** Indexes into the input of the points clustered hierarchically (all of them when n <= sampleSize). */
  sample: Int32Array;
  /** m − 1 merges in increasing height. */
  merges: WardMerge[];
};

/** Ward's hierarchy over the points (or a seeded sample of sampleSize, default 2,000). */
export function ward(points: Points, options: { sampleSize?: number; seed?: number } = {}): WardResult {
  const sample = sampleIndexes(points.n, options.sampleSize ?? 2000, options.seed ?? 42);
  const m = sample.length;
  if (m < 2) return { sample, merges: [] };
  // dist holds the squared Ward distances: for two points, their squared Euclidean distance.
  const dist = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const v = squaredDistance(points.data, sample[i]!, points.data, sample[j]!, points.d);
      dist[i * m + j] = v;
      dist[j * m + i] = v;
    }
  }
  const size = new Float64Array(m).fill(1);
  const active = new Uint8Array(m).fill(1);
  const raw: { a: number; b: number; d2: number }[] = [];
  const chain: number[] = [];
  let remaining = m;
  while (remaining > 1) {
    if (chain.length === 0) {
      let start = 0;
      while (!active[start]) start++;
      chain.push(start);
    }
    const top = chain[chain.length - 1]!;
    const previous = chain.length > 1 ? chain[chain.length - 2]! : -1;
    // nearest active cluster to top; the previous link wins ties, which guarantees termination
    let nn = previous;
    let nnDist = previous >= 0 ? dist[top * m + previous]! : Infinity;
    for (let j = 0; j < m; j++) {
      if (!active[j] || j === top) continue;
      const v = dist[top * m + j]!;
      if (v < nnDist) {
        nnDist = v;
        nn = j;
      }
    }
    if (nn !== previous) {
      chain.push(nn);
      continue;
    }
    chain.pop();
    chain.pop();
    const i = Math.min(top, nn);
    const j = Math.max(top, nn);
    raw.push({ a: i, b: j, d2: nnDist });
    // Lance–Williams for Ward on squared distances; the union lives in slot i.
    const ni = size[i]!;
    const nj = size[j]!;
    for (let k = 0; k < m; k++) {
      if (!active[k] || k === i || k === j) continue;
      const nk = size[k]!;
      const v = ((ni + nk) * dist[k * m + i]! + (nj + nk) * dist[k * m + j]! - nk * nnDist) / (ni + nj + nk);
      dist[k * m + i] = v;
      dist[i * m + k] = v;
    }
    size[i] = ni + nj;
    active[j] = 0;
    remaining--;
  }
  return { sample, merges: toLinkage(raw, m) };
}

/** The chain's merges (by slot) sorted by height and renamed to scipy's cluster ids. */
function toLinkage(raw: { a: number; b: number; d2: number }[], m: number): WardMerge[] {
  const order = raw.map((_, i) => i).sort((p, q) => raw[p]!.d2 - raw[q]!.d2 || p - q);
  const parent = Int32Array.from({ length: m }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const idOfRoot = Int32Array.from({ length: m }, (_, i) => i);
  const sizeOfRoot = new Float64Array(m).fill(1);
  return order.map((r, step) => {
    const { a, b, d2 } = raw[r]!;
    const ra = find(a);
    const rb = find(b);
    const ids = [idOfRoot[ra]!, idOfRoot[rb]!].sort((x, y) => x - y);
    const merged = sizeOfRoot[ra]! + sizeOfRoot[rb]!;
    parent[rb] = ra;
    idOfRoot[ra] = m + step;
    sizeOfRoot[ra] = merged;
    return { a: ids[0]!, b: ids[1]!, height: Math.sqrt(Math.max(0, d2)), size: merged };
  });
}

/**
 * Labels 0..k−1 for every input point: the sample cut where k clusters remain, the rest given to the
 * cluster with the nearest centroid. Labels are numbered by first appearance in the input.
 */
export function wardLabels(points: Points, result: WardResult, k: number): Int32Array {
  const { sample, merges } = result;
  const m = sample.length;
  if (!Number.isInteger(k) || k < 1 || k > Math.max(1, m))
    throw new RangeError(`k must be between 1 and ${m}, got ${k}`);
  const parent = Int32Array.from({ length: 2 * m }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (let step = 0; step < m - k; step++) {
    const { a, b } = merges[step]!;
    parent[find(a)] = m + step;
    parent[find(b)] = m + step;
  }
  const sampleLabels = new Int32Array(m);
  const rootLabel = new Map<number, number>();
  for (let s = 0; s < m; s++) {
    const root = find(s);
    let label = rootLabel.get(root);
    if (label === undefined) {
      label = rootLabel.size;
      rootLabel.set(root, label);
    }
    sampleLabels[s] = label;
  }
  const labels = new Int32Array(points.n).fill(-1);
  for (let s = 0; s < m; s++) labels[sample[s]!] = sampleLabels[s]!;
  if (m < points.n) {
    const samplePoints: Points = {
      data: Float64Array.from(
        { length: m * points.d },
        (_, t) => points.data[sample[Math.floor(t / points.d)]! * points.d + (t % points.d)]!,
      ),
      n: m,
      d: points.d,
    };
    const centroids = centroidsOf(samplePoints, sampleLabels, k);
    for (let i = 0; i < points.n; i++) if (labels[i] === -1) labels[i] = nearest(points, i, centroids, k).index;
  }
  // first appearance order over the whole input
  const order = new Int32Array(k).fill(-1);
  let next = 0;
  for (let i = 0; i < points.n; i++) if (order[labels[i]!] === -1) order[labels[i]!] = next++;
  return labels.map((c) => order[c]!);
}

/** One leaf of a cut dendrogram: a whole subtree of the sample drawn as one group. */
export type DendrogramLeaf = {
  /** Sample customers in the group. */
  size: number;
  /** Height of the group's own top merge (0 for a single customer). */
  height: number;
  /** The cluster (label of wardLabels) the group belongs to, or −1 when no labels were given. */
  cluster: number;
};

/** A merge drawn: `left` and `right` are nodes, 0..leaves−1 the leaves, leaves+i the merge i. */
export type DendrogramMerge = { left: number; right: number; height: number; size: number };

/**
 * The top of Ward's tree, readable: the last `maxLeaves − 1` merges, every subtree below them drawn as
 * one leaf with its size. Leaves are numbered in drawing order (a depth-first walk from the root, the
 * earlier-made side first), so no branch crosses another; merges come in increasing height, as in the
 * full linkage. `cutHeight` separates the top k − 1 merges from the rest when k is given: the level at
 * which the tree falls into the k clusters.
 */
export type Dendrogram = {
  sampleSize: number;
  leaves: DendrogramLeaf[];
  merges: DendrogramMerge[];
  cutHeight: number | null;
};

export function dendrogramTop(
  result: WardResult,
  { maxLeaves = 30, labels, k }: { maxLeaves?: number; labels?: Int32Array; k?: number } = {},
): Dendrogram {
  const { sample, merges } = result;
  const m = sample.length;
  if (m === 0) return { sampleSize: 0, leaves: [], merges: [], cutHeight: null };
  if (!Number.isInteger(maxLeaves) || maxLeaves < 2)
    throw new RangeError(`maxLeaves must be 2 or more, got ${maxLeaves}`);
  const kept = Math.min(merges.length, maxLeaves - 1);
  const first = merges.length - kept; // merges[first..] are drawn
  const isDrawn = (id: number) => id >= m + first;
  const size = (id: number) => (id < m ? 1 : merges[id - m]!.size);
  const height = (id: number) => (id < m ? 0 : merges[id - m]!.height);
  // Any one sample point of a subtree, for its cluster label.
  const anyPoint = (id: number): number => {
    while (id >= m) id = merges[id - m]!.a;
    return id;
  };
  const root = merges.length > 0 ? m + merges.length - 1 : 0;
  const leafOf = new Map<number, number>();
  const leaves: DendrogramLeaf[] = [];
  // Depth-first from the root without recursion: drawn merges open, anything else is a leaf.
  const stack = [root];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (isDrawn(id)) {
      const { a, b } = merges[id - m]!;
      stack.push(b, a); // a (the smaller id, the earlier-made side) is drawn first
      continue;
    }
    leafOf.set(id, leaves.length);
    leaves.push({
      size: size(id),
      height: height(id),
      cluster: labels ? labels[sample[anyPoint(id)]!]! : -1,
    });
  }
  const node = (id: number) => (isDrawn(id) ? leaves.length + (id - m - first) : leafOf.get(id)!);
  const drawn = merges.slice(first).map((g) => ({ left: node(g.a), right: node(g.b), height: g.height, size: g.size }));
  let cutHeight: number | null = null;
  if (k !== undefined && k >= 2 && k <= merges.length) {
    const below = merges[merges.length - k]!.height; // the highest merge inside a cluster
    const above = merges[merges.length - k + 1]!.height; // the lowest merge that joins two clusters
    cutHeight = (below + above) / 2;
  }
  return { sampleSize: m, leaves, merges: drawn, cutHeight };
}
