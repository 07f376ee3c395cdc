// The pixel endpoint bound to the app's database: what the Remix route (routes/pixel.events.tsx) and
// the production server's direct path (server.mjs, like its webhook path) both call. Stored batches
// that name customers have those customers' memberships re-evaluated after the answer.
//
// In the production server's HTTP thread the rows go to the background thread, which owns the writes
// (docs/decisions/008-ingest-single-writer-thread.md): there they are group-committed and the
// memberships updated, and on SQLite the HTTP thread never waits for the write lock. Everywhere else
// (tests, `shopify app dev`, TAILORED_BACKGROUND=here) this thread writes.
import { db } from "~/db.server";
import { backgroundIsRemote, writePixelRemotely } from "~/sync/background-thread.server";
import { ingestPixelRequest, type PixelAnswer } from "./ingest.server";
import { behaviourChanged } from "./memberships.server";

export { MAX_PIXEL_BYTES } from "./events";

export function pixelEndpoint(request: {
  method: string;
  origin: string | null;
  body: Buffer | null;
}): Promise<PixelAnswer> {
  if (backgroundIsRemote()) return ingestPixelRequest(request, { db, write: writePixelRemotely });
  return ingestPixelRequest(request, { db, onStored: (shop, customerIds) => behaviourChanged(db, shop, customerIds) });
}
