import { describe, expect, it } from "vitest";
import { DEFAULT_VIEW, applyListView, listViewParams, readListView } from "./list-view";

const rows = [
  { id: 1, name: "Repeat buyers", memberCount: 120, change7d: 5, lastComputedAt: new Date("2026-01-02T00:00:00Z") },
  { id: 2, name: "at risk", memberCount: 40, change7d: -3, lastComputedAt: new Date("2026-01-03T00:00:00Z") },
  { id: 3, name: "High-value customers", memberCount: 40, change7d: 0, lastComputedAt: null },
  { id: 4, name: "Big spenders", memberCount: 300, change7d: 12, lastComputedAt: new Date("2026-01-01T00:00:00Z") },
];
const names = (view: Parameters<typeof applyListView>[1]) => applyListView(rows, view).map((r) => r.id);

describe("segments list view", () => {
  it.each([
    ["", DEFAULT_VIEW],
    ["q=risk&sort=size+desc", { q: "risk", sort: "size", direction: "desc" }],
    ["sort=computed+asc", { q: "", sort: "computed", direction: "asc" }],
    ["sort=bogus+asc&q=x", { q: "x", sort: "name", direction: "asc" }],
    ["sort=size+sideways", DEFAULT_VIEW],
    ["sort=size", DEFAULT_VIEW],
  ])("reads %j", (search, view) => {
    expect(readListView(new URLSearchParams(search))).toEqual(view);
  });

  it("writes only what differs from the default, and reads back what it wrote", () => {
    expect(listViewParams(DEFAULT_VIEW).toString()).toBe("");
    const view = { q: "vip buyers", sort: "change", direction: "desc" } as const;
    expect(readListView(listViewParams(view))).toEqual(view);
  });

  it.each([
    [{ q: "", sort: "name", direction: "asc" }, [2, 4, 3, 1]],
    [{ q: "", sort: "name", direction: "desc" }, [1, 3, 4, 2]],
    [{ q: "", sort: "size", direction: "asc" }, [2, 3, 1, 4]],
    [{ q: "", sort: "size", direction: "desc" }, [4, 1, 2, 3]],
    [{ q: "", sort: "change", direction: "desc" }, [4, 1, 3, 2]],
    [{ q: "", sort: "computed", direction: "asc" }, [3, 4, 1, 2]],
    [{ q: "", sort: "computed", direction: "desc" }, [2, 1, 4, 3]],
    [{ q: "RISK", sort: "name", direction: "asc" }, [2]],
    [{ q: "  e ", sort: "size", direction: "desc" }, [4, 1, 3]],
    [{ q: "nothing like it", sort: "name", direction: "asc" }, []],
  ] as const)("%j lists %j", (view, ids) => {
    expect(names(view)).toEqual(ids);
  });
});
