// The production build, served by server.mjs as `npm start` and `npm run demo` serve it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ROOT } from "./env";

/** The production build (vite build, ~10 s); run once for the whole suite by tests/setup/global.ts. */
export function buildOnce(): void {
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "remix"), ["vite:build"], {
    cwd: ROOT,
    encoding: "utf8",
    // Without vitest's variables: vite.config.ts leaves the Remix plugin out under vitest.
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST"))),
      NODE_ENV: "production",
    },
  });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
}

/** Tests that serve the app call this: the global setup has built it. */
export function buildApp(): void {
  if (!fs.existsSync(path.join(ROOT, "build", "server", "index.js")))
    throw new Error("no build: tests/setup/global.ts builds the app");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export type RunningServer = {
  url: string;
  output: () => string;
  stop(): Promise<void>;
  /** SIGKILL: the process ends mid-whatever, as in a crash. */
  kill(): Promise<void>;
};

export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  if (!fs.existsSync(path.join(ROOT, "build", "server", "index.js"))) throw new Error("call buildApp() first");
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["server.mjs"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      PORT: String(port),
      SHOPIFY_API_KEY: "test-api-key",
      SHOPIFY_API_SECRET: "test-api-secret",
      SHOPIFY_APP_URL: `http://localhost:${port}`,
      SCOPES:
        "read_customers,read_orders,read_products,write_customers,write_app_proxy,write_pixels,read_customer_events",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      await fetch(url, { redirect: "manual" });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const signal = (name: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill(name);
    });
  return {
    url,
    output: () => output,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
  };
}
