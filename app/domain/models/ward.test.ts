import { describe, expect, it } from "vitest";
import { createRandom } from "~/demo/random";
import { pointsFrom, type Points } from "./matrix";
import { dendrogramTop, ward, wardLabels, type Dendrogram } from "./ward";

function blobs(k: number, perBlob: number, seed: number): Points {
  const random = createRandom(seed);
  const centres = Array.from({ length: k }, () => [random.next() * 50, random.next() * 50]);
  return pointsFrom(Array.from({ length: k * perBlob }, (_, i) => centres[i % k]!.map((c) => c + random.normal())));
}

/** Each node's range of leaves in drawing order; throws if a merge's sides are not side by side. */
function ranges(tree: Dendrogram): [number, number][] {
  const out: [number, number][] = tree.leaves.map((_, i) => [i, i]);
  for (const g of tree.merges) {
    const l = out[g.left]!;
    const r = out[g.right]!;
    if (l[1] + 1 !== r[0]) throw new Error(`merge of ${l} and ${r} crosses`);
    out.push([l[0], r[1]]);
  }
  return out;
}

describe("the top of Ward's dendrogram", () => {
  const points = blobs(4, 40, 11);
  const result = ward(points, { seed: 3 });
  const labels = wardLabels(points, result, 4);

  it("keeps the last merges, every subtree below them one leaf with its size", () => {
    const tree = dendrogramTop(result, { maxLeaves: 12, labels, k: 4 });
    expect(tree.sampleSize).toBe(160);
    expect(tree.leaves).toHaveLength(12);
    expect(tree.merges).toHaveLength(11);
    expect(tree.leaves.reduce((n, l) => n + l.size, 0)).toBe(160);
    const sizes = [...tree.leaves.map((l) => l.size), ...tree.merges.map((g) => g.size)];
    for (const g of tree.merges) expect(g.size).toBe(sizes[g.left]! + sizes[g.right]!);
    expect(tree.merges.at(-1)!.size).toBe(160);
    // the same heights as the full linkage's last merges, increasing
    expect(tree.merges.map((g) => g.height)).toEqual(result.merges.slice(-11).map((g) => g.height));
    for (let i = 1; i < tree.merges.length; i++)
      expect(tree.merges[i]!.height).toBeGreaterThanOrEqual(tree.merges[i - 1]!.height);
    // a leaf sits below the merge that takes it in
    const heights = [...tree.leaves.map((l) => l.height), ...tree.merges.map((g) => g.height)];
    for (const g of tree.merges) expect(Math.max(heights[g.left]!, heights[g.right]!)).toBeLessThanOrEqual(g.height);
  });

  it("draws without crossings: each merge joins neighbouring runs of leaves, each cluster one run", () => {
    const tree = dendrogramTop(result, { maxLeaves: 30, labels, k: 4 });
    expect(() => ranges(tree)).not.toThrow();
    const runs = tree.leaves.map((l) => l.cluster).filter((c, i, all) => i === 0 || all[i - 1] !== c);
    expect(new Set(runs).size).toBe(4);
    expect(runs).toHaveLength(4);
    // each leaf's cluster is the one its customers were given
    const counts = new Map<number, number>();
    for (const l of tree.leaves) counts.set(l.cluster, (counts.get(l.cluster) ?? 0) + l.size);
    for (const [cluster, n] of counts) expect(labels.filter((c) => c === cluster).length).toBe(n);
  });

  it("cuts between the merges inside the clusters and the k − 1 that join them", () => {
    const tree = dendrogramTop(result, { labels, k: 4 });
    const above = tree.merges.filter((g) => g.height > tree.cutHeight!);
    expect(above).toHaveLength(3);
    expect(tree.merges.filter((g) => g.height < tree.cutHeight!)).toHaveLength(tree.merges.length - 3);
    expect(dendrogramTop(result, { labels }).cutHeight).toBeNull();
  });

  it("draws every customer when there are fewer than the leaves allowed", () => {
    const small = blobs(2, 5, 2);
    const tree = dendrogramTop(ward(small), { maxLeaves: 30 });
    expect(tree.leaves).toHaveLength(10);
    expect(tree.leaves.every((l) => l.size === 1 && l.height === 0 && l.cluster === -1)).toBe(true);
    expect(tree.merges).toHaveLength(9);
    expect(() => ranges(tree)).not.toThrow();
  });

  it("is empty or a single leaf for the smallest inputs, and refuses fewer than two leaves", () => {
    expect(dendrogramTop(ward(pointsFrom([])))).toEqual({ sampleSize: 0, leaves: [], merges: [], cutHeight: null });
    expect(dendrogramTop(ward(pointsFrom([[1, 2]])))).toMatchObject({
      sampleSize: 1,
      leaves: [{ size: 1 }],
      merges: [],
    });
    expect(() => dendrogramTop(result, { maxLeaves: 1 })).toThrow(RangeError);
  });
});
