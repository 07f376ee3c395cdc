// Demo mode opens the admin without authentication, on loopback only. Through the production server in
// demo mode, with real HTTP: a page served under another name (DNS rebinding) is answered 421, and a
// write from another origin (a form on another site) 403 — and changes nothing.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/mode.server";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { buildApp, startServer, type RunningServer } from "../helpers/server";

type Reply = { status: number; body: string };

describe("demo mode through server.mjs", () => {
  let database: TestDatabase;
  let server: RunningServer;
  let port: string;

  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "seed", "--customers", "60", "--seed", "3");
    buildApp();
    server = await startServer({
      DATABASE_URL: database.url,
      TAILORED_DEMO: "1",
      HOST: "127.0.0.1",
      TAILORED_BACKGROUND_SYNC: "off",
    });
    port = new URL(server.url).port;
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  /** node:http, so that Host (which fetch will not let us set) is whatever the test says. */
  const request = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        `${server.url}${path}`,
        { method, headers: { "user-agent": "Mozilla/5.0 Chrome/156.0", ...headers }, agent: false },
        (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const segments = async () =>
    (await cliJson<{ segments: { id: number; name: string }[] }>(database.url, "segments", "list", "--shop", DEMO_SHOP))
      .segments;
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const FORM = { "content-type": "application/x-www-form-urlencoded" };
  const CREATE = "/app/segments/new?_data=routes%2Fapp.segments.new";

  it("answers only loopback names: another Host (a rebound DNS name) gets 421 and no data", async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "localhost", "LOCALHOST:80"]) {
      expect((await request("GET", "/app", { host })).status, host).toBe(200);
    }
    const customers = (await request("GET", "/app?_data=routes%2Fapp._index", { host: `127.0.0.1:${port}` })).body;
    expect(customers).toContain("customers");
    for (const host of [
      `attacker.example:${port}`,
      "attacker.example",
      `127.0.0.1.attacker.example:${port}`,
      `localhost.:${port}`,
      "[::2]",
    ]) {
      for (const path of [
        "/app",
        "/app?_data=routes%2Fapp._index",
        "/app/segments?_data=routes%2Fapp.segments._index",
      ]) {
        const reply = await request("GET", path, { host });
        expect([host, path, reply.status]).toEqual([host, path, 421]);
        expect(reply.body).not.toContain("customers");
      }
    }
    // Nor does X-Forwarded-Host (which a page can set) make another name pass.
    expect(
      (await request("GET", "/app", { host: `attacker.example:${port}`, "x-forwarded-host": `localhost:${port}` }))
        .status,
    ).toBe(421);
  });

  it("refuses writes from another origin (403) and makes none; takes its own", async () => {
    const host = `127.0.0.1:${port}`;
    const body = form({ name: "Cross-site", query: "number_of_orders >= 1" });
    for (const headers of [
      { origin: "http://attacker.example" },
      { origin: "null" },
      { origin: `http://localhost:${Number(port) + 1}` },
      { origin: `https://attacker.example`, "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { referer: "http://attacker.example/form.html" },
    ] as Record<string, string>[]) {
      const reply = await request("POST", CREATE, { host, ...FORM, ...headers }, body);
      expect([headers, reply.status]).toEqual([headers, 403]);
    }
    // A rebound name does not get as far as the origin check.
    expect(
      (
        await request(
          "POST",
          CREATE,
          { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}`, ...FORM },
          body,
        )
      ).status,
    ).toBe(421);
    expect(await segments()).toEqual([]);

    const own = await request(
      "POST",
      CREATE,
      { host, origin: `http://${host}`, "sec-fetch-site": "same-origin", ...FORM },
      form({ name: "Own", query: "number_of_orders >= 1" }),
    );
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ ok: true });
    const [created] = await segments();
    expect(created).toMatchObject({ name: "Own" });

    const remove = `/app/segments/${created!.id}/delete?_data=routes%2Fapp.segments.%24id_.delete`;
    expect((await request("POST", remove, { host, origin: "http://attacker.example", ...FORM }, "")).status).toBe(403);
    expect(
      (await request("POST", remove, { host, referer: `http://evil.localhost:${port}/`, ...FORM }, "")).status,
    ).toBe(403);
    expect(await segments()).toHaveLength(1);
    expect(
      (await request("POST", remove, { host, referer: `http://${host}/app/segments/${created!.id}`, ...FORM }, ""))
        .status,
    ).toBe(200);
    expect(await segments()).toEqual([]);
  });
});
