// `npm run screenshots`: every admin page of the demo shop at 1440 and 390 px, as PNGs in
// docs/screenshots/ (for the README, and for a reviewer to see what changed). Builds the app, seeds a
// throwaway SQLite database, serves it in demo mode and drives Debian's Chromium; nothing is downloaded.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { adminPages, VIEWPORTS } from "../tests/helpers/admin-pages";
import { startDemoApp } from "../tests/helpers/browser";
import { ROOT } from "../tests/helpers/env";
import { buildOnce } from "../tests/helpers/server";

const OUT = path.join(ROOT, "docs", "screenshots");
const SHOP = "tailored-demo.myshopify.com";

function cli(url: string, args: string[]): Record<string, unknown> {
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["app/cli/main.ts", ...args, "--json"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: url },
  });
  if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

buildOnce();
let segmentId = 0;
const app = await startDemoApp(async (url) => {
  // As `npm run demo` prepares it: fitted models and starter segments, then campaigns and recommendations.
  cli(url, ["seed", "--customers", "2000", "--seed", "42", "--insights"]);
  cli(url, ["campaigns", "demo", "--shop", SHOP]);
  const segments: [string, string][] = [
    ["Champions", "rfm_group = 'CHAMPIONS'"],
    ["Lapsing regulars", "number_of_orders >= 3 AND last_order_date < -60d"],
  ];
  for (const [name, query] of segments)
    segmentId = Number(cli(url, ["segments", "create", "--shop", SHOP, "--name", name, "--query", query]).id);
});
try {
  fs.mkdirSync(OUT, { recursive: true });
  for (const viewport of VIEWPORTS) {
    for (const { name, path: url } of adminPages(segmentId)) {
      const { page, failed } = await app.open(url);
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      await page.waitForLoadState("networkidle");
      const file = path.join(OUT, `${name}-${viewport.width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`${path.relative(ROOT, file)}${failed.length ? `  (console: ${failed.join("; ")})` : ""}`);
      await page.close();
    }
  }
} finally {
  await app.stop();
}
