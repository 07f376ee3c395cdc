import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { assertNoServiceOverridesInProduction } from "./service-origins";
import { addDocumentResponseHeaders } from "./shopify.server";
import { startBackgroundWork } from "./sync/worker.server";

export { ingestWebhook, MAX_WEBHOOK_BYTES } from "./sync/receive.server";
export { startBackgroundThread } from "./sync/background-thread.server";
export { answerProxy } from "./storefront/answer.server";
// The bounds server.mjs sets on its HTTP server.
export { bodyRefusal, httpLimits } from "./http-limits";
export { MAX_PIXEL_BYTES, pixelEndpoint } from "./pixel/endpoint.server";

// Before anything starts: a production server never sends the shops' tokens to a service-origin
// override (SHOPIFY_ADMIN_ORIGIN): loading the build fails, and so does the server (server.mjs).
assertNoServiceOverridesInProduction(process.env);

// The server's background work starts with the server, not with its first webhook: events left
// pending by a previous process are applied at once, and the schedules (backfill polling,
// reconciliation, daily segment recompute) run even on a quiet shop.
startBackgroundWork();

export const streamTimeout = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        responseHeaders.set("Content-Type", "text/html");
        resolve(
          new Response(createReadableStreamFromReadable(body), {
            headers: responseHeaders,
            status: responseStatusCode,
          }),
        );
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    // Give React time to flush the rejected boundary contents before aborting.
    setTimeout(abort, streamTimeout + 1000);
  });
}
