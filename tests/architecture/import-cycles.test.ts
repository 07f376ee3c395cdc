// No import cycles among the app's modules. A cycle makes evaluation order decide whether a binding is
// initialised yet (shopify.server -> services/install.server -> sync/worker.server ->
// sync/shopify-client.server -> shopify.server was one), and it is how "shopify.server imports no
// service that imports it back" (the design guide) quietly stops being true.
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/env";
import { findCycles, importGraph, runtimeImports } from "../helpers/import-graph";

describe("import graph of app/", () => {
  it("has no cycles", () => {
    const graph = importGraph(ROOT, "app");
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("app/shopify.server.ts")).toContain("app/services/install.server.ts");
    expect(findCycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  it("finds a cycle when there is one, and only run-time imports make one", () => {
    const graph = new Map([
      ["a.ts", new Set(["b.ts"])],
      ["b.ts", new Set(["c.ts"])],
      ["c.ts", new Set(["a.ts", "d.ts"])],
      ["d.ts", new Set<string>()],
      ["e.ts", new Set(["e.ts"])],
    ]);
    expect(findCycles(graph)).toEqual([
      ["a.ts", "b.ts", "c.ts", "a.ts"],
      ["e.ts", "e.ts"],
    ]);
    expect(
      runtimeImports(`
        import type { A } from "./types-only";
        import { type B, type C } from "./also-types";
        import { type D, e } from "./value";
        import f from "./default";
        import "./side-effect";
        export { g } from "./re-export";
        export type { H } from "./type-re-export";
        const lazy = () => import("./dynamic");
      `),
    ).toEqual(["./value", "./default", "./side-effect", "./re-export"]);
  });
});
