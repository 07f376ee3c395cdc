// Tailored's production server: remix-serve's stack (compression, static assets, request log, the
// Remix handler), plus a direct path for Shopify's webhooks. Webhooks are the one high-volume request
// Tailored serves, and they need none of Remix: the direct path skips Express, route matching and the
// Request/Response conversion (docs/decisions/005-webhook-fast-path.md) and calls the same
// `ingestWebhook` the Remix routes do. The background work (the inbox processor, which also owns the
// webhook path's writes, backfills, schedules) runs in a second thread started from this file
// (docs/decisions/008-ingest-single-writer-thread.md).
import http from "node:http";
import path from "node:path";
import url from "node:url";
import { isMainThread } from "node:worker_threads";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";

installGlobals();

const root = path.dirname(url.fileURLToPath(import.meta.url));
const buildUrl = url.pathToFileURL(path.join(root, "build", "server", "index.js")).href;

if (isMainThread) await serve();
else await background();

/** The background thread: the build's entry starts the background work and serves the HTTP thread. */
async function background() {
  await import(buildUrl);
}

/** The build, or an exit with the reason it would not load (a refused configuration, say). */
async function loadBuild() {
  try {
    return await import(buildUrl);
  } catch (error) {
    // A configuration the build refuses says why in a line; anything else with its stack.
    if (error instanceof Error && error.name === "ConfigurationError")
      console.error(`[tailored] not starting: ${error.message}`);
    else console.error("[tailored] not starting:", error);
    process.exit(1);
  }
}

async function serve() {
  // TAILORED_BACKGROUND=here keeps the background work in this thread (as `shopify app dev` runs it).
  const threaded = process.env.TAILORED_BACKGROUND !== "here";
  if (threaded) process.env.TAILORED_BACKGROUND = "thread";
  const build = await loadBuild();
  const {
    ingestWebhook,
    MAX_WEBHOOK_BYTES,
    startBackgroundThread,
    httpLimits,
    bodyRefusal,
    pixelEndpoint,
    MAX_PIXEL_BYTES,
    answerProxy,
  } = build.entry.module;
  // Bounds on what one client may hold: slow headers and bodies, idle connections, header count and
  // size, connections at once (app/http-limits.ts).
  const limits = httpLimits(process.env);

  // `POST /webhooks/<scope>/<event>`, answered before Express sees the request: Express's request
  // setup and router cost more per delivery than verifying it.
  const WEBHOOK_PATH = /^\/webhooks\/([a-z_]+)\/([a-z_]+)\/?(?:\?.*)?$/;
  const webhook = (req, res, topic) => {
    const chunks = [];
    let size = 0;
    let refused = false;
    const refuse = () => {
      refused = true;
      res.writeHead(413, { "content-type": "text/plain" }).end("payload too large");
    };
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > MAX_WEBHOOK_BYTES) return refuse();
    req.on("data", (chunk) => {
      if (refused) return;
      size += chunk.length;
      // Past the limit the 413 goes out at once and the rest of the body is read and dropped (not
      // kept), so the sender reads the answer instead of a reset connection; the request timeout
      // (app/http-limits.ts) ends a sender that never stops.
      if (size > MAX_WEBHOOK_BYTES) refuse();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (refused) return;
      // Node has lower-cased the names already; the verifier reads single values only.
      const headers = { get: (name) => (typeof req.headers[name] === "string" ? req.headers[name] : null) };
      ingestWebhook(topic, headers, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).then(
        (result) => res.writeHead(result.status, { "content-type": "text/plain" }).end(result.body),
        (error) => {
          console.error(error);
          res.writeHead(500).end();
        },
      );
    });
  };

  // `POST|OPTIONS /pixel/events`: the Web Pixel's batches, the other high-volume request, answered the
  // same way (app/pixel/endpoint.server.ts). A body past MAX_PIXEL_BYTES is answered 413 unread.
  const PIXEL_PATH = /^\/pixel\/events\/?(?:\?.*)?$/;
  const pixel = (req, res) => {
    const chunks = [];
    let size = 0;
    let over = false;
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > MAX_PIXEL_BYTES) over = true;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_PIXEL_BYTES) over = true;
      else if (!over) chunks.push(chunk);
    });
    req.on("end", () => {
      const origin = typeof req.headers.origin === "string" ? req.headers.origin : null;
      pixelEndpoint({ method: req.method, origin, body: over ? null : Buffer.concat(chunks) }).then(
        (result) => res.writeHead(result.status, result.headers).end(result.status === 204 ? undefined : result.body),
        (error) => {
          console.error(error);
          res.writeHead(500).end();
        },
      );
    });
  };

  // `GET /proxy/<kind>`: the storefront blocks' app proxy requests, answered before Express as well
  // (docs/decisions/021-storefront-personalization.md): hundreds a second on a busy shop, each needing
  // none of Express, compression or Remix's route matching. The same `answerProxy` the Remix routes call.
  const PROXY_PATH = /^\/proxy\/(banner|recommendations)\/?(?:\?.*)?$/;
  const proxy = (req, res, kind) => {
    // Only the path and query matter (they are what is signed); never the Host header, which a client sets.
    const request = new Request(`http://localhost${req.url}`, { method: req.method });
    answerProxy(request, kind).then(
      async (response) => {
        const body = req.method === "HEAD" ? "" : await response.text();
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(body);
      },
      (error) => {
        console.error(error);
        res.writeHead(500).end();
      },
    );
  };

  const app = express();
  app.disable("x-powered-by");
  app.use(compression());
  app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  // The request log leaves query strings out: Shopify's admin puts the shop and a session token
  // (id_token) in them, neither of which belongs in a log (docs/PRIVACY.md).
  morgan.token("path", (req) => (req.originalUrl || req.url).split("?")[0]);
  app.use(morgan(":method :path :status :res[content-length] - :response-time ms"));
  // A body over the limit (or of no declared length) is refused before Remix reads any of it.
  app.use((req, res, next) => {
    const refusal = bodyRefusal(req.method, req.headers, limits.maxBodyBytes);
    if (!refusal) return next();
    res.set("connection", "close").status(refusal.status).type("text/plain").send(refusal.text);
  });
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

  const stopBackground = threaded ? startBackgroundThread(new URL(import.meta.url)) : async () => undefined;
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
      maxHeaderSize: limits.maxHeaderSize,
    },
    (req, res) => {
      const match = req.method === "POST" ? WEBHOOK_PATH.exec(req.url) : null;
      const proxied = req.method === "GET" || req.method === "HEAD" ? PROXY_PATH.exec(req.url) : null;
      if (match) webhook(req, res, `${match[1]}/${match[2]}`);
      else if ((req.method === "POST" || req.method === "OPTIONS") && PIXEL_PATH.test(req.url)) pixel(req, res);
      else if (proxied) proxy(req, res, proxied[1]);
      else app(req, res);
    },
  );
  server.maxHeadersCount = limits.maxHeadersCount;
  server.maxConnections = limits.maxConnections;
  const port = Number(process.env.PORT || 3000);
  const host = process.env.HOST;
  const listening = () =>
    console.log(
      `[tailored] http://localhost:${port}${host ? ` (${host})` : ""}; headers within ${server.headersTimeout} ms, ` +
        `requests within ${server.requestTimeout} ms, keep-alive ${server.keepAliveTimeout} ms, ` +
        `at most ${server.maxHeadersCount} headers, ${server.maxConnections} connections`,
    );
  if (host) server.listen(port, host, listening);
  else server.listen(port, listening);
  for (const signal of ["SIGTERM", "SIGINT"])
    process.once(signal, () => server.close(() => stopBackground().finally(() => process.exit(0))));
}
