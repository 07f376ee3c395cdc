// Sparse purchase data for the item-item models: who (a customer, or a basket) bought which items,
// as compressed rows (CSR), and its transpose. Items are dense indices 0..items-1 given by an
// `ItemIndex` (product ids in a fixed order, so that every run numbers them the same way).
import { compareIds } from "./blend";

/** Rows (customers or baskets) of distinct item indices, ascending: row r is indices[offsets[r]..offsets[r+1]). */
export type Interactions = {
  rows: number;
  items: number;
  offsets: Int32Array;
  indices: Int32Array;
};

export type ItemIndex = { ids: readonly string[]; of: ReadonlyMap<string, number> };

/** Product ids numbered in id order (compareIds), whatever order they came in. */
export function itemIndex(ids: Iterable<string>): ItemIndex {
  const sorted = [...new Set(ids)].sort(compareIds);
  return { ids: sorted, of: new Map(sorted.map((id, i) => [id, i])) };
}

/** Builds the rows from lists of item indices (duplicates dropped, each row sorted). */
export function interactions(rows: readonly (readonly number[])[], items: number): Interactions {
  const offsets = new Int32Array(rows.length + 1);
  let total = 0;
  const cleaned: Int32Array[] = rows.map((row) => {
    const sorted = Int32Array.from(new Set(row)).sort();
    for (const i of sorted) if (i < 0 || i >= items) throw new RangeError(`item index ${i} outside 0..${items - 1}`);
    return sorted;
  });
  for (let r = 0; r < cleaned.length; r++) {
    offsets[r] = total;
    total += cleaned[r]!.length;
  }
  offsets[cleaned.length] = total;
  const indices = new Int32Array(total);
  for (let r = 0; r < cleaned.length; r++) indices.set(cleaned[r]!, offsets[r]!);
  return { rows: rows.length, items, offsets, indices };
}

/** The transpose: for each item, the rows that hold it (ascending). */
export function transpose(x: Interactions): Interactions {
  const offsets = new Int32Array(x.items + 1);
  for (let k = 0; k < x.indices.length; k++) offsets[x.indices[k]! + 1]! += 1;
  for (let i = 0; i < x.items; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, x.items);
  const indices = new Int32Array(x.indices.length);
  for (let r = 0; r < x.rows; r++) {
    for (let k = x.offsets[r]!; k < x.offsets[r + 1]!; k++) indices[fill[x.indices[k]!]!++] = r;
  }
  return { rows: x.items, items: x.rows, offsets, indices };
}

/** How many rows hold each item. */
export function itemCounts(x: Interactions): Float64Array {
  const counts = new Float64Array(x.items);
  for (let k = 0; k < x.indices.length; k++) counts[x.indices[k]!]! += 1;
  return counts;
}
