// A 2-D view of the clustered customers: their features projected on the first two principal
// components (the plane that keeps the most of their spread), for the insights page's scatter.
import type { Points } from "./matrix";

export type Projection = {
  x: Float64Array;
  y: Float64Array;
  /** Share of the total variance along each axis, 0..1. */
  explained: [number, number];
  /** The two directions, d numbers each (unit length). */
  axes: [Float64Array, Float64Array];
};

/** Leading eigenvector of a symmetric d×d matrix by power iteration, from a fixed start. */
function leading(cov: Float64Array, d: number): { vector: Float64Array; value: number } {
  let v = new Float64Array(d).map((_, i) => 1 / Math.sqrt(d) + i * 1e-3);
  let value = 0;
  for (let it = 0; it < 500; it++) {
    const next = new Float64Array(d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) next[i]! += cov[i * d + j]! * v[j]!;
    const norm = Math.hypot(...next);
    if (norm === 0) return { vector: v, value: 0 };
    for (let i = 0; i < d; i++) next[i]! /= norm;
    let change = 0;
    for (let i = 0; i < d; i++) change = Math.max(change, Math.abs(Math.abs(next[i]!) - Math.abs(v[i]!)));
    v = next;
    value = norm;
    if (change < 1e-12) break;
  }
  // a sign convention, so the same data always draws the same way round
  let largest = 0;
  for (let i = 0; i < d; i++) if (Math.abs(v[i]!) > Math.abs(v[largest]!)) largest = i;
  if (v[largest]! < 0) v = v.map((e) => -e);
  return { vector: v, value };
}

export function project2d(points: Points): Projection {
  const { data, n, d } = points;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const a = data[i * d + j]! - mean[j]!;
      for (let k = j; k < d; k++) cov[j * d + k]! += (a * (data[i * d + k]! - mean[k]!)) / n;
    }
  }
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) cov[j * d + k] = cov[k * d + j]!;
  let total = 0;
  for (let j = 0; j < d; j++) total += cov[j * d + j]!;
  const first = leading(cov, d);
  // deflate: remove the first component before finding the second
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) cov[j * d + k]! -= first.value * first.vector[j]! * first.vector[k]!;
  }
  const second = leading(cov, d);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let px = 0;
    let py = 0;
    for (let j = 0; j < d; j++) {
      const c = data[i * d + j]! - mean[j]!;
      px += c * first.vector[j]!;
      py += c * second.vector[j]!;
    }
    x[i] = px;
    y[i] = py;
  }
  return {
    x,
    y,
    explained: total > 0 ? [first.value / total, Math.max(0, second.value) / total] : [0, 0],
    axes: [first.vector, second.vector],
  };
}
