// The SQLite single-node extras (app/single-node: the webhook journal and its run lock, the checkpoint
// thread; docs/decisions/017-sqlite-single-node.md) are reached through their index only, from the two
// places that decide "SQLite" — the writer's connection and the HTTP thread's side of the background
// thread — so that a reader finds them in one place and sees that PostgreSQL does not use them. And
// they lean on nothing of the app but its SQLite pragmas.
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/env";
import { importGraph } from "../helpers/import-graph";

const HOME = "app/single-node/";
const INDEX = "app/single-node/index.server.ts";

describe("app/single-node", () => {
  const graph = importGraph(ROOT, "app");

  it("is imported through its index, by the SQLite writer's connection and the background thread's HTTP side only", () => {
    const importers = [...graph]
      .filter(([file, targets]) => !file.startsWith(HOME) && [...targets].some((t) => t.startsWith(HOME)))
      .map(([file, targets]) => ({ file, targets: [...targets].filter((t) => t.startsWith(HOME)) }))
      .sort((a, b) => a.file.localeCompare(b.file));
    expect(importers).toEqual([
      { file: "app/db/database.server.ts", targets: [INDEX] },
      { file: "app/sync/background-thread.server.ts", targets: [INDEX] },
    ]);
  });

  it("imports nothing of the app but the SQLite pragmas", () => {
    const outside = [...graph]
      .filter(([file]) => file.startsWith(HOME))
      .flatMap(([, targets]) => [...targets].filter((t) => t.startsWith("app/") && !t.startsWith(HOME)));
    expect([...new Set(outside)]).toEqual(["app/db/pragmas.ts"]);
  });
});
