// The Segments list's search and sort, read from the URL so a reload (or a shared link) shows the
// same view. Unknown or malformed parameters fall back to the default instead of failing the page.

export const SORT_KEYS = ["name", "size", "change", "computed"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = "asc" | "desc";
export type ListView = { q: string; sort: SortKey; direction: SortDirection };

export const DEFAULT_VIEW: ListView = { q: "", sort: "name", direction: "asc" };

/** Polaris IndexFilters sort choices: the value is "<key> <direction>". */
export const SORT_OPTIONS: { label: string; value: `${SortKey} ${SortDirection}`; directionLabel: string }[] = [
  { label: "Name", value: "name asc", directionLabel: "A-Z" },
  { label: "Name", value: "name desc", directionLabel: "Z-A" },
  { label: "Customers", value: "size asc", directionLabel: "Fewest first" },
  { label: "Customers", value: "size desc", directionLabel: "Most first" },
  { label: "7-day change", value: "change asc", directionLabel: "Lowest first" },
  { label: "7-day change", value: "change desc", directionLabel: "Highest first" },
  { label: "Last computed", value: "computed asc", directionLabel: "Oldest first" },
  { label: "Last computed", value: "computed desc", directionLabel: "Newest first" },
];

export function readListView(params: URLSearchParams): ListView {
  const q = (params.get("q") ?? "").slice(0, 200);
  const [key, direction] = (params.get("sort") ?? "").split(" ");
  if (!SORT_KEYS.includes(key as SortKey) || (direction !== "asc" && direction !== "desc"))
    return { ...DEFAULT_VIEW, q };
  return { q, sort: key as SortKey, direction };
}

/** Search parameters for a view; defaults are left out so the plain URL stays plain. */
export function listViewParams(view: ListView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.q.trim() !== "") params.set("q", view.q);
  if (view.sort !== DEFAULT_VIEW.sort || view.direction !== DEFAULT_VIEW.direction)
    params.set("sort", `${view.sort} ${view.direction}`);
  return params;
}

type Listed = { id: number; name: string; memberCount: number; change7d: number; lastComputedAt: Date | null };

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

export function applyListView<T extends Listed>(rows: readonly T[], view: ListView): T[] {
  const needle = view.q.trim().toLocaleLowerCase("en");
  const matching = needle === "" ? [...rows] : rows.filter((r) => r.name.toLocaleLowerCase("en").includes(needle));
  const sign = view.direction === "asc" ? 1 : -1;
  const key = (r: T): number => {
    switch (view.sort) {
      case "size":
        return r.memberCount;
      case "change":
        return r.change7d;
      case "computed":
        return r.lastComputedAt?.getTime() ?? Number.NEGATIVE_INFINITY; // never computed sorts as oldest
      default:
        return 0;
    }
  };
  // Ties keep a stable order by name, then id, whichever way the main key runs.
  return matching.sort((a, b) => {
    const primary = view.sort === "name" ? collator.compare(a.name, b.name) : key(a) - key(b);
    if (primary !== 0 && !Number.isNaN(primary)) return sign * primary;
    return collator.compare(a.name, b.name) || a.id - b.id;
  });
}
