// SQLite WAL checkpoints off the writer's thread. With the default (wal_autocheckpoint = 1000 pages)
// the transaction that crosses the threshold copies the WAL into the database file and syncs it,
// inside its COMMIT: on the webhook path that was the largest single cost of the writer thread, and a
// larger threshold trades it for long stalls. Here a thread of its own, with its own connection,
// checkpoints (PASSIVE: it never blocks the writer or readers) whenever the WAL holds frames not yet
// copied; the writer keeps a high automatic threshold only as a safety net should this thread stop.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { SQLITE_PRIVACY_PRAGMAS } from "~/db/pragmas";

/** Pages the writer may append before it checkpoints itself (the checkpointer normally stays far below). */
export const WRITER_AUTOCHECKPOINT_PAGES = 16_384;

const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const conn = new Database(workerData.file, { timeout: 0 });
for (const pragma of workerData.pragmas) conn.pragma(pragma);
let stopped = false;
parentPort.on("message", () => { stopped = true; });
const tick = () => {
  if (stopped) { conn.close(); parentPort.close(); return; }
  let pending = 0;
  try {
    const [row] = conn.pragma("wal_checkpoint(PASSIVE)");
    pending = row.log - row.checkpointed;
  } catch {}
  setTimeout(tick, pending > 0 ? workerData.busyMs : workerData.idleMs);
};
tick();
`;

export function startCheckpointer(
  file: string,
  { busyMs = 25, idleMs = 100 }: { busyMs?: number; idleMs?: number } = {},
): () => Promise<void> {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: {
      file,
      busyMs,
      idleMs,
      pragmas: SQLITE_PRIVACY_PRAGMAS,
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  worker.unref();
  worker.on("error", (error) => console.error("[checkpointer]", error));
  return async () => {
    // Held until it has closed its connection (unreferenced, it would not keep the process alive).
    worker.ref();
    worker.postMessage("stop");
    await new Promise((resolve) => worker.once("exit", resolve));
  };
}
