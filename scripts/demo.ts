// `npm run demo`: migrate a SQLite database, seed the demo shop (once), build, and serve the production
// build on http://localhost:3000 in demo mode — no Shopify account needed.
//
//   npm run demo -- [--customers N] [--reseed] [--port P]
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "5000" },
    reseed: { type: "boolean", default: false },
    port: { type: "string", default: process.env.PORT ?? "3000" },
  },
});

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL || "file:./prisma/tailored.sqlite",
  TAILORED_ENCRYPTION_KEY: process.env.TAILORED_ENCRYPTION_KEY || demoEncryptionKey(),
};

/**
 * The key the email tools' API keys are sealed with (docs/PRIVACY.md): one made for the demo on its
 * first run, kept in prisma/.demo.env beside the demo database (ignored by git, readable by the owner
 * only), so that keys stored in one run open in the next.
 */
function demoEncryptionKey(): string {
  const file = path.join(root, "prisma", ".demo.env");
  const held = fs.existsSync(file)
    ? /^TAILORED_ENCRYPTION_KEY=(.+)$/m.exec(fs.readFileSync(file, "utf8"))?.[1]?.trim()
    : undefined;
  if (held) return held;
  const key = randomBytes(32).toString("base64");
  fs.writeFileSync(
    file,
    `# Made by npm run demo: seals the demo's email-tool API keys. Never commit it.\nTAILORED_ENCRYPTION_KEY=${key}\n`,
    {
      mode: 0o600,
    },
  );
  console.log("▸ Made an encryption key for the demo in prisma/.demo.env");
  return key;
}

function step(title: string, command: string, args: string[]): void {
  console.log(`\n▸ ${title}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`✗ ${title} failed`);
    process.exit(result.status ?? 1);
  }
}

const tsx = path.join(root, "node_modules", ".bin", "tsx");
if (!fs.existsSync(path.join(root, "node_modules", ".prisma-postgres", "client", "index.js"))) {
  step("Generating the Prisma clients", tsx, ["scripts/db.ts", "generate"]);
}
step("Migrating the database", tsx, ["scripts/db.ts", "deploy"]);

const stats = spawnSync(tsx, ["app/cli/main.ts", "stats", "--shop", "tailored-demo.myshopify.com", "--json"], {
  cwd: root,
  env,
  encoding: "utf8",
});
const seeded = stats.status === 0 && (JSON.parse(stats.stdout) as { customers: number }).customers > 0;
if (!seeded || values.reseed) {
  step(`Seeding the demo shop (${values.customers} customers)`, tsx, [
    "app/cli/main.ts",
    "seed",
    "--customers",
    values.customers!,
    "--reset",
    // Predictions fitted and a few segments made, so that every page shows something at once.
    "--insights",
  ]);
  // The storefront's recommendation lists, at once rather than at the worker's first daily pass.
  step("Computing recommendations", tsx, [
    "app/cli/main.ts",
    "recommend",
    "--shop",
    "tailored-demo.myshopify.com",
    "--refresh",
  ]);
} else {
  console.log("\n▸ The demo shop is already seeded (npm run demo -- --reseed to start again)");
}
// Storefront campaigns for /storefront (once; nothing when the shop has some).
step("Adding the demo campaigns", tsx, [
  "app/cli/main.ts",
  "campaigns",
  "demo",
  "--shop",
  "tailored-demo.myshopify.com",
]);
step("Building the app", path.join(root, "node_modules", ".bin", "remix"), ["vite:build"]);

console.log(
  `\n▸ Tailored (demo mode) on http://localhost:${values.port}/app, its storefront on http://localhost:${values.port}/storefront  —  Ctrl-C to stop\n`,
);
const server = spawn(process.execPath, ["server.mjs"], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...env,
    NODE_ENV: "production",
    // Demo mode needs both: the explicit flag, and a loopback-only listen address (app/demo/mode.server.ts).
    TAILORED_DEMO: "1",
    HOST: "127.0.0.1",
    PORT: values.port,
    // shopifyApp() needs values to start; nothing in demo mode talks to Shopify.
    SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY || "demo-api-key",
    SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET || "demo-api-secret",
    SHOPIFY_APP_URL: `http://localhost:${values.port}`,
    SCOPES:
      "read_customers,read_orders,read_products,write_customers,write_app_proxy,write_pixels,read_customer_events",
  },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
