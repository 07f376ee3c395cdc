// The pixel endpoint bound to the app's database: what the Remix route (routes/pixel.events.tsx) and
// the production server's direct path (server.mjs, like its webhook path) both call. Stored batches
// that name customers have those customers' memberships re-evaluated after the answer.
import { db } from "~/db.server";
import { ingestPixelRequest, type PixelAnswer } from "./ingest.server";
import { behaviourChanged } from "./memberships.server";

export { MAX_PIXEL_BYTES } from "./events";

export function pixelEndpoint(request: {
  method: string;
  origin: string | null;
  body: Buffer | null;
}): Promise<PixelAnswer> {
  return ingestPixelRequest(request, { db, onStored: (shop, customerIds) => behaviourChanged(db, shop, customerIds) });
}
