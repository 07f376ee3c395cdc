// The HTTP thread's side of the background thread's channel, with a stand-in thread that dies: on
// SQLite, deliveries acknowledged from the journal and not yet stored are handed to the restarted
// thread, and the journal lets go of them once that one has stored them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startBackgroundThread, storeDeliveryRemotely } from "~/sync/background-thread.server";
import { ROOT } from "../helpers/env";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tailored-restart-"));
const log = path.join(dir, "stores.log");

describe("a background thread that dies", () => {
  afterAll(() => {
    vi.unstubAllEnvs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gets the acknowledged deliveries it had not stored handed to its successor", async () => {
    vi.stubEnv("DATABASE_URL", `file:${path.join(dir, "db.sqlite")}`);
    vi.stubEnv("FAKE_BACKGROUND_LOG", log);
    vi.stubEnv("FAKE_BACKGROUND_DIE_AFTER", "3");
    // The restart is reported; that report is expected here (and only that).
    const reported: string[] = [];
    vi.spyOn(console, "error").mockImplementation(
      (...args: unknown[]) => void reported.push(args.map(String).join(" ")),
    );
    const stop = startBackgroundThread(
      new URL(`file://${path.join(ROOT, "tests", "fixtures", "threads", "fake-background.mjs")}`),
    );
    const ids = ["a", "b", "c", "d", "e"];
    const acknowledged = await Promise.all(
      ids.map((eventId) =>
        storeDeliveryRemotely(
          {
            shop: "restart.myshopify.com",
            topic: "orders/create",
            eventId,
            webhookId: null,
            apiVersion: null,
            triggeredAt: null,
            payload: "{}",
          },
          new Date(),
        ),
      ),
    );
    // In the journal: acknowledged at once, whatever the thread does next.
    expect(acknowledged).toEqual([true, true, true, true, true]);
    const lines = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []);
    for (let i = 0; i < 100 && lines().filter((l) => l.startsWith("second")).length < ids.length; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(lines().filter((l) => l.startsWith("first")).length).toBe(3);
    expect(
      lines()
        .filter((l) => l.startsWith("second"))
        .map((l) => l.split(" ")[1]),
    ).toEqual(ids);
    const journals = () => fs.readdirSync(dir).filter((f) => f.endsWith(".journal"));
    const locks = () => fs.readdirSync(dir).filter((f) => f.endsWith(".lock"));
    expect(journals().length).toBe(1);
    expect(locks().length).toBe(1); // the run's, held while the server runs (docs/decisions/017)
    // Everything stored: stopping leaves no journal behind, nor its lock.
    await stop();
    expect(journals()).toEqual([]);
    expect(locks()).toEqual([]);
    expect(reported).toEqual(["[background] thread exited with 1; restarting"]);
  });
});
