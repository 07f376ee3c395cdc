// Shopify's customers / orders connections for the stand-in (fake-shopify.ts): the `updated_at`
// search filter, the order of nodes (updatedAt, then id), opaque cursors, forward pagination, and an
// order's line items served as a connection of their own.
import { GraphQLFieldError, type Obj } from "./graphql";

type Filter = (node: Obj) => boolean;

/** Shopify search syntax, the part the sync uses: updated_at with >, >=, <, <= and an ISO time, quoted or not. */
export function searchFilter(query: unknown): Filter {
  if (typeof query !== "string" || query.trim() === "") return () => true;
  const terms: Filter[] = [];
  const re = /\b(updated_at|created_at):(>=|<=|>|<)?\s*(?:'([^']*)'|"([^"]*)"|(\S+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(query))) {
    const field = m[1] === "updated_at" ? "updatedAt" : "createdAt";
    const op = m[2] ?? "=";
    const raw = m[3] ?? m[4] ?? m[5] ?? "";
    const at = Date.parse(raw);
    if (!Number.isFinite(at))
      throw new GraphQLFieldError(`Invalid search query: cannot read a time in ${JSON.stringify(m[0])}`);
    terms.push((node) => {
      const t = Date.parse(String(node[field] ?? ""));
      if (!Number.isFinite(t)) return false;
      switch (op) {
        case ">":
          return t > at;
        case ">=":
          return t >= at;
        case "<":
          return t < at;
        case "<=":
          return t <= at;
        default:
          return t === at;
      }
    });
  }
  return (node) => terms.every((t) => t(node));
}

function gidNumber(id: unknown): bigint | null {
  const m = /(\d+)$/.exec(String(id ?? ""));
  return m ? BigInt(m[1]!) : null;
}

function compareNodes(a: Obj, b: Obj): number {
  // Nodes without updatedAt (line items) compare by id alone (NaN would make every pair "equal").
  const parse = (value: unknown) => {
    const t = Date.parse(String(value ?? ""));
    return Number.isFinite(t) ? t : 0;
  };
  const ta = parse(a.updatedAt);
  const tb = parse(b.updatedAt);
  if (ta !== tb) return ta - tb;
  const na = gidNumber(a.id);
  const nb = gidNumber(b.id);
  if (na !== null && nb !== null && na !== nb) return na < nb ? -1 : 1;
  return String(a.id ?? "").localeCompare(String(b.id ?? ""));
}

const encodeCursor = (node: Obj) =>
  Buffer.from(JSON.stringify({ u: node.updatedAt ?? null, id: node.id ?? null })).toString("base64url");

function decodeCursor(cursor: string): Obj {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { u: unknown; id: unknown };
    if (!parsed || typeof parsed !== "object" || !("id" in parsed)) throw new Error("bad cursor");
    return { updatedAt: parsed.u, id: parsed.id };
  } catch {
    throw new GraphQLFieldError(`Invalid cursor for current pagination sort.`);
  }
}

export function connection(all: Obj[], typename: string, args: Obj): Obj {
  const first = args.first;
  const last = args.last;
  if (typeof first !== "number" && typeof last !== "number")
    throw new GraphQLFieldError("you must provide one of first or last");
  if (typeof last === "number")
    throw new GraphQLFieldError("this stand-in for Shopify pages forward only (first/after)");
  let nodes = all.filter(searchFilter(args.query)).sort(compareNodes);
  if (args.reverse === true) nodes.reverse();
  if (typeof args.after === "string") {
    const after = decodeCursor(args.after);
    const sign = args.reverse === true ? -1 : 1;
    nodes = nodes.filter((node) => sign * compareNodes(node, after) > 0);
  }
  const page = nodes.slice(0, Math.max(0, first as number));
  const withType = page.map((node) => ({ __typename: typename, ...node }));
  return {
    __typename: `${typename}Connection`,
    nodes: withType,
    edges: withType.map((node) => ({ __typename: `${typename}Edge`, cursor: encodeCursor(node), node })),
    pageInfo: {
      __typename: "PageInfo",
      hasNextPage: nodes.length > page.length,
      hasPreviousPage: typeof args.after === "string",
      startCursor: withType[0] ? encodeCursor(withType[0]) : null,
      endCursor: withType.length ? encodeCursor(withType[withType.length - 1]!) : null,
    },
  };
}

/**
 * An order whose `lineItems` is given as a plain list serves them as Shopify does, a connection paged
 * with lineItems(first:, after:), in id order.
 */
export function withLineItems(order: Obj): Obj {
  const lines = order.lineItems;
  return Array.isArray(lines)
    ? { ...order, lineItems: (args: Obj) => connection(lines as Obj[], "LineItem", args) }
    : order;
}
