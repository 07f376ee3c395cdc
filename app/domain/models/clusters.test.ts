import { describe, expect, it } from "vitest";
import { createRandom } from "~/demo/random";
import { adjustedRandIndex } from "./ari";
import { clusterCustomers } from "./clusters";
import { buildFeatures, topCategories, type CustomerActivity } from "./features";
import { chooseK, kmeans, silhouette } from "./kmeans";
import { pointsFrom, type Points } from "./matrix";
import { clusterName, profileClusters } from "./profile";
import { project2d } from "./projection";
import { ward, wardLabels } from "./ward";

/** k Gaussian blobs in d dimensions, centres 10 apart on random axes, unit spread. */
function blobs(k: number, perBlob: number, d: number, seed: number): { points: Points; truth: Int32Array } {
  const random = createRandom(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => random.next() * 40));
  const rows: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < k * perBlob; i++) {
    const c = i % k;
    rows.push(centres[c]!.map((m) => m + random.normal()));
    truth.push(c);
  }
  return { points: pointsFrom(rows), truth: Int32Array.from(truth) };
}

describe("adjusted Rand index", () => {
  it("matches a hand-computed case", () => {
    // contingency [[2,1],[0,2]] over 5 items: Σ C(nij,2) = 1 + 1 = 2; rows (3,2): 3 + 1 = 4; cols (2,3): 1 + 3 = 4;
    // expected = 4·4/10 = 1.6; max = 4; ARI = (2 − 1.6) / (4 − 1.6) = 1/6
    expect(adjustedRandIndex([0, 0, 0, 1, 1], [0, 0, 1, 1, 1])).toBeCloseTo(1 / 6, 12);
  });

  it.each([
    ["identical up to names", [0, 0, 1, 1, 2], [5, 5, 3, 3, 9], 1],
    ["one cluster each", [0, 0, 0], [1, 1, 1], 1],
  ])("%s", (_, a, b, expected) => {
    expect(adjustedRandIndex(a, b)).toBeCloseTo(expected, 12);
  });

  it("is about 0 for unrelated partitions", () => {
    const random = createRandom(3);
    const a = Array.from({ length: 5000 }, () => random.int(0, 3));
    const b = Array.from({ length: 5000 }, () => random.int(0, 3));
    expect(Math.abs(adjustedRandIndex(a, b))).toBeLessThan(0.01);
  });
});

describe("k-means++ on planted clusters", () => {
  const { points, truth } = blobs(4, 150, 3, 1);

  it("finds them (ARI >= 0.9) and the same seed gives the same labels", () => {
    const a = kmeans(points, 4, { seed: 7 });
    expect(adjustedRandIndex(a.labels, truth)).toBeGreaterThanOrEqual(0.9);
    expect(a.converged).toBe(true);
    const b = kmeans(points, 4, { seed: 7 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(b.inertia).toBe(a.inertia);
  });

  it("chooses the planted k by silhouette", () => {
    const chosen = chooseK(points, { seed: 7 });
    expect(chosen.k).toBe(4);
    expect(chosen.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(adjustedRandIndex(chosen.result.labels, truth)).toBeGreaterThanOrEqual(0.9);
  });

  it.each([3, 5, 6])("finds %d planted clusters in 5 dimensions", (k) => {
    const planted = blobs(k, 100, 5, 10 + k);
    expect(chooseK(planted.points, { seed: 1 }).k).toBe(k);
  });

  it("silhouette is near 1 for well-separated blobs and lower for a wrong k", () => {
    const four = kmeans(points, 4, { seed: 7 });
    const two = kmeans(points, 2, { seed: 7 });
    const s4 = silhouette(points, four.labels, 4);
    expect(s4).toBeGreaterThan(0.7);
    expect(silhouette(points, two.labels, 2)).toBeLessThan(s4);
  });

  it("refuses k above the number of points", () => {
    expect(() => kmeans(pointsFrom([[1], [2]]), 3)).toThrow(/at least k = 3/);
  });

  it("keeps k clusters when points coincide", () => {
    const same = pointsFrom([[0], [0], [0], [0], [1]]);
    const result = kmeans(same, 2, { seed: 1 });
    expect(new Set(result.labels).size).toBe(2);
  });
});

describe("Ward on planted clusters", () => {
  it("finds them (ARI >= 0.9) with a full merge list", () => {
    const { points, truth } = blobs(4, 100, 3, 2);
    const result = ward(points);
    expect(result.merges).toHaveLength(399);
    // heights never decrease, and the last merge holds everyone
    for (let i = 1; i < 399; i++) expect(result.merges[i]!.height).toBeGreaterThanOrEqual(result.merges[i - 1]!.height);
    expect(result.merges[398]!.size).toBe(400);
    expect(adjustedRandIndex(wardLabels(points, result, 4), truth)).toBeGreaterThanOrEqual(0.9);
  });

  it("gives scipy's linkage on a small case", () => {
    // heights are sqrt(2 nᵢnⱼ/(nᵢ+nⱼ))·|cᵢ − cⱼ| (scipy's 'ward'): {0,1}+{5,6}: sqrt(2)·5; {0,1,5,6}+{20}: sqrt(1.6)·17
    const result = ward(pointsFrom([[0], [1], [5], [6], [20]]));
    expect(result.merges.map((m) => [m.a, m.b, m.size])).toEqual([
      [0, 1, 2],
      [2, 3, 2],
      [5, 6, 4],
      [4, 7, 5],
    ]);
    expect(result.merges.map((m) => m.height)).toEqual([1, 1, Math.sqrt(50), expect.closeTo(Math.sqrt(1.6) * 17, 12)]);
  });

  it("clusters a sample and gives the rest to the nearest centroid, reproducibly", () => {
    const { points, truth } = blobs(3, 1000, 4, 5);
    const result = ward(points, { sampleSize: 500, seed: 9 });
    expect(result.sample).toHaveLength(500);
    const labels = wardLabels(points, result, 3);
    expect(adjustedRandIndex(labels, truth)).toBeGreaterThanOrEqual(0.9);
    const again = wardLabels(points, ward(points, { sampleSize: 500, seed: 9 }), 3);
    expect(Array.from(again)).toEqual(Array.from(labels));
  });
});

describe("features and profiles", () => {
  const shop: CustomerActivity[] = [
    ...Array.from({ length: 60 }, (_, i) => ({
      daysSinceLastOrder: 200 + i,
      orders: 1,
      totalSpent: 20 + (i % 5),
      tenureDays: 200 + i,
      categorySpend: { Socks: 20 + (i % 5) },
    })),
    ...Array.from({ length: 40 }, (_, i) => ({
      daysSinceLastOrder: 5 + (i % 10),
      orders: 8 + (i % 4),
      totalSpent: 900 + i * 10,
      tenureDays: 700,
      categorySpend: { Shoes: 700 + i * 10, Socks: 200 },
    })),
  ];

  it("are log-scaled and standardized, with category shares", () => {
    const f = buildFeatures(shop);
    expect(f.names).toEqual(["recency", "frequency", "monetary", "aov", "tenure", "share:Shoes", "share:Socks"]);
    expect(f.categories).toEqual(topCategories(shop));
    const { data, n, d } = f.points;
    for (let j = 0; j < 5; j++) {
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        sum += data[i * d + j]!;
        sq += data[i * d + j]! ** 2;
      }
      expect(sum / n).toBeCloseTo(0, 10);
      expect(sq / n).toBeCloseTo(1, 10);
    }
    // a constant column stays 0, never NaN
    const flat = buildFeatures([{ daysSinceLastOrder: 3, orders: 1, totalSpent: 5, tenureDays: 3 }]);
    expect(Array.from(flat.points.data).every((v) => v === 0)).toBe(true);
  });

  it("profiles two planted groups with plain-language names", () => {
    const f = buildFeatures(shop);
    const result = kmeans(f.points, 2, { seed: 1 });
    const profiles = profileClusters(shop, result.labels, 2);
    const names = profiles.map((p) => p.name).sort();
    expect(names).toEqual(["frequent, high spend, recent", "one-time, low spend, lapsed"]);
    const loyal = profiles.find((p) => p.name.startsWith("frequent"))!;
    expect(loyal.size).toBe(40);
    expect(loyal.topProductTypes).toEqual(["Shoes", "Socks"]);
    expect(loyal.medianOrders).toBe(9.5);
  });

  it.each([
    [{ spend: 100, orders: 1, recency: 30 }, "one-time, mid spend"],
    [{ spend: 200, orders: 4, recency: 30 }, "frequent, high spend"],
    [{ spend: 50, orders: 2, recency: 400 }, "repeat, low spend, lapsed"],
    [{ spend: 100, orders: 2, recency: 10 }, "repeat, mid spend, recent"],
    [{ spend: 100, orders: 2, recency: 60 }, "repeat, mid spend"],
  ])("names %o %s", (cluster, name) => {
    const shop = { spend: { p25: 50, p75: 200 }, orders: { median: 1 }, recency: { p25: 15, median: 40 } };
    expect(clusterName(cluster, shop)).toBe(name);
  });

  it("keeps names unique", () => {
    const twins: CustomerActivity[] = [
      ...Array.from({ length: 10 }, () => ({
        daysSinceLastOrder: 30,
        orders: 1,
        totalSpent: 50,
        tenureDays: 30,
        categorySpend: { Hats: 50 },
      })),
      ...Array.from({ length: 5 }, () => ({
        daysSinceLastOrder: 30,
        orders: 1,
        totalSpent: 50,
        tenureDays: 30,
        categorySpend: { Bags: 50 },
      })),
      ...Array.from({ length: 3 }, () => ({
        daysSinceLastOrder: 30,
        orders: 1,
        totalSpent: 50,
        tenureDays: 30,
        categorySpend: { Bags: 50 },
      })),
    ];
    const labels = [...Array(10).fill(0), ...Array(5).fill(1), ...Array(3).fill(2)];
    const names = profileClusters(twins, labels, 3).map((p) => p.name);
    expect(new Set(names).size).toBe(3);
    expect(names[0]).toMatch(/^one-time, .*, mostly Hats$/);
  });
});

describe("clusterCustomers", () => {
  const random = createRandom(21);
  const shop: CustomerActivity[] = [
    ...Array.from({ length: 150 }, () => ({
      daysSinceLastOrder: 300 + random.int(0, 200),
      orders: 1,
      totalSpent: 20 + random.int(0, 15),
      tenureDays: 500 + random.int(0, 200),
      categorySpend: { Socks: 25 },
    })),
    ...Array.from({ length: 80 }, () => ({
      daysSinceLastOrder: 3 + random.int(0, 20),
      orders: 8 + random.int(0, 6),
      totalSpent: 900 + random.int(0, 400),
      tenureDays: 700 + random.int(0, 100),
      categorySpend: { Shoes: 800, Socks: 100 },
    })),
    ...Array.from({ length: 70 }, () => ({
      daysSinceLastOrder: 40 + random.int(0, 30),
      orders: 2 + random.int(0, 1),
      totalSpent: 150 + random.int(0, 60),
      tenureDays: 100 + random.int(0, 50),
      categorySpend: { Hats: 150 },
    })),
  ];
  const truth = [...Array(150).fill(0), ...Array(80).fill(1), ...Array(70).fill(2)];

  it.each(["kmeans", "ward"] as const)("%s finds the three planted groups and names them", (method) => {
    const result = clusterCustomers(shop, { method, seed: 3 });
    if (!result.ok) throw new Error(result.reason);
    expect(result.k).toBe(3);
    expect(adjustedRandIndex(result.labels, truth)).toBeGreaterThanOrEqual(0.9);
    expect(new Set(result.profiles.map((p) => p.name)).size).toBe(3);
    expect(result.profiles.reduce((s, p) => s + p.size, 0)).toBe(300);
    expect(result.projection.x).toHaveLength(300);
    expect(result.projection.explained[0]).toBeGreaterThan(result.projection.explained[1]);
    if (method === "ward") expect(result.merges).toHaveLength(299);
    const again = clusterCustomers(shop, { method, seed: 3 });
    expect(again.ok && Array.from(again.labels)).toEqual(Array.from(result.labels));
  });

  it("takes a fixed k", () => {
    const result = clusterCustomers(shop, { k: 5 });
    expect(result.ok && result.k).toBe(5);
    expect(result.ok && result.scores).toEqual([]);
  });

  it.each([
    ["too few customers", shop.slice(0, 5), {}, /not enough customers to cluster yet: 5/],
    ["all alike", Array.from({ length: 30 }, () => shop[0]!), {}, /too alike/],
    ["k out of range", shop, { k: 1 }, /from 2 to 20/],
  ])("says why it cannot: %s", (_, customers, options, reason) => {
    const result = clusterCustomers(customers, options);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe("2-D projection", () => {
  it("puts points on a line along the first axis, and is the same every time", () => {
    const rows = Array.from({ length: 50 }, (_, i) => [i, 2 * i, -i]);
    const p = project2d(pointsFrom(rows));
    expect(p.explained[0]).toBeCloseTo(1, 10);
    expect(p.explained[1]).toBeCloseTo(0, 10);
    // the axis is (1, 2, −1)/√6, signed so its largest entry is positive
    expect(Array.from(p.axes[0]).map((v) => v * Math.sqrt(6))).toEqual([
      expect.closeTo(1, 8),
      expect.closeTo(2, 8),
      expect.closeTo(-1, 8),
    ]);
    expect(Array.from(project2d(pointsFrom(rows)).x)).toEqual(Array.from(p.x));
  });
});
