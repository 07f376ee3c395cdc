// Debian's Chromium driven by playwright-core (nothing downloads a browser; .ci/run installs chromium).
import { newEncryptionKey } from "~/export/secrets.server";
import fs from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { createEmptyDatabase, type TestDatabase } from "./db";
import { buildApp, startServer, type RunningServer } from "./server";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-dev-shm-usage",
    ],
  });
}

/** The production build in demo mode on a seeded SQLite database, and a browser to drive it. */
export type DemoApp = {
  database: TestDatabase;
  server: RunningServer;
  /** A new page at `path`, with every page error and console error it reports collected in `failed`. */
  open(path: string): Promise<{ page: Page; failed: string[] }>;
  stop(): Promise<void>;
};

/** `prepare` fills the empty database (through the CLI, as a merchant would) before the server starts. */
export async function startDemoApp(prepare: (databaseUrl: string) => Promise<void>): Promise<DemoApp> {
  const database = await createEmptyDatabase("sqlite");
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await server?.stop();
    await database.drop();
  };
  try {
    await prepare(database.url);
    buildApp();
    server = await startServer({
      DATABASE_URL: database.url,
      TAILORED_DEMO: "1",
      HOST: "127.0.0.1",
      // As npm run demo sets it: the CSV download's signed URL (and sealed API keys) need it.
      TAILORED_ENCRYPTION_KEY: newEncryptionKey(),
    });
    browser = await launchBrowser();
  } catch (error) {
    await stop();
    throw error;
  }
  const running = server;
  const pages = browser;
  return {
    database,
    server: running,
    stop,
    async open(path) {
      const page = await pages.newPage();
      // Fail a missing element with its locator, well inside the test's own timeout.
      page.setDefaultTimeout(8_000);
      const failed: string[] = [];
      page.on("pageerror", (error) => failed.push(error.message));
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        // The editor's preview answers a query with a mistake 422 (issue 10), and shows it; Chromium
        // reports every non-2xx fetch as a failed resource. That one answer is expected, no other.
        if (
          /status of 422\b/.test(message.text()) &&
          new URL(message.location().url || "about:blank").pathname === "/app/segment-preview"
        )
          return;
        failed.push(`${message.text()} (${message.location().url || "no url"})`);
      });
      await page.goto(`${running.url}${path}`);
      return { page, failed };
    },
  };
}

/**
 * Clicks one of a Polaris page's header actions by name. Polaris first renders every action, then
 * measures them and folds those that do not fit into "More actions" (a menu), so a button seen a moment
 * ago may be gone: this tries the button, then the menu, until one of them takes the click.
 */
export async function clickPageAction(page: Page, name: string): Promise<void> {
  const button = page.getByRole("button", { name, exact: true });
  const item = page.getByRole("menuitem", { name });
  const more = page.getByRole("button", { name: "More actions" });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await button
      .or(item)
      .or(more)
      .first()
      .waitFor({ timeout: 5_000 })
      .catch(() => undefined);
    for (const target of [item, button]) {
      if (await target.isVisible().catch(() => false)) {
        const clicked = await target
          .click({ timeout: 1_000 })
          .then(() => true)
          .catch(() => false);
        if (clicked) return;
      }
    }
    if ((await more.isVisible().catch(() => false)) && !(await item.isVisible().catch(() => false)))
      await more.click({ timeout: 1_000 }).catch(() => undefined);
    await page.waitForTimeout(200);
  }
  throw new Error(`no page action "${name}" to click`);
}
