// server.mjs as deployed: bounded on what one client may hold (a client that never finishes its
// headers, or its body, is cut off), and refusing to start in production with a service-origin override.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliJson } from "../helpers/cli";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";
import { buildApp, startServer, type RunningServer } from "../helpers/server";

/** Opens a connection, writes `text` and never more; resolves with what the server sent before it closed the connection. */
function stall(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let received = "";
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
}

describe("server.mjs limits", () => {
  let database: TestDatabase;
  let server: RunningServer;
  beforeAll(async () => {
    database = await createEmptyDatabase("sqlite");
    await cliJson(database.url, "migrate");
    buildApp();
    // Short timeouts, so that the test does not wait ten seconds for the default.
    server = await startServer({
      DATABASE_URL: database.url,
      HOST: "127.0.0.1",
      TAILORED_BACKGROUND_SYNC: "off",
      TAILORED_HTTP_HEADERS_TIMEOUT_MS: "300",
      TAILORED_HTTP_REQUEST_TIMEOUT_MS: "600",
      TAILORED_HTTP_MAX_CONNECTIONS: "64",
      TAILORED_HTTP_MAX_BODY_BYTES: "4096",
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("says what it was configured with", () => {
    expect(server.output()).toContain(
      "headers within 300 ms, requests within 600 ms, keep-alive 5000 ms, at most 100 headers, 64 connections",
    );
  });

  it("cuts off a client that never finishes its headers (408, connection closed)", async () => {
    const answer = await stall(
      server.url,
      "POST /webhooks/orders/create HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Shopify-Topic: orders/create\r\nX-Slow: a",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("cuts off a client that never finishes its body", async () => {
    const answer = await stall(
      server.url,
      'POST /webhooks/orders/create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"id":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("refuses headers beyond its size (431), and still answers a whole request", async () => {
    const big = await stall(server.url, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"x".repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    const response = await fetch(`${server.url}/`, {
      redirect: "manual",
      headers: { "user-agent": "Mozilla/5.0 Chrome/156.0" },
    });
    expect(response.status).toBe(302);
  });
  it("refuses an admin or login post over its body limit, or of no declared length, unread (413, 411)", async () => {
    const big = await stall(
      server.url,
      "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
        "Content-Length: 5000000\r\n\r\nshop=",
    );
    expect(big).toMatch(/^HTTP\/1\.1 413 /);
    expect(big).toContain("Request body too large (at most 4096 bytes)");
    const chunked = await stall(
      server.url,
      "POST /app/segments/new HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nname=\r\n",
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 411 /);
    // Within the limit, the post reaches Remix (the login page answers it).
    const small = await fetch(`${server.url}/auth/login`, {
      method: "POST",
      body: new URLSearchParams({ shop: "x".repeat(3000) }),
      redirect: "manual",
    });
    expect([411, 413]).not.toContain(small.status);
    expect(small.status).toBeLessThan(500);
  });
});

describe("server.mjs in production with a service-origin override", () => {
  it("refuses to start, saying which variable and why", async () => {
    const database = await createEmptyDatabase("sqlite");
    try {
      await cliJson(database.url, "migrate");
      buildApp();
      const starting = startServer({
        DATABASE_URL: database.url,
        HOST: "127.0.0.1",
        SHOPIFY_ADMIN_ORIGIN: "https://collector.example",
      });
      await expect(starting).rejects.toThrow(/server exited with 1/);
      await expect(starting).rejects.toThrow(
        /\[tailored\] not starting: SHOPIFY_ADMIN_ORIGIN is set with NODE_ENV=production/,
      );
    } finally {
      await database.drop();
    }
  });
});
