// The Admin GraphQL mutations the export writes (../shared/notes/contracts.md section 6), for the
// Shopify stand-in: tagsAdd / tagsRemove on customers (userErrors for an unknown customer),
// metafieldsSet (at most 25 metafields a call, all or nothing), segmentCreate (a unique name; a query
// the stand-in checks only for being non-empty).
import type { Obj } from "./graphql";
import { GraphQLFieldError } from "./graphql";

export class ExportMutations {
  /** customer gid -> tags */
  readonly tags = new Map<string, Set<string>>();
  /** `${ownerId} ${namespace}.${key}` -> value */
  readonly metafields = new Map<string, string>();
  readonly segments = new Map<string, string>();
  /** Customers (gids) the shop has: tags on any other are a userError. Empty: every id is known. */
  knownCustomers = new Set<string>();
  /** Tag mutations applied, one per customer (what "exactly once" is read from). */
  readonly tagCalls: { id: string; tag: string; added: boolean }[] = [];

  run(name: string, args: Obj): unknown {
    switch (name) {
      case "tagsAdd":
      case "tagsRemove": {
        const id = String(args.id ?? "");
        const list = Array.isArray(args.tags) ? args.tags.map(String) : String(args.tags ?? "").split(",");
        if (this.knownCustomers.size > 0 && !this.knownCustomers.has(id)) {
          return { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
        }
        const held = this.tags.get(id) ?? new Set<string>();
        for (const tag of list.map((t) => t.trim()).filter(Boolean)) {
          if (name === "tagsAdd") held.add(tag);
          else held.delete(tag);
          this.tagCalls.push({ id, tag, added: name === "tagsAdd" });
        }
        this.tags.set(id, held);
        return { node: { __typename: "Customer", id }, userErrors: [] };
      }
      case "metafieldsSet": {
        const items = Array.isArray(args.metafields) ? (args.metafields as Obj[]) : [];
        if (items.length > 25)
          throw new GraphQLFieldError(
            "The input array size of 26 is greater than the maximum allowed of 25.",
            "MAX_INPUT_SIZE_EXCEEDED",
          );
        for (const m of items)
          this.metafields.set(`${String(m.ownerId)} ${String(m.namespace)}.${String(m.key)}`, String(m.value));
        return { metafields: items, userErrors: [] };
      }
      case "segmentCreate": {
        const name = String(args.name ?? "");
        const query = String(args.query ?? "");
        if (this.segments.has(name))
          return { segment: null, userErrors: [{ field: ["name"], message: "Name has already been taken" }] };
        if (query.trim() === "")
          return { segment: null, userErrors: [{ field: ["query"], message: "Query can't be blank" }] };
        const id = `gid://shopify/Segment/${this.segments.size + 1}`;
        this.segments.set(name, query);
        return { segment: { __typename: "Segment", id, name, query }, userErrors: [] };
      }
      default:
        throw new GraphQLFieldError(`no such mutation ${name}`);
    }
  }
}

export const EXPORT_MUTATIONS = ["tagsAdd", "tagsRemove", "metafieldsSet", "segmentCreate"];
