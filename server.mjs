// Tailored's production server: remix-serve's stack (compression, static assets, request log, the
// Remix handler), plus a direct path for Shopify's webhooks. Webhooks are the one high-volume request
// Tailored serves, and they need none of Remix: the direct path skips route matching and the
// Request/Response conversion (docs/decisions/005-webhook-fast-path.md) and calls the same
// `ingestWebhook` the Remix routes do.
import path from "node:path";
import url from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";

installGlobals();

const root = path.dirname(url.fileURLToPath(import.meta.url));
const build = await import(url.pathToFileURL(path.join(root, "build", "server", "index.js")).href);
const { ingestWebhook, MAX_WEBHOOK_BYTES } = build.entry.module;

const app = express();
app.disable("x-powered-by");

app.post("/webhooks/:scope/:event", (req, res) => {
  const chunks = [];
  let size = 0;
  let refused = false;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_WEBHOOK_BYTES) return void res.status(413).end("payload too large");
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_WEBHOOK_BYTES && !refused) {
      refused = true;
      res.status(413).end("payload too large");
      req.destroy();
    } else if (!refused) chunks.push(chunk);
  });
  req.on("end", () => {
    if (refused) return;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    ingestWebhook(`${req.params.scope}/${req.params.event}`, headers, Buffer.concat(chunks)).then(
      (result) => res.status(result.status).end(result.body),
      (error) => {
        console.error(error);
        res.status(500).end();
      },
    );
  });
});

app.use(compression());
app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
app.use(morgan("tiny"));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST;
const server = host ? app.listen(port, host, listening) : app.listen(port, listening);
function listening() {
  console.log(`[tailored] http://localhost:${port}${host ? ` (${host})` : ""}`);
}
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => server.close(() => process.exit(0)));
